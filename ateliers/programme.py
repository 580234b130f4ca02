"""The public programme of the workshops: which sessions the public is shown, with the places left
and whether online registration is open. The programme page, the front door and the feeds read it."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import Seance

PROGRAMME_DAYS = 92  # about three months


def has_started(seance: Seance, now: datetime.datetime) -> bool:
    now = timezone.localtime(now)
    return seance.date < now.date() or (
        seance.date == now.date() and seance.start_time <= now.time()
    )


def closed_reason(seance: Seance, now: datetime.datetime) -> str:
    """Why a resident cannot register online for this session ("" when they can)."""
    if seance.is_cancelled:
        return "Cette séance est annulée."
    if has_started(seance, now):
        return "Cette séance a déjà eu lieu ou a commencé : choisissez-en une autre."
    if not seance.inscription_en_ligne:
        return (
            "L'inscription en ligne n'est pas ouverte pour cette séance : "
            "renseignez-vous auprès du lieu."
        )
    return ""


def period(now: datetime.datetime, end: datetime.date | None = None) -> QuerySet:
    """The sessions from now to `end` (the programme's three months by default), cancelled ones
    included; those of today already over are left out. `now` is local time."""
    today = now.date()
    end = end or today + datetime.timedelta(days=PROGRAMME_DAYS)
    return Seance.objects.filter(date__range=(today, end)).exclude(
        date=today, end_time__lte=now.time()
    )


# What a calendar event reads of a session (feeds.seance_events): a national programme's feed
# holds thousands of sessions, and building whole lieux for them costs more than the rest.
FEED_FIELDS = (
    "date",
    "start_time",
    "end_time",
    "capacite",
    "inscription_en_ligne",
    "cancelled_at",
    "motif_annulation",
    "module__titre",
    "module__niveau",
    "lieu__nom",
    "lieu__adresse",
    "lieu__complement_adresse",
    "lieu__code_postal",
    "lieu__commune",
)


def listed(
    seances: QuerySet,
    now: datetime.datetime,
    *,
    limit: int | None = None,
    fields: tuple[str, ...] = (),
) -> list:
    """The sessions in time order, each with `places_left`, `started` and `open_online`, in a
    fixed number of queries however many there are. `fields` (e.g. FEED_FIELDS): only those of
    the session, its module and its lieu are read."""
    if fields:
        seances = seances.select_related("module", "lieu").only(*fields)
    else:
        seances = seances.select_related("module__parcours", "lieu__quartier")
    rows = seances.with_counts().order_by("date", "start_time", "pk")
    rows = list(rows[:limit] if limit else rows)
    for seance in rows:
        seance.places_left = max(seance.capacite - seance.nb_inscrits, 0)
        seance.started = has_started(seance, now)
        seance.open_online = not closed_reason(seance, now)
    return rows


def lieu_archive_effects(lieu, today):
    """What archiving a lieu does to its workshops (reseau.referentiel.archive_effects)."""
    upcoming = Seance.objects.filter(lieu=lieu, date__gte=today, cancelled_at__isnull=True)
    return [(upcoming.count(), "atelier(s) à venir à ce lieu : déplacez-les ou annulez-les")]
