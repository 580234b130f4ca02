"""Writes of the workshop path: registrations within capacity, the waiting list, attendance.

Every write that counts places locks the session's row (`select_for_update`), so two people
registering at the same moment are served one after the other: the capacity is never exceeded
and the waiting list keeps its order. Each change is written to the audit log.
"""

from django.db import transaction
from django.utils import timezone

from poitiers_inclusion import mail, phones, reach
from poitiers_inclusion.audit import audited_form_save, audited_save, log_event
from poitiers_inclusion.claims import claim_once
from poitiers_inclusion.concurrency import locked
from poitiers_inclusion.dates import reminder_days
from poitiers_inclusion.enums import Role
from poitiers_inclusion.errors import ServiceError
from poitiers_inclusion.models import Usager
from poitiers_inclusion.text import fold, folded

from .enums import Origine, Presence, StatutInscription
from .models import Inscription, Seance


class InscriptionError(ServiceError):
    """A registration that cannot be made or changed."""


class AlreadyRegistered(InscriptionError):
    """The person holds a live registration (place or waiting list) to this session."""

    def __init__(self, inscription: Inscription):
        super().__init__("Cette personne est déjà inscrite à cette séance.")
        self.inscription = inscription


def find_or_create_person(
    *, first_name: str, last_name: str, phone: str = "", email: str = "", actor=None, now=None
) -> Usager:
    """The identified usager with this name and this phone or e-mail, else a new one.

    Registering means consenting to be identified (the form says so), so a new record carries
    the consent date. Matching needs the same name *and* the same phone or e-mail, so a
    homonym is never mixed up with someone else, and the page never tells whether a person is
    already known."""
    name = (fold(first_name), fold(last_name))
    email, phone_key = email.strip().lower(), phones.key(phone)
    if email or phone_key:
        namesakes = (
            Usager.objects.identified()
            .filter(merged_into__isnull=True)
            .annotate(folded_last_name=folded("last_name"))
            .filter(folded_last_name=name[1])
        )
        for usager in namesakes.order_by("pk"):
            same_name = (fold(usager.first_name), fold(usager.last_name)) == name
            same_contact = (email and usager.email.lower() == email) or (
                phone_key and phones.key(usager.phone) == phone_key
            )
            if same_name and same_contact:
                return usager
    usager = Usager(
        first_name=" ".join(first_name.split()),
        last_name=" ".join(last_name.split()),
        phone=phone.strip(),
        email=email,
        consent_at=now or timezone.now(),
    )
    return audited_save(usager, actor=actor)


# What a person without an e-mail is told by text message, or by a call from the team.
TOLD_BY_PHONE = {
    "promotion": "Place libérée : inscrit(e) depuis la liste d'attente",
    "rappel": "Rappel de la séance",
    "annulation_seance": "Séance annulée",
}


def send_inscription_email(inscription: Inscription, kind: str) -> None:
    """kind: "inscription", "attente", "promotion", "annulation_seance", "deja_inscrit" or
    "rappel". By e-mail; a promotion, a reminder or a cancellation also reaches a person
    without e-mail, by text message or by the team's call (poitiers_inclusion.reach)."""
    usager = inscription.usager
    context = {
        "inscription": inscription,
        "seance": inscription.seance,
        "lieu": inscription.seance.lieu,
        "cancel_url": mail.absolute_url("ateliers:cancel_public", inscription.token),
    }
    if kind not in TOLD_BY_PHONE:
        mail.send(f"ateliers/emails/{kind}", to=usager.email, context=context)
        return
    reach.tell(
        f"ateliers/emails/{kind}",
        email=usager.email,
        phone=usager.phone,
        name=usager.full_name,
        context=context,
        about=inscription,
        app="ateliers",
        reason=TOLD_BY_PHONE[kind],
        due_by=inscription.seance.date,
    )


def _locked(seance: Seance) -> Seance:
    return locked(seance)


def places_taken(seance: Seance) -> int:
    return seance.inscriptions.filter(statut=StatutInscription.INSCRIT).count()


def register(
    *, seance: Seance, usager: Usager, origine: str = Origine.EQUIPE, actor=None, now=None
) -> Inscription:
    """A place if one is left, else the waiting list; then the e-mail that says which."""
    now = now or timezone.now()
    with transaction.atomic():
        seance = _locked(seance)
        if seance.is_cancelled:
            raise InscriptionError("Cette séance est annulée.")
        if seance.date < timezone.localdate(now):
            raise InscriptionError("Cette séance est passée.")
        existing = seance.inscriptions.actives().filter(usager=usager).first()
        if existing is not None:
            raise AlreadyRegistered(existing)
        full = places_taken(seance) >= seance.capacite
        inscription = Inscription.objects.create(
            seance=seance,
            usager=usager,
            origine=origine,
            statut=StatutInscription.ATTENTE if full else StatutInscription.INSCRIT,
            created_at=now,
        )
        log_event(
            actor=actor,
            action="ateliers.inscription.created",
            target=inscription,
            changes={"statut": inscription.statut, "origine": origine},
        )
        _follow(usager, actor)
    send_inscription_email(inscription, "attente" if full else "inscription")
    return inscription


