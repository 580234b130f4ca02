"""Writes of the network's life that touch several records or send e-mails: update campaigns,
meeting invitations and attendance, orientations and their reminders, expiry and anonymisation."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion import mail
from poitiers_inclusion.audit import audited_form_save, audited_save, log_event
from poitiers_inclusion.enums import Role

from .enums import EtatOrientation, EtatVerification, Reponse
from .models import Campagne, Contact, Invitation, Orientation, Reunion, Structure, Verification

REMINDER_DAYS_BEFORE_EXPIRY = 7


# --- Update campaigns ---------------------------------------------------------------------


def recipient_for(structure: Structure) -> str:
    """The structure's network referent, else another contact, else its generic address."""
    contacts = sorted(
        (c for c in structure.contacts.all() if c.courriel and not c.is_archived),
        key=lambda c: (not c.referent_numerique, c.pk),
    )
    return contacts[0].courriel if contacts else structure.courriel


def _send_verification(verification: Verification, *, reminder: bool) -> None:
    mail.send(
        "reseau/emails/verification",
        to=verification.destinataire,
        context={
            "verification": verification,
            "reminder": reminder,
            "verification_url": mail.absolute_url("reseau:verification", verification.token),
        },
    )


@transaction.atomic
def open_campaign(*, titre: str, message: str = "", actor) -> Campagne:
    campagne = audited_save(Campagne(titre=titre, message=message, opened_by=actor), actor=actor)
    now = timezone.now()
    for structure in Structure.objects.active().prefetch_related("contacts"):
        address = recipient_for(structure)
        verification = Verification.objects.create(
            campagne=campagne,
            structure=structure,
            destinataire=address,
            sent_at=now if address else None,
        )
        _send_verification(verification, reminder=False)
    return campagne


@transaction.atomic
def send_campaign_reminders(*, campagne: Campagne, actor) -> int:
    pending = (
        campagne.verifications.select_for_update()
        .filter(resultat="")
        .exclude(destinataire="")
        .select_related("structure", "campagne")
    )
    now = timezone.now()
    reminded = 0
    for verification in pending:
        verification.reminded_at = now
        verification.reminders += 1
        verification.save(update_fields=["reminded_at", "reminders"])
        _send_verification(verification, reminder=True)
        reminded += 1
    log_event(
        actor=actor,
        action="reseau.campagne.reminded",
        target=campagne,
        changes={"relances": reminded},
    )
    return reminded


@transaction.atomic
def close_campaign(*, campagne: Campagne, actor) -> None:
    campagne.closed_at = timezone.now()
    audited_save(campagne, actor=actor)


def _mark_lieux_checked(structure: Structure, *, except_pks=()) -> None:
    """The structure's contact has just checked its record: its lieux' facts are as of today,
    which is what the national standard's `date_maj` says."""
    lieux = structure.lieux.active().exclude(pk__in=except_pks)
    for lieu in lieux.exclude(date_maj=timezone.localdate()):
        lieu.mark_updated()
        audited_save(lieu, actor=None)


@transaction.atomic
def confirm_record(*, verification: Verification) -> None:
    verification.resultat = EtatVerification.CONFIRMEE
    verification.answered_at = timezone.now()
    verification.changed_fields = []
    audited_save(verification, actor=None)
    _mark_lieux_checked(verification.structure)


