"""Writes of the network's life that touch several records or send e-mails: update campaigns,
meeting invitations and attendance, orientations and their reminders, expiry and anonymisation."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.audit import audited_form_save, audited_save, log_event
from poitiers_inclusion.enums import Role

from .enums import EtatOrientation, EtatVerification, Reponse
from .models import Campagne, Contact, Invitation, Orientation, Reunion, Structure, Verification

REMINDER_DAYS_BEFORE_EXPIRY = 7


def absolute(url_name: str, *args) -> str:
    return settings.SITE_URL + reverse(url_name, args=args)


def _send(messages: list[EmailMessage]) -> None:
    if messages:
        get_connection().send_messages(messages)


def _mail(subject: str, body: str, to: list[str]) -> EmailMessage:
    return EmailMessage(f"[{settings.CITY_NAME}] {subject}", body, to=sorted(set(to)))


# --- Update campaigns ---------------------------------------------------------------------


def recipient_for(structure: Structure) -> str:
    """The structure's network referent, else another contact, else its generic address."""
    contacts = sorted(
        (c for c in structure.contacts.all() if c.courriel and not c.is_archived),
        key=lambda c: (not c.referent_numerique, c.pk),
    )
    return contacts[0].courriel if contacts else structure.courriel


def _campaign_mail(verification: Verification, reminder: bool) -> EmailMessage:
    campagne = verification.campagne
    prefix = "Relance : " if reminder else ""
    body = (
        f"Bonjour,\n\n"
        f"La Ville de {settings.CITY_NAME} met à jour l'annuaire du réseau d'inclusion numérique "
        f"({campagne.titre}).\n\n"
        f"Pouvez-vous vérifier la fiche de « {verification.structure.nom} » ? Un clic suffit si "
        f"elle est exacte ; sinon, corrigez-la directement :\n"
        f"{absolute('reseau:verification', verification.token)}\n\n"
        + (f"{campagne.message}\n\n" if campagne.message else "")
        + "Merci pour votre aide,\nLa coordination de l'inclusion numérique"
    )
    return _mail(
        f"{prefix}mise à jour de la fiche {verification.structure.nom}",
        body,
        [verification.destinataire],
    )


@transaction.atomic
def open_campaign(*, titre: str, message: str = "", actor) -> Campagne:
    campagne = audited_save(Campagne(titre=titre, message=message, opened_by=actor), actor=actor)
    now = timezone.now()
    mails = []
    for structure in Structure.objects.active().prefetch_related("contacts"):
        address = recipient_for(structure)
        verification = Verification.objects.create(
            campagne=campagne,
            structure=structure,
            destinataire=address,
            sent_at=now if address else None,
        )
        if address:
            mails.append(_campaign_mail(verification, reminder=False))
    _send(mails)
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
    mails = []
    for verification in pending:
        verification.reminded_at = now
        verification.reminders += 1
        verification.save(update_fields=["reminded_at", "reminders"])
        mails.append(_campaign_mail(verification, reminder=True))
    log_event(
        actor=actor,
        action="reseau.campagne.reminded",
        target=campagne,
        changes={"relances": len(mails)},
    )
    _send(mails)
    return len(mails)


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


def _invitation_mail(invitation: Invitation) -> EmailMessage:
    reunion = invitation.reunion
    where = ", ".join(filter(None, [str(reunion.lieu or ""), reunion.lieu_precision]))
    local = timezone.localtime(reunion.date)
    body = (
        f"Bonjour {invitation.contact.prenom},\n\n"
        f"Vous êtes invité(e) à la réunion du réseau d'inclusion numérique :\n"
        f"{reunion.get_type_display()} — {reunion.titre}\n"
        f"le {local:%d/%m/%Y} à {local:%H:%M}"
        + (f", {where}" if where else "")
        + "\n\n"
        + (f"Ordre du jour :\n{reunion.ordre_du_jour}\n\n" if reunion.ordre_du_jour else "")
        + "Merci d'indiquer si vous serez présent(e) :\n"
        f"{absolute('reseau:rsvp', invitation.token)}\n\n"
        "La coordination de l'inclusion numérique"
    )
    return _mail(f"Invitation : {reunion.titre}", body, [invitation.contact.courriel])


@transaction.atomic
def invite(*, reunion: Reunion, contacts, actor) -> int:
    """Invite the contacts not yet invited (those with an e-mail address) and e-mail them."""
    already = set(reunion.invitations.values_list("contact_id", flat=True))
    now = timezone.now()
    mails = []
    for contact in contacts:
        if contact.pk in already or not contact.courriel:
            continue
        invitation = Invitation.objects.create(reunion=reunion, contact=contact, sent_at=now)
        invitation.reunion = reunion
        mails.append(_invitation_mail(invitation))
    log_event(
        actor=actor,
        action="reseau.reunion.invited",
        target=reunion,
        changes={"invitations": len(mails)},
    )
    _send(mails)
    return len(mails)


@transaction.atomic
def rsvp(*, invitation: Invitation, reponse: str) -> None:
    invitation.reponse = Reponse(reponse)
    invitation.answered_at = timezone.now()
    audited_save(invitation, actor=None)


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
    return absolute("reseau:orientation_detail", orientation.pk)


def _answer_link(orientation) -> str:
    """The link the receiving side answers from. Its prescripteurs log in (the answer is then
    theirs by name, and the person's details stay behind a login); a structure without an
    account cannot log in, so its address gets the orientation's own answer link, which works
    only until the orientation is answered or expires."""
    if _prescripteur_emails(orientation.structure_destination):
        return _orientation_link(orientation)
    return absolute("reseau:orientation_reponse", orientation.answer_token)


@transaction.atomic
def send_orientation(*, form, actor) -> Orientation:
    orientation = form.save(commit=False)
    orientation.created_by = actor
    orientation.consent_at = timezone.now()
    audited_save(orientation, actor=actor)
    to = _structure_addresses(orientation.structure_destination)
    if to:
        # Never any personal data in an e-mail: only a link to the record.
        _send(
            [
                _mail(
                    "Nouvelle orientation à traiter",
                    f"Bonjour,\n\n{orientation.structure_origine} vous oriente une personne "
                    f"(besoin : {orientation.get_besoin_display()}).\n"
                    f"Merci de l'accepter ou de la refuser avant le "
                    f"{timezone.localtime(orientation.expires_at):%d/%m/%Y} :\n"
                    f"{_answer_link(orientation)}\n",
                    to,
                )
            ]
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
    if to:
        _send(
            [
                _mail(
                    f"Orientation {orientation.get_etat_display().lower()}",
                    f"Bonjour,\n\nL'orientation n°{orientation.pk} vers "
                    f"{orientation.structure_destination} est désormais "
                    f"« {orientation.get_etat_display()} ».\n{_orientation_link(orientation)}\n",
                    to,
                )
            ]
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
        mails = []
        for orientation in due.select_related("structure_destination", "structure_origine"):
            orientation.reminded_at = now
            orientation.save(update_fields=["reminded_at"])
            log_event(actor=None, action="reseau.orientation.reminded", target=orientation)
            to = _structure_addresses(orientation.structure_destination)
            if to:
                mails.append(
                    _mail(
                        "Rappel : orientation en attente de réponse",
                        f"Bonjour,\n\nL'orientation n°{orientation.pk} envoyée par "
                        f"{orientation.structure_origine} attend votre réponse ; sans réponse, "
                        f"elle expirera le {timezone.localtime(orientation.expires_at):%d/%m/%Y}."
                        f"\n{_answer_link(orientation)}\n",
                        to,
                    )
                )
            counts["relancees"] += 1
        _send(mails)

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
