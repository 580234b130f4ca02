"""Ceremonies: the devices planned for one, the donors' invitations and their answers."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion import mail
from poitiers_inclusion.audit import log_event

from ..enums import ReponseInvitation
from ..models import Attribution, Ceremonie, Donateur, InvitationCeremonie
from .devices import OrdinateurError


def households_to_equip(ceremonie: Ceremonie) -> int:
    """The households equipped at this ceremony: devices planned for it and not withdrawn
    (handed over there, or still to hand over)."""
    return (
        Attribution.objects.filter(ceremonie=ceremonie, cancelled_at__isnull=True)
        .values("demande")
        .distinct()
        .count()
    )


@transaction.atomic
def plan_for_ceremony(*, attribution: Attribution, ceremonie: Ceremonie, actor) -> Attribution:
    """A device proposed to a household will be handed over at this ceremony (counted in the
    donors' invitation)."""
    attribution = Attribution.objects.select_for_update().get(pk=attribution.pk)
    if attribution.cancelled_at or attribution.handed_over_at:
        raise OrdinateurError("Cet ordinateur n'est plus à remettre : rien n'a été prévu.")
    attribution.ceremonie = ceremonie
    attribution.save(update_fields=["ceremonie"])
    log_event(
        actor=actor,
        action="ordinateurs.attribution.planned",
        target=attribution,
        changes={"ceremonie": ceremonie.pk},
    )
    return attribution


def _send(invitation: InvitationCeremonie, households: int) -> None:
    ceremonie = invitation.ceremonie
    mail.send(
        "ordinateurs/emails/invitation_ceremonie",
        to=invitation.donateur.email,
        context={
            "ceremonie": ceremonie,
            "lieu": ceremonie.lieu,
            "donateur": invitation.donateur,
            "foyers": households,
            "answer_url": mail.absolute_url("ordinateurs:invitation_ceremonie", invitation.token),
        },
    )


@transaction.atomic
def invite_donors(*, ceremonie: Ceremonie, actor, donateur: Donateur | None = None) -> int:
    """E-mail the invitation to the ceremony's donors who have not had it yet, or again to
    `donateur` ("Relancer"). Returns how many e-mails were queued. The ceremony's row is
    locked, so two clicks at once never send twice."""
    ceremonie = Ceremonie.objects.select_for_update().select_related("lieu").get(pk=ceremonie.pk)
    now = timezone.now()
    if now >= ceremonie.date:
        raise OrdinateurError("La cérémonie a commencé : il est trop tard pour inviter.")
    donors = ceremonie.donateurs.exclude(email="")
    if donateur is not None:
        donors = donors.filter(pk=donateur.pk)
    else:
        donors = donors.exclude(invitations_ceremonie__ceremonie=ceremonie)
    households = households_to_equip(ceremonie)
    sent = 0
    for donor in donors.order_by("nom"):
        invitation, created = InvitationCeremonie.objects.get_or_create(
            ceremonie=ceremonie, donateur=donor, defaults={"sent_at": now}
        )
        if not created:
            invitation.sent_at, invitation.nb_envois = now, invitation.nb_envois + 1
            invitation.save(update_fields=["sent_at", "nb_envois"])
        invitation.ceremonie = ceremonie
        _send(invitation, households)
        log_event(
            actor=actor,
            action="ordinateurs.invitation_ceremonie.sent",
            target=invitation,
            changes={"envoi": invitation.nb_envois},
        )
        sent += 1
    return sent


@transaction.atomic
def answer_invitation(
    *, invitation: InvitationCeremonie, vient: bool, nb_personnes: int | None
) -> InvitationCeremonie:
    """The donor's answer, given through the link (a new answer replaces the previous one)."""
    invitation = (
        InvitationCeremonie.objects.select_for_update()
        .select_related("ceremonie")
        .get(pk=invitation.pk)
    )
    if not invitation.answerable(timezone.now()):
        raise OrdinateurError("La cérémonie a commencé : la réponse n'est plus possible.")
    invitation.reponse = ReponseInvitation.VIENT if vient else ReponseInvitation.NE_VIENT_PAS
    invitation.nb_personnes = nb_personnes if vient else None
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["reponse", "nb_personnes", "answered_at"])
    log_event(
        actor=None,
        action="ordinateurs.invitation_ceremonie.answered",
        target=invitation,
        changes={"reponse": invitation.reponse, "nb_personnes": invitation.nb_personnes},
    )
    return invitation


def uninvited_donors(ceremonie: Ceremonie):
    """The ceremony's donors not yet invited (with an e-mail), and those without one."""
    pending = ~Q(invitations_ceremonie__ceremonie=ceremonie)
    donors = ceremonie.donateurs.filter(pending)
    return donors.exclude(email=""), donors.filter(email="")