def register_online(*, seance: Seance, usager: Usager, now=None) -> None:
    """A resident's own registration from the public programme. Someone already registered is
    not registered twice: they get an e-mail saying so, and the page answers as it answers a
    new registration, so that nobody learns from it who attends."""
    try:
        register(seance=seance, usager=usager, origine=Origine.PUBLIC, actor=None, now=now)
    except AlreadyRegistered as already:
        send_inscription_email(already.inscription, "deja_inscrit")


def _follow(usager: Usager, actor) -> None:
    """A conseiller who registers someone, or takes their attendance, follows that person."""
    if getattr(actor, "role", None) == Role.CONSEILLER:
        usager.conseillers.add(actor)


def _promote_waiting(seance: Seance, actor, now) -> list[Inscription]:
    """Fill the free places from the waiting list, first come first served (seance locked)."""
    free = seance.capacite - places_taken(seance)
    if free <= 0 or seance.is_cancelled or seance.date < timezone.localdate(now):
        return []
    waiting = list(
        seance.inscriptions.filter(statut=StatutInscription.ATTENTE).order_by("created_at", "pk")[
            :free
        ]
    )
    for inscription in waiting:
        inscription.statut = StatutInscription.INSCRIT
        inscription.promoted_at = now
        inscription.save(update_fields=["statut", "promoted_at"])
        log_event(actor=actor, action="ateliers.inscription.promoted", target=inscription)
    return waiting


def cancel(*, inscription: Inscription, actor=None, now=None) -> list[Inscription]:
    """Cancel a registration (by its link or by the team); the freed place goes to the first
    person waiting, who is told by e-mail. Returns the registrations promoted."""
    now = now or timezone.now()
    with transaction.atomic():
        _locked(inscription.seance)
        inscription = Inscription.objects.select_for_update().get(pk=inscription.pk)
        if inscription.statut == StatutInscription.ANNULE:
            raise InscriptionError("Cette inscription est déjà annulée.")
        if inscription.presence:
            raise InscriptionError("La présence a déjà été notée : l'inscription reste.")
        inscription.statut = StatutInscription.ANNULE
        inscription.cancelled_at = now
        inscription.save(update_fields=["statut", "cancelled_at"])
        log_event(actor=actor, action="ateliers.inscription.cancelled", target=inscription)
        promoted = _promote_waiting(inscription.seance, actor, now)
    for other in promoted:
        send_inscription_email(other, "promotion")
    return promoted


def change_capacity(*, seance: Seance, capacite: int, actor=None, now=None) -> list[Inscription]:
    """New number of places; more places take people from the waiting list."""
    now = now or timezone.now()
    with transaction.atomic():
        seance = _locked(seance)
        seance.capacite = capacite
        audited_save(seance, actor=actor)
        promoted = _promote_waiting(seance, actor, now)
    for other in promoted:
        send_inscription_email(other, "promotion")
    return promoted


def save_seance(*, form, actor, capacite_before=None) -> tuple[Seance, list[Inscription]]:
    """Save a session's form, new or edited. An edited capacity goes through `change_capacity`
    (which hands new places to the waiting list), not through the form: `capacite_before` is the
    capacity the session had before the form wrote on it. Returns the session and the people
    taken from the waiting list."""
    with transaction.atomic():
        if capacite_before is None:
            return audited_form_save(form, actor=actor), []
        capacite = form.cleaned_data["capacite"]
        form.instance.capacite = capacite_before
        seance = audited_form_save(form, actor=actor)
        promoted = []
        if capacite != capacite_before:
            promoted = change_capacity(seance=seance, capacite=capacite, actor=actor)
    return seance, promoted


@transaction.atomic
def set_presence(*, inscription: Inscription, presence: str, actor) -> Inscription:
    """Mark a registered person present or absent (or back to not taken: "")."""
    inscription = (
        Inscription.objects.select_for_update()
        .select_related("seance", "usager")
        .get(pk=inscription.pk)
    )
    if inscription.seance.is_cancelled:
        raise InscriptionError("Cette séance est annulée.")
    if inscription.statut != StatutInscription.INSCRIT:
        raise InscriptionError("Seules les personnes inscrites sont pointées.")
    if presence not in ("", *Presence.values):
        raise InscriptionError("Présence inconnue.")
    if inscription.seance.date > timezone.localdate():
        raise InscriptionError("La présence se note le jour de la séance ou après.")
    before = inscription.presence
    inscription.presence = presence
    inscription.save(update_fields=["presence"])
    log_event(
        actor=actor,
        action="ateliers.inscription.presence",
        target=inscription,
        changes={"presence": [before, presence]},
    )
    if presence == Presence.PRESENT:
        usager = inscription.usager
        day = inscription.seance.date
        if usager.last_seen_on is None or usager.last_seen_on < day:
            Usager.objects.filter(pk=usager.pk).update(last_seen_on=day)
        _follow(usager, actor)
    return inscription


