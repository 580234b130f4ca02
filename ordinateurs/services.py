"""Writes of Ordinateurs solidaires: the device's path under its rules, the evidence of erasure
and checks, donations, households' requests, allocation and hand-over.

Every state change of a device writes an append-only event in the same transaction; the rules
of the path are checked here, in one place: a device is *effacé* only when every storage device
has a successful erasure record, *contrôlé* only after a passed functional check, *disponible*
only with both. Reservation and hand-over go through the allocation functions, so a device is
never reserved without the request it is reserved for.
"""

import datetime
import hashlib

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from poitiers_inclusion import mail
from poitiers_inclusion.audit import audited_save, log_event
from poitiers_inclusion.concurrency import locked
from poitiers_inclusion.errors import ServiceError

from . import notifications
from .enums import (
    CHECKLIST,
    DEMANDE_TRANSITIONS,
    REQUIRED,
    TRANSITIONS,
    Etat,
    StatutDemande,
    StatutDon,
    checklist_for,
)
from .models import (
    Attribution,
    Controle,
    Demande,
    Don,
    Donateur,
    Effacement,
    Evenement,
    Foyer,
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


# --- Donations ----------------------------------------------------------------------------------


def send_donor_email(don: Don, kind: str) -> None:
    """kind: "proposition" (thanks, what happens next) or "collecte" (please confirm)."""
    mail.send(
        f"ordinateurs/emails/{kind}",
        to=don.donateur.email,
        context={
            "don": don,
            "donateur": don.donateur,
            "confirm_url": mail.absolute_url("ordinateurs:don_confirm", don.token),
        },
    )


@transaction.atomic
def offer_donation(
    *, donateur: Donateur | dict, nb_annonce: int, description: str, actor=None
) -> Don:
    """A company offers a batch (public form, or entered by staff).

    `donateur` is a known donor, or the fields typed for one: a donor already on file with the
    same SIRET is reused, and the contact typed this time is kept in the donation's notes."""
    notes = ""
    if isinstance(donateur, Donateur):
        donor = donateur
    else:
        siret = donateur.get("siret")
        donor = Donateur.objects.filter(siret=siret).order_by("pk").first() if siret else None
        if donor is None:
            donor = audited_save(Donateur(**donateur), actor=actor)
        else:
            typed = [donateur.get(k) for k in ("contact_nom", "email", "telephone")]
            if any(typed):
                notes = "Contact indiqué avec cette proposition : " + ", ".join(
                    value for value in typed if value
                )
    don = audited_save(
        Don(
            donateur=donor,
            nb_annonce=nb_annonce,
            description=description,
            en_ligne=actor is None,
            notes=notes,
        ),
        actor=actor,
    )
    send_donor_email(don, "proposition")
    return don


@transaction.atomic
def plan_collection(*, don: Don, day: datetime.date, actor) -> Don:
    don = Don.objects.select_for_update().get(pk=don.pk)
    if don.statut not in (StatutDon.PROPOSE, StatutDon.COLLECTE_PREVUE):
        raise OrdinateurError("Ce don a déjà été collecté ou annulé.")
    don.collection_planned_on = day
    don.statut = StatutDon.COLLECTE_PREVUE
    return audited_save(don, actor=actor)


@transaction.atomic
def record_collection(*, don: Don, day: datetime.date, nb_recus: int, poids_kg, actor) -> Don:
    """The batch was collected: units and weight; the donor is asked to confirm."""
    don = Don.objects.select_for_update().get(pk=don.pk)
    if don.statut in (StatutDon.CONFIRME, StatutDon.ANNULE):
        raise OrdinateurError("Ce don est clos.")
    don.collected_on, don.nb_recus, don.poids_kg = day, nb_recus, poids_kg
    don.statut = StatutDon.COLLECTE
    audited_save(don, actor=actor)
    send_donor_email(don, "collecte")
    return don


@transaction.atomic
def confirm_by_donor(*, don: Don) -> Don:
    """The donor confirms, by their link, what was collected."""
    don = Don.objects.select_for_update().get(pk=don.pk)
    if don.statut != StatutDon.COLLECTE:
        raise OrdinateurError("Il n'y a rien à confirmer pour ce don.")
    don.statut, don.confirmed_at = StatutDon.CONFIRME, timezone.now()
    return audited_save(don, actor=None)


@transaction.atomic
def cancel_donation(*, don: Don, actor, motif: str = "") -> Don:
    don = Don.objects.select_for_update().get(pk=don.pk)
    if don.ordinateurs.exists():
        raise OrdinateurError("Des appareils de ce don sont enregistrés : il ne s'annule plus.")
    don.statut, don.cancelled_at = StatutDon.ANNULE, timezone.now()
    if motif:
        don.notes = f"{don.notes}\nAnnulé : {motif}".strip()
    return audited_save(don, actor=actor)


# --- Households and requests --------------------------------------------------------------------


def _next_foyer_code(year: int) -> str:
    prefix = f"F-{year}-"
    last = Foyer.objects.filter(code__startswith=prefix).aggregate(n=Max("code"))["n"]
    following = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{following:04d}"


@transaction.atomic
def refer_household(*, structure, foyer: dict, besoin: str, actor, at=None) -> Demande:
    """A partner refers a household (with its consent): a pseudonymous file and a request."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE ordinateurs_foyer IN SHARE ROW EXCLUSIVE MODE")
    now = at or timezone.now()
    household = Foyer(
        code=_next_foyer_code(timezone.localtime(now).year),
        structure=structure,
        created_by=actor,
        created_at=now,
        **foyer,
    )
    audited_save(household, actor=actor)
    demande = Demande(foyer=household, besoin=besoin, created_by=actor, created_at=now)
    return audited_save(demande, actor=actor)


CLOSED = (
    StatutDemande.REFUSEE,
    StatutDemande.EQUIPEE,
    StatutDemande.ABANDON,
    StatutDemande.EXPIREE,
)


def _set_status(
    demande: Demande, statut: str, *, actor, motif="", at=None, tell=True, **told
) -> Demande:
    if statut not in DEMANDE_TRANSITIONS.get(demande.statut, ()):
        raise OrdinateurError(
            f"Une demande « {demande.get_statut_display().lower()} » ne peut pas passer à "
            f"« {StatutDemande(statut).label.lower()} ».",
            field="statut",
        )
    if statut in (StatutDemande.REFUSEE, StatutDemande.INCOMPLETE) and not motif.strip():
        raise OrdinateurError("Indiquez le motif, il sera transmis à la structure.", field="motif")
    now = at or timezone.now()
    before = demande.statut
    demande.statut = statut
    if motif:
        demande.motif = motif.strip()
    if statut == StatutDemande.LISTE_ATTENTE and demande.waitlisted_at is None:
        demande.waitlisted_at = now
    if statut in CLOSED:
        demande.closed_at = now
    demande.save()
    log_event(
        actor=actor,
        action="ordinateurs.demande.status_changed",
        target=demande,
        changes={"statut": [before, statut]},
    )
    if tell:
        notifications.tell_partner(demande, **told)
    return demande


@transaction.atomic
def decide(*, demande: Demande, statut: str, actor, motif: str = "", priorite=None, at=None):
    """The coordination's decision on a request (eligible, incomplete, refused, waiting list,
    abandoned…); a refusal or a missing document says why. An eligible request takes its place
    on the waiting list in the same step (both changes are in its history) and the partner is
    told once, of both. The version the person's form expects (DecisionForm) is kept: a
    decision taken meanwhile refuses this one."""
    demande = locked(demande)
    if statut in (StatutDemande.PROPOSEE, StatutDemande.EQUIPEE) or (
        demande.statut == StatutDemande.PROPOSEE
    ):
        # A device is involved: proposing, handing over and withdrawing keep it in step.
        raise OrdinateurError(
            "Un ordinateur est en jeu : proposez-le, notez sa remise ou retirez la proposition.",
            field="statut",
        )
    if priorite is not None:
        demande.priorite = priorite
    if statut == StatutDemande.ELIGIBLE:
        _set_status(demande, statut, actor=actor, motif=motif, at=at, tell=False)
        return _set_status(
            demande, StatutDemande.LISTE_ATTENTE, actor=actor, at=at, became_eligible=True
        )
    return _set_status(demande, statut, actor=actor, motif=motif, at=at)


@transaction.atomic
def propose(*, demande: Demande, ordinateur: Ordinateur, actor, at=None) -> Attribution:
    """Reserve an available device for a household on the waiting list."""
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    ordinateur = Ordinateur.objects.select_for_update().get(pk=ordinateur.pk)
    if demande.statut != StatutDemande.LISTE_ATTENTE:
        raise OrdinateurError("Seule une demande en liste d'attente reçoit un ordinateur.")
    if ordinateur.etat != Etat.DISPONIBLE:
        raise OrdinateurError("Cet ordinateur n'est pas disponible.", field="ordinateur")
    _move(ordinateur, Etat.RESERVE, actor=actor, note=f"Réservé pour le {demande.foyer}", at=at)
    _set_status(demande, StatutDemande.PROPOSEE, actor=actor, at=at)
    attribution = Attribution.objects.create(
        demande=demande, ordinateur=ordinateur, proposee_par=actor, proposed_at=at or timezone.now()
    )
    log_event(actor=actor, action="ordinateurs.attribution.created", target=attribution)
    return attribution


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


def hand_over_moment(*, on: datetime.date | None, ceremonie=None, now=None) -> datetime.datetime:
    """When a hand-over happened, from the day typed: at the ceremony's time on its day, now
    when it is today, else midday; no day typed: the ceremony's day, else today. A ceremony
    still to come gives now, which `_check_hand_over_day` refuses with the ceremony's date."""
    now = now or timezone.now()
    if ceremonie is not None and on in (None, timezone.localdate(ceremonie.date)):
        return min(ceremonie.date, now)
    if on is None or on == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))


