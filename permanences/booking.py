"""Schedule services: slot occurrences computed from the recurring permanences, public bookings
(capacity enforced under a row lock), the conseiller's statuses, reminders and the purge.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import BooleanField, Count, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion import mail, phones, reach
from poitiers_inclusion.audit import log_event
from poitiers_inclusion.claims import claim_once
from poitiers_inclusion.dates import reminder_days
from poitiers_inclusion.errors import ServiceError
from poitiers_inclusion.holidays import holidays_between

from .enums import ModePermanence
from .models import (
    STATUTS_ACTIFS,
    Creneau,
    Fermeture,
    Permanence,
    RendezVous,
    StatutRendezVous,
)

PURGE_AFTER_DAYS = 30
SHORTEST_APPOINTMENT = 5  # minutes


# --- Occurrences --------------------------------------------------------------------------------


@dataclass
class Occurrence:
    """A permanence on one day, with what cancels it, if anything: a closure or a public holiday."""

    permanence: Permanence
    date: datetime.date
    fermeture: Fermeture | None = None
    booked: int = 0
    rendez_vous: list = field(default_factory=list)
    holiday: str = ""

    @property
    def closed(self) -> bool:
        return self.fermeture is not None or bool(self.holiday)

    @property
    def closed_message(self) -> str:
        """Why the slot is closed, in words for the public."""
        if self.fermeture is not None:
            return self.fermeture.message
        if self.holiday:
            return f"jour férié ({self.holiday})"
        return ""

    @property
    def bookable(self) -> bool:
        return self.permanence.mode == ModePermanence.SUR_RDV and not self.closed

    @property
    def capacity(self) -> int:
        """The appointments the slot really offers: one per appointment time (a capacity saved
        larger than the hours allow never advertises places that cannot be booked)."""
        return len(slot_times(self.permanence))

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.permanence.start_time))

    @property
    def ends_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.date, self.permanence.end_time))


def dates_of(permanence: Permanence, start: datetime.date, end: datetime.date):
    """The days between start and end (inclusive) when the permanence is held, closures aside."""
    first = max(start, permanence.valid_from)
    last = min(end, permanence.valid_until) if permanence.valid_until else end
    if first > last:
        return
    day = first + datetime.timedelta(days=(permanence.weekday - first.weekday()) % 7)
    while day <= last:
        yield day
        day += datetime.timedelta(days=7)


def closures_for(permanences: Iterable[Permanence], start, end) -> list[Fermeture]:
    permanences = list(permanences)
    return list(
        Fermeture.objects.overlapping(start, end).filter(
            Q(permanence__in=[p.pk for p in permanences])
            | Q(lieu__in={p.lieu_id for p in permanences})
        )
    )


def occurrences(
    permanences: Iterable[Permanence],
    start: datetime.date,
    end: datetime.date,
    *,
    with_bookings: bool = False,
) -> list[Occurrence]:
    """Every occurrence of the permanences between start and end (inclusive), in time order.

    Closed occurrences are kept, with their closure, so that pages can show the message; callers
    that count open slots skip `closed` ones. `with_bookings` fills the booked count per slot.
    Public holidays close the recurring permanences; a one-off slot is opened on purpose, so a
    one-off slot on a holiday stays open.
    """
    permanences = list(permanences)
    if not permanences or start > end:
        return []
    by_permanence, by_lieu = defaultdict(list), defaultdict(list)
    for closure in closures_for(permanences, start, end):
        if closure.permanence_id:
            by_permanence[closure.permanence_id].append(closure)
        else:
            by_lieu[closure.lieu_id].append(closure)
    holidays = holidays_between(start, end)
    result = []
    for permanence in permanences:
        # The first closure listed that covers each day: walk each closure's own days (weekly
        # steps) rather than every closure for every day; years of closures stay quick.
        closed = {}
        for closure in by_permanence[permanence.pk] + by_lieu[permanence.lieu_id]:
            for day in dates_of(permanence, max(start, closure.start_date), closure.end_date):
                closed.setdefault(day, closure)
        for day in dates_of(permanence, start, end):
            closure = closed.get(day)
            holiday = "" if permanence.is_one_off else holidays.get(day, "")
            result.append(Occurrence(permanence, day, closure, holiday=holiday))
    if with_bookings:
        _fill_bookings(result, start, end)
    result.sort(key=lambda o: (o.date, o.permanence.start_time, o.permanence.lieu_id))
    return result


def public_occurrences(
    start: datetime.date,
    end: datetime.date,
    *,
    quartier=None,
    lieux=None,
    commune: str | None = None,
    now: datetime.datetime | None = None,
) -> list[Occurrence]:
    """What the public is shown from start to end: every occurrence of the permanences of the
    open lieux (of a quartier, some lieux, a commune), closed ones included with their reason,
    except those of today that are over. The public schedule, the front door and the feeds read
    this."""
    permanences = (
        Permanence.objects.filter(lieu__archived_at__isnull=True, valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .select_related("lieu__quartier")
    )
    if quartier is not None:
        permanences = permanences.filter(lieu__quartier=quartier)
    if lieux is not None:
        permanences = permanences.filter(lieu__in=lieux)
    if commune is not None:
        permanences = permanences.filter(lieu__commune=commune)
    now = timezone.localtime(now)
    return [
        o
        for o in occurrences(permanences, start, end, with_bookings=True)
        if not (o.date == now.date() and o.permanence.end_time <= now.time())
    ]


def _fill_bookings(items: list[Occurrence], start, end) -> None:
    bookable = {o.permanence.pk for o in items if o.permanence.mode == ModePermanence.SUR_RDV}
    if not bookable:
        return
    counts = {
        (row["permanence_id"], row["date"]): row["n"]
        for row in Creneau.objects.filter(permanence__in=bookable, date__range=(start, end))
        .values("permanence_id", "date")
        .annotate(n=Count("rendez_vous", filter=Q(rendez_vous__statut__in=STATUTS_ACTIFS)))
    }
    for o in items:
        o.booked = counts.get((o.permanence.pk, o.date), 0)


def occurrence_on(permanence: Permanence, day: datetime.date) -> Occurrence | None:
    """The occurrence of this permanence on that day, or None when it is not held that day."""
    found = occurrences([permanence], day, day, with_bookings=True)
    return found[0] if found else None


# --- Booking ------------------------------------------------------------------------------------


class BookingError(ServiceError):
    """A booking that cannot be made; the message is written for the resident."""


def slot_times(permanence: Permanence) -> list[datetime.time]:
    """The appointment times of a bookable slot: its hours shared equally by its capacity."""
    if not permanence.capacity:
        return []
    start = datetime.datetime.combine(datetime.date.min, permanence.start_time)
    end = datetime.datetime.combine(datetime.date.min, permanence.end_time)
    minutes = int((end - start).total_seconds() // 60)
    step = max(minutes // permanence.capacity // 5 * 5, SHORTEST_APPOINTMENT)
    times = []
    for n in range(permanence.capacity):
        at = start + datetime.timedelta(minutes=n * step)
        if at >= end:
            break
        times.append(at.time())
    return times


def free_times(occurrence: Occurrence, *, now: datetime.datetime | None = None):
    """The times still free on this occurrence (and not already past)."""
    taken = set(
        RendezVous.objects.actifs()
        .filter(creneau__permanence=occurrence.permanence, creneau__date=occurrence.date)
        .values_list("heure", flat=True)
    )
    now = timezone.localtime(now or timezone.now())
    times = [t for t in slot_times(occurrence.permanence) if t not in taken]
    if occurrence.date == now.date():
        times = [t for t in times if t > now.time()]
    return times


def check_bookable(occurrence: Occurrence | None, *, now=None) -> None:
    today = timezone.localdate(now or timezone.now())
    if occurrence is None:
        raise BookingError("Cette permanence n'a pas lieu ce jour-là.")
    if occurrence.permanence.mode != ModePermanence.SUR_RDV:
        raise BookingError("Cette permanence est sans rendez-vous : venez directement.")
    if occurrence.closed:
        raise BookingError(f"Cette permanence est fermée ce jour-là : {occurrence.closed_message}")
    if occurrence.date < today:
        raise BookingError("Cette date est passée.")


MAX_UPCOMING_PER_CONTACT = 3


def _check_contact_limit(*, telephone: str, email: str, today: datetime.date) -> None:
    """One person (a phone number or an e-mail) holds at most a few upcoming bookings, so that
    nobody (nor any robot) can take every place of the week."""
    same = Q(phone_number=phones.key(telephone)) if telephone else Q()
    if email:
        same |= Q(email__iexact=email)
    if not same:
        return
    upcoming = (
        RendezVous.objects.actifs()
        .alias(phone_number=phones.sql_key("telephone"))
        .filter(same, creneau__date__gte=today)
        .count()
    )
    if upcoming >= MAX_UPCOMING_PER_CONTACT:
        raise BookingError(
            f"Vous avez déjà {upcoming} rendez-vous à venir : venez à l'un d'eux, ou annulez-en un "
            "avec le lien reçu, avant d'en prendre un autre.",
            field="telephone" if telephone else "email",
        )


def book(
    *,
    permanence: Permanence,
    day: datetime.date,
    heure: datetime.time,
    nom: str,
    telephone: str = "",
    email: str = "",
    besoin: str,
    precision: str = "",
    now: datetime.datetime | None = None,
) -> RendezVous:
    """Book a time on a slot, then send the confirmation e-mail.

    The slot's row is locked (`select_for_update`) while places are counted, so two people
    booking at the same moment are served one after the other and never exceed the capacity.
    """
    now = now or timezone.now()
    with transaction.atomic():
        permanence = Permanence.objects.get(pk=permanence.pk)
        occurrence = occurrence_on(permanence, day)
        check_bookable(occurrence, now=now)
        Creneau.objects.bulk_create(
            [Creneau(permanence=permanence, date=day)], ignore_conflicts=True
        )
        creneau = Creneau.objects.select_for_update().get(permanence=permanence, date=day)
        taken = set(creneau.rendez_vous.actifs().values_list("heure", flat=True))
        if len(taken) >= (permanence.capacity or 0):
            raise BookingError("Ce créneau est complet. Choisissez un autre jour.")
        if heure not in slot_times(permanence):
            raise BookingError("Choisissez un des horaires proposés.", field="heure")
        if heure in taken:
            raise BookingError(
                "Cet horaire vient d'être réservé par quelqu'un d'autre. Choisissez-en un autre.",
                field="heure",
            )
        if day == timezone.localdate(now) and heure <= timezone.localtime(now).time():
            raise BookingError("Cet horaire est déjà passé.", field="heure")
        _check_contact_limit(telephone=telephone, email=email, today=timezone.localdate(now))
        rendez_vous = RendezVous.objects.create(
            creneau=creneau,
            heure=heure,
            nom=nom,
            telephone=telephone,
            email=email,
            besoin=besoin,
            precision=precision,
            consent_at=now,
        )
        log_event(actor=None, action="permanences.rendezvous.created", target=rendez_vous)
    if rendez_vous.email:
        send_booking_email(rendez_vous, "confirmation")
    return rendez_vous


@transaction.atomic
def cancel(*, rendez_vous: RendezVous, actor=None, now=None) -> None:
    """Cancel a booking (by its link, or by the staff): the place is free again."""
    rendez_vous = RendezVous.objects.select_for_update().get(pk=rendez_vous.pk)
    if rendez_vous.statut != StatutRendezVous.CONFIRME:
        raise BookingError("Ce rendez-vous ne peut plus être annulé.")
    rendez_vous.statut = StatutRendezVous.ANNULE
    rendez_vous.cancelled_at = now or timezone.now()
    rendez_vous.save(update_fields=["statut", "cancelled_at"])
    log_event(actor=actor, action="permanences.rendezvous.cancelled", target=rendez_vous)


def can_cancel(rendez_vous: RendezVous, *, now=None) -> bool:
    today = timezone.localdate(now or timezone.now())
    return rendez_vous.statut == StatutRendezVous.CONFIRME and rendez_vous.date >= today


@transaction.atomic
def set_status(*, rendez_vous: RendezVous, statut: str, actor) -> RendezVous:
    """The conseiller marks a booking arrived, seen or absent (or back to confirmed)."""
    allowed = {
        StatutRendezVous.CONFIRME,
        StatutRendezVous.ARRIVE,
        StatutRendezVous.VU,
        StatutRendezVous.ABSENT,
    }
    if statut not in allowed:
        raise BookingError("Statut inconnu.")
    if rendez_vous.statut == StatutRendezVous.ANNULE:
        raise BookingError("Ce rendez-vous a été annulé.")
    before = rendez_vous.statut
    rendez_vous.statut = statut
    rendez_vous.save(update_fields=["statut"])
    log_event(
        actor=actor,
        action="permanences.rendezvous.status_changed",
        target=rendez_vous,
        changes={"statut": [before, statut]},
    )
    return rendez_vous


def mediation_url(rendez_vous: RendezVous) -> str:
    """The log form, pre-filled with this booking's place, slot and day."""
    permanence = rendez_vous.creneau.permanence
    query = urlencode(
        {
            "lieu": permanence.lieu_id,
            "permanence": permanence.pk,
            "date": rendez_vous.date.isoformat(),
            "booking": rendez_vous.pk,
        }
    )
    return f"{reverse('permanences:log')}?{query}"


