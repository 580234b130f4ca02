"""A device's path under its rules: receiving, moving, the evidence of erasure and checks."""

import hashlib

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from poitiers_inclusion.audit import log_event
from poitiers_inclusion.errors import ServiceError

from ..enums import (
    CHECKLIST,
    REQUIRED,
    TRANSITIONS,
    Etat,
    checklist_for,
)
from ..models import (
    Controle,
    Don,
    Effacement,
    Evenement,
    Ordinateur,
    Stockage,
)


class OrdinateurError(ServiceError):
    """A change of a device, a donation or a household's request that the rules refuse."""


def sha256_of(upload) -> str:
    """The SHA-256 of an uploaded file (read in chunks), or "" without a file."""
    if not upload:
        return ""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


# --- Devices ------------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    """PC-2022-0001, PC-2022-0002… (called under the table lock of receive_devices)."""
    prefix = f"PC-{year}-"
    last = Ordinateur.objects.filter(numero__startswith=prefix).aggregate(n=Max("numero"))["n"]
    following = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{following:04d}"


def _event(ordinateur, vers, *, actor, note="", piece=None, at=None) -> Evenement:
    event = Evenement.objects.create(
        ordinateur=ordinateur,
        de=ordinateur.etat if ordinateur.pk and ordinateur.evenements.exists() else "",
        vers=vers,
        auteur=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        piece_jointe=piece or "",
        piece_sha256=sha256_of(piece),
        at=at or timezone.now(),
    )
    # A new version: a description form opened before would write the old state back.
    Ordinateur.objects.filter(pk=ordinateur.pk).update(etat=vers, version=F("version") + 1)
    ordinateur.etat = vers
    ordinateur.version = Ordinateur.objects.values_list("version", flat=True).get(pk=ordinateur.pk)
    return event


@transaction.atomic
def receive_devices(*, don: Don | None, devices: list[dict], actor, at=None) -> list[Ordinateur]:
    """Register the devices of a batch as received: each gets a number and its first event.

    `devices`: dicts of Ordinateur fields (type, marque, modele, numero_serie…), and optionally
    "stockages": a list of dicts of Stockage fields."""
    from django.db import connection

    with connection.cursor() as cursor:  # numbers are given one batch at a time
        cursor.execute("LOCK TABLE ordinateurs_ordinateur IN SHARE ROW EXCLUSIVE MODE")
    year = timezone.localtime(at).year if at else timezone.localdate().year
    created = []
    for values in devices:
        values = dict(values)
        storages = values.pop("stockages", [])
        ordinateur = Ordinateur.objects.create(
            numero=_next_number(year), don=don, etat=Etat.RECU, **values
        )
        for storage in storages:
            Stockage.objects.create(ordinateur=ordinateur, **storage)
        _event(ordinateur, Etat.RECU, actor=actor, note="Réception", at=at)
        created.append(ordinateur)
    if created:
        log_event(
            actor=actor,
            action="ordinateurs.ordinateur.received",
            target=don or created[0],
            changes={"count": len(created)},
        )
    return created


def successful_erasures(storage: Stockage) -> list[Effacement]:
    """The storage's successful erasures, the latest first (the one a certificate cites). Read
    from its prefetched erasures when the caller prefetched them."""
    done = [e for e in storage.effacements.all() if e.reussi]
    return sorted(done, key=lambda e: (e.done_at, e.pk), reverse=True)


def erased(ordinateur: Ordinateur) -> bool:
    """The rule before a device may leave the workshop: every storage device has a successful
    erasure record, and a device that holds data has its storage recorded. Read from the
    prefetched storages and erasures when the caller prefetched them."""
    storages = list(ordinateur.stockages.all())
    if ordinateur.needs_storage and not storages:
        return False
    return all(successful_erasures(storage) for storage in storages)


def last_check(ordinateur: Ordinateur) -> Controle | None:
    return ordinateur.controles.order_by("-done_at", "-pk").first()


