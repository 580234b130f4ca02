"""Moving a permanence to another lieu (a little-used place relocated): one step that ends the old
permanence, opens the new one with the same hours and conseillers, carries the bookings over and
tells the people who booked; the moves the public pages announce; and what archiving a lieu
would leave without a place.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion import mail, reach
from poitiers_inclusion.audit import audited_save, log_event
from poitiers_inclusion.errors import ServiceError

from .models import Creneau, Permanence, RendezVous, StatutRendezVous

# How long the public pages announce a move after its day (it is announced from the decision on).
ANNOUNCED_AFTER = datetime.timedelta(weeks=4)


class MoveError(ServiceError):
    """A move the schedule cannot take; the message is written for the coordinator."""


@dataclass
class MoveResult:
    permanence: Permanence  # the new one
    told: dict  # channel -> how many people (reach.EMAIL, reach.SMS, reach.CALL)

    @property
    def to_call(self) -> int:
        return self.told.get(reach.CALL, 0)


def _check(old: Permanence, lieu, day: datetime.date) -> None:
    if old.is_one_off:
        raise MoveError("Un créneau ponctuel ne se déplace pas : modifiez-le directement.")
    if hasattr(old, "moved_to"):
        raise MoveError(f"Cette permanence a déjà déménagé à « {old.moved_to.lieu} ».")
    if lieu.pk == old.lieu_id:
        raise MoveError("Choisissez un autre lieu que le lieu actuel.", field="lieu")
    if lieu.is_archived:
        raise MoveError("Ce lieu est archivé : choisissez un lieu actif.", field="lieu")
    if day <= old.valid_from:
        raise MoveError(
            f"La permanence a commencé le {old.valid_from:%d/%m/%Y} : choisissez un jour "
            "suivant pour le déménagement.",
            field="day",
        )
    if old.valid_until and day > old.valid_until:
        raise MoveError(
            f"La permanence se termine le {old.valid_until:%d/%m/%Y} : choisissez un jour "
            "avant cette date.",
            field="day",
        )


@transaction.atomic
def move_permanence(*, permanence: Permanence, lieu, day: datetime.date, actor) -> MoveResult:
    """Move `permanence` to `lieu` from `day` on: it ends the day before, a new permanence with
    the same weekday, hours, mode, capacity and conseillers starts on `day`, linked to it. The
    bookings from `day` on keep their time and go with it, and each person who booked is told
    (e-mail, text message, or a call on the « À appeler » list)."""
    old = Permanence.objects.select_for_update().select_related("lieu").get(pk=permanence.pk)
    _check(old, lieu, day)
    new = Permanence(
        lieu=lieu,
        weekday=old.weekday,
        start_time=old.start_time,
        end_time=old.end_time,
        mode=old.mode,
        capacity=old.capacity,
        valid_from=day,
        valid_until=old.valid_until,
        moved_from=old,
    )
    audited_save(new, actor=actor)
    new.conseillers.set(old.conseillers.all())
    old.valid_until = day - datetime.timedelta(days=1)
    audited_save(old, actor=actor)
    # The booked days keep their row (and its lock) and follow the permanence.
    Creneau.objects.filter(permanence=old, date__gte=day).update(permanence=new)
    told: dict[str, int] = {}
    for rendez_vous in _bookings_from(new, day):
        channel = _tell(rendez_vous, old=old, new=new)
        if channel:
            told[channel] = told.get(channel, 0) + 1
    log_event(
        actor=actor,
        action="permanences.permanence.moved",
        target=old,
        changes={"to": new.pk, "lieu": lieu.pk, "day": day.isoformat()},
    )
    return MoveResult(permanence=new, told=told)


def _bookings_from(permanence: Permanence, day: datetime.date):
    return (
        RendezVous.objects.filter(
            creneau__permanence=permanence,
            creneau__date__gte=day,
            statut=StatutRendezVous.CONFIRME,
        )
        .select_related("creneau")
        .order_by("creneau__date", "heure")
    )


def _tell(rendez_vous: RendezVous, *, old: Permanence, new: Permanence) -> str:
    return reach.tell(
        "permanences/emails/demenagement",
        email=rendez_vous.email,
        phone=rendez_vous.telephone,
        name=rendez_vous.nom,
        context={
            "rdv": rendez_vous,
            "ancien_lieu": old.lieu,
            "lieu": new.lieu,
            "cancel_url": mail.absolute_url("permanences:booking_cancel", rendez_vous.token),
        },
        about=rendez_vous,
        app="permanences",
        reason="Rendez-vous : la permanence déménage",
        due_by=rendez_vous.creneau.date,
    )


def announced_moves(*, today: datetime.date | None = None, lieux=None) -> list[Permanence]:
    """The moves the public pages announce: decided, and whose day is at most four weeks
    ago, to open lieux (of `lieux` or from them when given); each new permanence with
    `moved_from` and both lieux loaded."""
    today = today or timezone.localdate()
    moves = (
        Permanence.objects.filter(
            moved_from__isnull=False,
            valid_from__gte=today - ANNOUNCED_AFTER,
            lieu__archived_at__isnull=True,
        )
        .select_related("lieu", "moved_from__lieu")
        .order_by("valid_from", "weekday", "start_time")
    )
    if lieux is not None:
        moves = moves.filter(Q(lieu__in=lieux) | Q(moved_from__lieu__in=lieux))
    return list(moves)


def lieu_archive_effects(lieu, today):
    """What archiving a lieu does to its drop-ins (reseau.referentiel.archive_effects)."""
    running = Permanence.objects.filter(lieu=lieu).active_on(today).count()
    booked = (
        RendezVous.objects.actifs()
        .filter(creneau__permanence__lieu=lieu, creneau__date__gte=today)
        .count()
    )
    return [
        (
            running,
            "permanence(s) en place à ce lieu : elles disparaissent de la page publique "
            "(déplacez-les avant, depuis la page Fréquentation)",
        ),
        (booked, "rendez-vous à venir à ce lieu : prévenez les personnes"),
    ]