@transaction.atomic
def attach_mediation(*, rendez_vous_id, mediation, actor) -> RendezVous | None:
    """Link a booking to the médiation logged for it (called by the log form with `?booking=`).

    Only a booking of the same permanence and day that the actor may see is linked; anything else
    is ignored, so a forged parameter never attaches a stranger's booking.
    """
    rendez_vous = (
        RendezVous.objects.visible_for(actor)
        .select_for_update(of=("self",))
        .filter(pk=rendez_vous_id, creneau__date=mediation.date)
        .first()
    )
    if rendez_vous is None or (
        mediation.permanence_id and rendez_vous.creneau.permanence_id != mediation.permanence_id
    ):
        return None
    rendez_vous.mediation = mediation
    if rendez_vous.statut in (StatutRendezVous.CONFIRME, StatutRendezVous.ARRIVE):
        rendez_vous.statut = StatutRendezVous.VU
    rendez_vous.save(update_fields=["mediation", "statut"])
    log_event(actor=actor, action="permanences.rendezvous.mediation_linked", target=rendez_vous)
    return rendez_vous


def weekly_hours_by_lieu(lieu_ids) -> dict[int, float]:
    """Drop-in hours per week at each Lieu that has recurring permanences in force today: the
    coverage matrix's figure (registered with reseau.hours in PermanencesConfig.ready)."""
    totals: dict[int, float] = {}
    # The ids as one array parameter: a region's thousands of places in an IN list cost Django
    # more than PostgreSQL's answer.
    among = RawSQL(
        f'"{Permanence._meta.db_table}"."lieu_id" = ANY(%s)',
        ([int(pk) for pk in lieu_ids],),
        output_field=BooleanField(),
    )
    slots = (
        Permanence.objects.active_on(timezone.localdate())
        .filter(among, is_one_off=False)
        .values_list("lieu_id", "start_time", "end_time")
    )
    for lieu_id, start, end in slots:
        minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        totals[lieu_id] = totals.get(lieu_id, 0) + minutes / 60
    return totals