@transaction.atomic
def correct_record(*, verification: Verification, form, lieux_formset=None) -> None:
    """Save the structure's and its lieux' corrections; nothing changed counts as a
    confirmation. Every lieu of the structure is dated today either way."""
    changed_lieux = []
    if lieux_formset is not None:
        # The formset is edit-only: save(commit=False) yields the structure's own lieux that
        # changed, never a new one, whatever the posted data says.
        lieux_formset.save(commit=False)
        changed_lieux = lieux_formset.changed_objects
    if not form.has_changed() and not changed_lieux:
        confirm_record(verification=verification)
        return
    changed = []
    if form.has_changed():
        audited_form_save(form, actor=None)
        changed += list(form.changed_data)
    for lieu, fields in changed_lieux:
        lieu.mark_updated()
        audited_save(lieu, actor=None)
        changed += [f"{lieu.nom} : {name}" for name in fields]
    _mark_lieux_checked(verification.structure, except_pks=[lieu.pk for lieu, _ in changed_lieux])
    verification.resultat = EtatVerification.MISE_A_JOUR
    verification.answered_at = timezone.now()
    verification.changed_fields = changed
    audited_save(verification, actor=None)


# --- Network meetings ---------------------------------------------------------------------


def _send_invitation(invitation: Invitation) -> None:
    reunion = invitation.reunion
    mail.send(
        "reseau/emails/invitation",
        to=invitation.contact.courriel,
        context={
            "invitation": invitation,
            "reunion": reunion,
            "where": ", ".join(filter(None, [str(reunion.lieu or ""), reunion.lieu_precision])),
            "rsvp_url": mail.absolute_url("reseau:rsvp", invitation.token),
        },
    )


@transaction.atomic
def invite(*, reunion: Reunion, contacts, actor) -> int:
    """Invite the contacts not yet invited (those with an e-mail address) and e-mail them."""
    already = set(reunion.invitations.values_list("contact_id", flat=True))
    now = timezone.now()
    invited = 0
    for contact in contacts:
        if contact.pk in already or not contact.courriel:
            continue
        invitation = Invitation.objects.create(reunion=reunion, contact=contact, sent_at=now)
        invitation.reunion = reunion
        _send_invitation(invitation)
        invited += 1
    log_event(
        actor=actor,
        action="reseau.reunion.invited",
        target=reunion,
        changes={"invitations": invited},
    )
    return invited


@transaction.atomic
def rsvp(*, invitation: Invitation, reponse: str) -> None:
    invitation.reponse = Reponse(reponse)
    invitation.answered_at = timezone.now()
    audited_save(invitation, actor=None)


def attach_report(*, reunion: Reunion, name: str, content, actor, action: str, changes: dict):
    """Attach a report file to a network meeting, with its audit event in the same transaction.
    The app that made the report names the action: the réseau does not know who reports."""
    with transaction.atomic():
        reunion.rapport.save(name, content, save=False)
        reunion.save(update_fields=["rapport"])
        log_event(actor=actor, action=action, target=reunion, changes=changes)


@transaction.atomic
def record_attendance(*, reunion: Reunion, present_contact_ids, actor) -> None:
    """Mark who came; people present without an invitation get one (not e-mailed)."""
    present = set(int(pk) for pk in present_contact_ids)
    for contact in Contact.objects.filter(pk__in=present).exclude(invitations__reunion=reunion):
        Invitation.objects.create(reunion=reunion, contact=contact)
    reunion.invitations.filter(contact_id__in=present).update(present=True)
    reunion.invitations.exclude(contact_id__in=present).update(present=False)
    log_event(
        actor=actor,
        action="reseau.reunion.attendance",
        target=reunion,
        changes={"presents": len(present)},
    )


# --- Orientations -------------------------------------------------------------------------


def _prescripteur_emails(structure: Structure) -> list[str]:
    users = structure.users.filter(is_active=True, role=Role.PRESCRIPTEUR)
    return [u.email for u in users if u.email]


def _structure_addresses(structure: Structure) -> list[str]:
    """Who hears about a structure's orientations: its prescripteurs, else its address."""
    emails = _prescripteur_emails(structure)
    return emails or ([structure.courriel] if structure.courriel else [])


def _orientation_link(orientation) -> str:
    return mail.absolute_url("reseau:orientation_detail", orientation.pk)