def missing_for(ordinateur: Ordinateur, vers: str) -> list[str]:
    """What the rules still ask before the device may take that state (empty: nothing)."""
    missing = []
    if vers in (Etat.EFFACE, Etat.RECONDITIONNE, Etat.CONTROLE, Etat.DISPONIBLE):
        if ordinateur.needs_storage and not ordinateur.stockages.exists():
            missing.append("Enregistrez ses supports de stockage (disque, SSD…).")
        elif not erased(ordinateur):
            missing.append("Chaque support de stockage doit avoir un effacement réussi.")
    if vers in (Etat.CONTROLE, Etat.DISPONIBLE):
        check = last_check(ordinateur)
        if check is None or not check.passes_for(ordinateur.type):
            missing.append("Le dernier contrôle fonctionnel doit être réussi.")
    return missing


# States set only by the allocation functions (they also touch the request).
ALLOCATION_STATES = (Etat.RESERVE, Etat.REMIS)


@transaction.atomic
def move(*, ordinateur: Ordinateur, vers: str, actor, note="", piece=None, at=None) -> Evenement:
    """Take a device to its next state, if the path and the rules allow it."""
    ordinateur = Ordinateur.objects.select_for_update().get(pk=ordinateur.pk)
    if vers in ALLOCATION_STATES or ordinateur.etat == Etat.RESERVE:
        # Reserving, handing over and withdrawing a proposal keep the request in step.
        raise OrdinateurError(
            "Un ordinateur se réserve, se remet ou se libère depuis la demande du foyer.",
            field="vers",
        )
    return _move(ordinateur, vers, actor=actor, note=note, piece=piece, at=at)


def _move(ordinateur, vers, *, actor, note="", piece=None, at=None) -> Evenement:
    if vers not in TRANSITIONS.get(ordinateur.etat, ()):
        raise OrdinateurError(
            f"Un ordinateur « {ordinateur.get_etat_display().lower()} » ne peut pas passer "
            f"à « {Etat(vers).label.lower()} ».",
            field="vers",
        )
    missing = missing_for(ordinateur, vers)
    if missing:
        raise OrdinateurError(" ".join(missing), field="vers")
    return _event(ordinateur, vers, actor=actor, note=note, piece=piece, at=at)


@transaction.atomic
def record_erasure(*, stockage: Stockage, operateur, preuve=None, **fields) -> Effacement:
    """Keep the evidence of an erasure: method, tool and version, result, the tool's report and
    its SHA-256 (so the certificate can prove the file was not changed)."""
    effacement = Effacement.objects.create(
        stockage=stockage,
        operateur=operateur,
        preuve=preuve or "",
        preuve_sha256=sha256_of(preuve),
        **fields,
    )
    log_event(
        actor=operateur,
        action="ordinateurs.effacement.created",
        target=stockage.ordinateur,
        changes={"stockage": stockage.pk, "resultat": effacement.resultat},
    )
    return effacement


@transaction.atomic
def record_check(*, ordinateur: Ordinateur, resultats: dict, operateur, note="", at=None):
    """Record the functional checklist of that kind of device: it passes only when every item
    that applies was tested and works, an item the device may lack being "sans objet" (None).

    `resultats`: {item: True, False or None}. A required item not given counts as a defect,
    an optional one as "sans objet"; the items that do not apply are recorded "sans objet"."""
    unknown = set(resultats) - {key for key, _label in CHECKLIST}
    if unknown:
        raise OrdinateurError(f"Points de contrôle inconnus : {', '.join(sorted(unknown))}.")
    values = dict.fromkeys((key for key, _label in CHECKLIST), None)
    for key, _label, need in checklist_for(ordinateur.type):
        given = resultats.get(key)
        values[key] = bool(given) if need == REQUIRED else given
        if values[key] is not None:
            values[key] = bool(values[key])
    tested = [value for value in values.values() if value is not None]
    if not tested:
        raise OrdinateurError("Testez au moins une fonction de l'appareil.")
    controle = Controle.objects.create(
        ordinateur=ordinateur,
        resultats=values,
        reussi=all(tested),
        operateur=operateur,
        note=note,
        done_at=at or timezone.now(),
    )
    log_event(
        actor=operateur,
        action="ordinateurs.controle.created",
        target=ordinateur,
        changes={"reussi": controle.reussi},
    )
    return controle