# --- E-mails, reminders and purge ---------------------------------------------------------------


def send_booking_email(rendez_vous: RendezVous, kind: str) -> None:
    """kind: "confirmation" or "rappel". Plain-text e-mail with the cancellation link; a
    reminder also reaches a person without e-mail, by text message or by the team's call
    (poitiers_inclusion.reach)."""
    permanence = rendez_vous.creneau.permanence
    template = f"permanences/emails/{kind}"
    context = {
        "rdv": rendez_vous,
        "permanence": permanence,
        "lieu": permanence.lieu,
        "cancel_url": mail.absolute_url("permanences:booking_cancel", rendez_vous.token),
    }
    if kind != "rappel":
        mail.send(template, to=rendez_vous.email, context=context)
        return
    reach.tell(
        template,
        email=rendez_vous.email,
        phone=rendez_vous.telephone,
        name=rendez_vous.nom,
        context=context,
        about=rendez_vous,
        app="permanences",
        reason="Rappel du rendez-vous",
        due_by=rendez_vous.creneau.date,
    )


def send_reminders(*, today: datetime.date | None = None, dry_run: bool = False) -> int:
    """Remind the bookings of tomorrow and the day after (e-mail, text message or a call to
    make), once each (claims.claim_once: two runs at the same time never remind one booking
    twice); return how many were reminded."""
    due = RendezVous.objects.filter(
        statut=StatutRendezVous.CONFIRME,
        creneau__date__in=reminder_days(today or timezone.localdate()),
    ).exclude(email="", telephone="")
    return claim_once(
        due.select_related("creneau__permanence__lieu"),
        field="reminder_sent_at",
        action=lambda rendez_vous: send_booking_email(rendez_vous, "rappel"),
        dry_run=dry_run,
    )


def purge_bookings(*, today: datetime.date | None = None, dry_run: bool = False) -> int:
    """Empty the name and contact of bookings whose slot is more than 30 days old."""
    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=PURGE_AFTER_DAYS)
    old = RendezVous.objects.filter(creneau__date__lt=limit, purged_at__isnull=True)
    if dry_run:
        return old.count()
    purged = 0
    with transaction.atomic():
        for rendez_vous in old.select_for_update(of=("self",)):
            rendez_vous.purge()
            rendez_vous.save(update_fields=[*RendezVous.PERSONAL_FIELDS, "purged_at"])
            log_event(actor=None, action="permanences.rendezvous.purged", target=rendez_vous)
            purged += 1
    return purged