def _check_hand_over_day(attribution, ceremonie, at, now):
    """A hand-over is a fact: it has happened (the device leaves, the request is equipped, the
    partner is told, the figures count it), on the ceremony's day when at a ceremony, not
    before the device was reserved."""
    if ceremonie is not None and timezone.localdate(ceremonie.date) > timezone.localdate(now):
        raise OrdinateurError(
            f"La cérémonie « {ceremonie.titre} » a lieu le {_day(ceremonie.date)} : notez la "
            "remise ce jour-là ou après, quand l'ordinateur a été remis. D'ici là, il reste "
            "réservé pour ce foyer.",
            field="remis_le",
        )
    if timezone.localdate(at) > timezone.localdate(now):
        raise OrdinateurError(
            "La remise ne peut pas être datée dans le futur : notez-la une fois l'ordinateur "
            "remis.",
            field="remis_le",
        )
    if ceremonie is not None and timezone.localdate(at) != timezone.localdate(ceremonie.date):
        raise OrdinateurError(
            f"La cérémonie « {ceremonie.titre} » a eu lieu le {_day(ceremonie.date)} : une "
            "remise lors de cette cérémonie porte cette date (sinon, choisissez « Sans "
            "cérémonie »).",
            field="remis_le",
        )
    if timezone.localdate(at) < timezone.localdate(attribution.proposed_at):
        raise OrdinateurError(
            f"L'ordinateur a été réservé pour ce foyer le {_day(attribution.proposed_at)} : la "
            "remise ne peut pas être datée avant.",
            field="remis_le",
        )