def _answer_link(orientation) -> str:
    """The link the receiving side answers from. Its prescripteurs log in (the answer is then
    theirs by name, and the person's details stay behind a login); a structure without an
    account cannot log in, so its address gets the orientation's own answer link, which works
    only until the orientation is answered or expires."""
    if _prescripteur_emails(orientation.structure_destination):
        return _orientation_link(orientation)
    return mail.absolute_url("reseau:orientation_reponse", orientation.answer_token)


@transaction.atomic
def send_orientation(*, form, actor) -> Orientation:
    orientation = form.save(commit=False)
    orientation.created_by = actor
    orientation.consent_at = timezone.now()
    audited_save(orientation, actor=actor)
    # Never any personal data in an e-mail about an orientation: only a link to the record.
    mail.send(
        "reseau/emails/orientation_nouvelle",
        to=_structure_addresses(orientation.structure_destination),
        context={"orientation": orientation, "answer_url": _answer_link(orientation)},
    )
    return orientation


@transaction.atomic
def answer_orientation(
    *, orientation: Orientation, accept: bool, motif: str = "", actor, by_link: bool = False
) -> Orientation:
    """Validate or refuse; raises ValueError when it was answered meanwhile or has expired.
    `by_link`: answered from the e-mailed answer link, without an account (actor is None)."""
    orientation = Orientation.objects.select_for_update().get(pk=orientation.pk)
    if accept:
        orientation.accept(by=actor)
    else:
        orientation.refuse(by=actor, motif=motif)
    audited_save(orientation, actor=actor)
    log_event(
        actor=actor,
        action="reseau.orientation.answered",
        target=orientation,
        changes={"etat": orientation.etat, "canal": "lien" if by_link else "compte"},
    )
    _notify_sender(orientation)
    return orientation


def _notify_sender(orientation: Orientation) -> None:
    to = _structure_addresses(orientation.structure_origine)
    if orientation.created_by and orientation.created_by.is_active:
        to.append(orientation.created_by.email)
    mail.send(
        "reseau/emails/orientation_etat",
        to=to,
        context={"orientation": orientation, "orientation_url": _orientation_link(orientation)},
    )


def remind_expire_anonymise(now: datetime.datetime | None = None) -> dict[str, int]:
    """The daily job: remind the receiving side before expiry, expire the overdue, anonymise the
    closed ones past the retention delay. Each step in its own transaction."""
    now = now or timezone.now()
    counts = {"relancees": 0, "expirees": 0, "anonymisees": 0}
    delay = datetime.timedelta(days=settings.ORIENTATION_EXPIRY_DAYS)
    reminder_from = now - delay + datetime.timedelta(days=REMINDER_DAYS_BEFORE_EXPIRY)

    with transaction.atomic():
        for orientation in (
            Orientation.objects.overdue(now)
            .select_for_update(of=("self",))
            .select_related("created_by")
        ):
            orientation.expire()
            audited_save(orientation, actor=None)
            _notify_sender(orientation)
            counts["expirees"] += 1

    with transaction.atomic():
        due = Orientation.objects.select_for_update().filter(
            etat=EtatOrientation.OUVERTE, reminded_at__isnull=True, created_at__lte=reminder_from
        )
        for orientation in due.select_related("structure_destination", "structure_origine"):
            orientation.reminded_at = now
            orientation.save(update_fields=["reminded_at"])
            log_event(actor=None, action="reseau.orientation.reminded", target=orientation)
            mail.send(
                "reseau/emails/orientation_rappel",
                to=_structure_addresses(orientation.structure_destination),
                context={"orientation": orientation, "answer_url": _answer_link(orientation)},
            )
            counts["relancees"] += 1

    with transaction.atomic():
        for orientation in Orientation.objects.to_anonymise(now).select_for_update():
            orientation.anonymise()
            audited_save(orientation, actor=None)
            counts["anonymisees"] += 1
    return counts


def structures_present(reunion: Reunion):
    return Structure.objects.filter(
        Q(contacts__invitations__reunion=reunion) & Q(contacts__invitations__present=True)
    ).distinct()