@transaction.atomic
def add_walk_in(*, seance: Seance, usager: Usager, actor) -> Inscription:
    """Someone who came without registering: present, even beyond the places (they are here)."""
    seance = _locked(seance)
    if seance.is_cancelled:
        raise InscriptionError("Cette séance est annulée.")
    existing = seance.inscriptions.actives().filter(usager=usager).first()
    if existing is not None:
        if existing.statut == StatutInscription.ATTENTE:
            existing.statut = StatutInscription.INSCRIT
            existing.save(update_fields=["statut"])
        return set_presence(inscription=existing, presence=Presence.PRESENT, actor=actor)
    inscription = Inscription.objects.create(
        seance=seance, usager=usager, origine=Origine.SUR_PLACE, statut=StatutInscription.INSCRIT
    )
    log_event(
        actor=actor,
        action="ateliers.inscription.created",
        target=inscription,
        changes={"statut": inscription.statut, "origine": Origine.SUR_PLACE},
    )
    return set_presence(inscription=inscription, presence=Presence.PRESENT, actor=actor)


def register_person(
    *, seance: Seance, usager: Usager | None, person: dict, walk_in: bool, actor
) -> Inscription:
    """Register someone to a session, or note them present without registration (`walk_in`):
    `usager` when chosen in the list, else the person found or created from `person` (first and
    last name, phone, e-mail). One transaction: a refused registration leaves no new person
    behind."""
    with transaction.atomic():
        usager = usager or find_or_create_person(**person, actor=actor)
        if walk_in:
            return add_walk_in(seance=seance, usager=usager, actor=actor)
        return register(seance=seance, usager=usager, actor=actor)


def send_reminders(*, today=None, dry_run: bool = False) -> int:
    """Remind (e-mail, text message or a call to make) the people registered for tomorrow's and the day after's sessions, once each
    (claims.claim_once: two runs at the same time never send one reminder twice). Returns how
    many were (or would be) sent."""
    due = Inscription.objects.filter(
        statut=StatutInscription.INSCRIT,
        seance__date__in=reminder_days(today or timezone.localdate()),
        seance__cancelled_at__isnull=True,
    ).exclude(usager__email="", usager__phone="")
    return claim_once(
        due.select_related("usager", "seance__lieu", "seance__module"),
        field="reminder_sent_at",
        action=lambda inscription: send_inscription_email(inscription, "rappel"),
        dry_run=dry_run,
    )


def cancel_seance(*, seance: Seance, motif: str, actor, now=None) -> int:
    """Cancel a session; everyone registered or waiting is told by e-mail. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        seance = _locked(seance)
        if seance.is_cancelled:
            raise InscriptionError("Cette séance est déjà annulée.")
        if seance.inscriptions.exclude(presence="").exists():
            raise InscriptionError("Des présences ont été notées : la séance a eu lieu.")
        seance.cancelled_at = now
        seance.motif_annulation = motif
        audited_save(seance, actor=actor)
        told = list(seance.inscriptions.actives().select_related("usager", "seance__lieu"))
    for inscription in told:
        send_inscription_email(inscription, "annulation_seance")
    return len(told)


# Where both records of a person hold a live registration for the same session, the one that
# stays is the most advanced: a place with attendance noted (present, then absent), then a place,
# then the waiting list; at the same step, the earlier one (its place was taken first).
_PRESENCE_ORDER = {Presence.PRESENT: 0, Presence.ABSENT: 1, "": 2}


def _advancement(inscription: Inscription) -> tuple:
    return (
        inscription.statut != StatutInscription.INSCRIT,
        _PRESENCE_ORDER[inscription.presence],
        inscription.created_at,
        inscription.pk,
    )


def merge_registrations(*, kept: Usager, other: Usager, actor, now=None) -> dict[str, int]:
    """The merge hook of two records of one person (usager_records): `other`'s registrations go
    to `kept`, one per session; the duplicate is deleted and a place it held goes to the first
    person waiting. Runs inside the merge's transaction."""
    now = now or timezone.now()
    people = Inscription.objects.filter(usager__in=[kept, other])
    # Lock the sessions first, as every write that counts places does.
    seances = {
        s.pk: s
        for s in Seance.objects.select_for_update()
        .filter(pk__in=people.values("seance_id"))
        .order_by("pk")
    }
    live = {}
    for inscription in people.actives().order_by("pk"):
        live.setdefault(inscription.seance_id, []).append(inscription)
    removed, freed = 0, []
    for seance_id, both in live.items():
        if len(both) < 2:
            continue
        duplicate = sorted(both, key=_advancement)[1]
        duplicate.delete()
        removed += 1
        if duplicate.statut == StatutInscription.INSCRIT:
            freed.append(seances[seance_id])
    moved = Inscription.objects.filter(usager=other).update(usager=kept)
    promoted = [i for seance in freed for i in _promote_waiting(seance, actor, now)]
    for inscription in promoted:
        # After the merge's commit: nobody is told of a place that a rollback would take back.
        transaction.on_commit(lambda i=inscription: send_inscription_email(i, "promotion"))
    return {"moved": moved, "duplicates_removed": removed}