@transaction.atomic
def hand_over(*, attribution: Attribution, actor, ceremonie=None, at=None, on=None) -> Attribution:
    """The household received its computer: the device is *remis*, the request *équipée*,
    both on the day of the hand-over (`on`, or the moment `at`; by default the ceremony's day,
    else now), which the receipt, the figures and the device's history read."""
    attribution = Attribution.objects.select_for_update().get(pk=attribution.pk)
    if attribution.cancelled_at or attribution.handed_over_at:
        raise OrdinateurError("Cette attribution est déjà close.")
    now = timezone.now()
    if at is None:
        at = hand_over_moment(on=on, ceremonie=ceremonie, now=now)
        if timezone.localdate(at) == timezone.localdate(attribution.proposed_at):
            # Reserved the morning of the ceremony: the history keeps the order things had.
            at = max(at, attribution.proposed_at)
    _check_hand_over_day(attribution, ceremonie, at, now)
    ordinateur = Ordinateur.objects.select_for_update().get(pk=attribution.ordinateur_id)
    demande = Demande.objects.select_for_update().get(pk=attribution.demande_id)
    _move(ordinateur, Etat.REMIS, actor=actor, note=f"Remis au {demande.foyer}", at=at)
    _set_status(demande, StatutDemande.EQUIPEE, actor=actor, at=at)
    attribution.handed_over_at, attribution.remise_par, attribution.ceremonie = (
        at,
        actor,
        ceremonie,
    )
    attribution.save()
    log_event(actor=actor, action="ordinateurs.attribution.handed_over", target=attribution)
    return attribution


@transaction.atomic
def withdraw(*, attribution: Attribution, actor, motif: str, abandon=False) -> Attribution:
    """The proposal did not go ahead: the device is available again, the request goes back to
    the waiting list (or is abandoned)."""
    attribution = Attribution.objects.select_for_update().get(pk=attribution.pk)
    if attribution.cancelled_at or attribution.handed_over_at:
        raise OrdinateurError("Cette attribution est déjà close.")
    ordinateur = Ordinateur.objects.select_for_update().get(pk=attribution.ordinateur_id)
    demande = Demande.objects.select_for_update().get(pk=attribution.demande_id)
    _move(ordinateur, Etat.DISPONIBLE, actor=actor, note=motif)
    statut = StatutDemande.ABANDON if abandon else StatutDemande.LISTE_ATTENTE
    _set_status(demande, statut, actor=actor, motif=motif)
    attribution.cancelled_at = timezone.now()
    attribution.save()
    log_event(actor=actor, action="ordinateurs.attribution.withdrawn", target=attribution)
    return attribution


def expire_requests(*, incomplete_days: int, today=None, dry_run=False) -> int:
    """Requests left incomplete for too long expire (the structure may refer again)."""
    today = today or timezone.localdate()
    limit = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=incomplete_days), datetime.time())
    )
    stale = Demande.objects.filter(statut=StatutDemande.INCOMPLETE, created_at__lt=limit)
    if dry_run:
        return stale.count()
    count = 0
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            # Claimed under its lock and checked again: a run going on at the same time has
            # expired it, or is doing so (then it is left to that run).
            demande = stale.select_for_update(skip_locked=True).filter(pk=pk).first()
            if demande is None:
                continue
            _set_status(demande, StatutDemande.EXPIREE, actor=None)
            count += 1
    return count


def anonymise_closed_households(*, before: datetime.datetime, dry_run=False) -> int:
    """Empty the personal fields of households whose every request closed before that date."""
    candidates = (
        Foyer.objects.filter(anonymised_at__isnull=True)
        .exclude(demandes__statut__in=[s for s in StatutDemande.values if s not in CLOSED])
        .exclude(demandes__closed_at__gte=before)
        .filter(demandes__isnull=False)
        .distinct()
    )
    if dry_run:
        return candidates.count()
    count = 0
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            # Claimed under its lock and checked again (a run at the same time, a new request
            # meanwhile); the DISTINCT of `candidates` cannot take the lock itself.
            foyer = (
                Foyer.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, anonymised_at__isnull=True)
                .first()
            )
            if foyer is None or not candidates.filter(pk=pk).exists():
                continue
            emptied = [name for name in Foyer.PERSONAL_FIELDS if getattr(foyer, name)]
            for name in Foyer.PERSONAL_FIELDS:
                setattr(foyer, name, "")
            foyer.anonymised_at = timezone.now()
            foyer.save()
            log_event(
                actor=None,
                action="ordinateurs.foyer.anonymised",
                target=foyer,
                changes={"fields": emptied},
            )
            count += 1
    return count
