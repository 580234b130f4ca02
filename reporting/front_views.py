"""The residents' front door (`/`) and the calendars they subscribe to: what the public pages of
permanences, ateliers, ordinateurs and réseau offer, gathered in one place.

It sits in the top layer because it reads every activity app, through the small public query
function each one exposes (`permanences.booking.public_occurrences`, `ateliers.programme`,
`ordinateurs.public`), never their views.
"""

import datetime
from itertools import groupby

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ateliers import feeds as atelier_feeds
from ateliers import programme
from ateliers.models import Seance
from ordinateurs.public import referring_partners
from permanences import feeds as permanence_feeds
from permanences.booking import public_occurrences
from permanences.models import Permanence
from permanences.moves import announced_moves
from permanences.schedule_forms import PublicScheduleFilter
from poitiers_inclusion import ical
from poitiers_inclusion.perms import public
from reseau.models import Lieu

WEEK_DAYS = 7
NEXT_WORKSHOPS = 4
# A lieu's feed looks this far ahead for drop-ins (the workshops: the programme's three months).
DROP_IN_FEED_WEEKS = 8


@public
@require_GET
def home(request):
    now = timezone.localtime()
    today = now.date()
    week_end = today + datetime.timedelta(days=WEEK_DAYS - 1)
    form = PublicScheduleFilter(request.GET, with_quartier=False)
    commune = form.chosen_commune
    drop_ins = sorted(
        public_occurrences(today, week_end, now=now, commune=commune),
        key=lambda o: (o.date, o.permanence.start_time, o.permanence.lieu.nom),
    )
    days = [
        {"date": day, "occurrences": list(items)}
        for day, items in groupby(drop_ins, key=lambda o: o.date)
    ]
    seances = programme.period(now).filter(cancelled_at__isnull=True)
    if commune is not None:
        seances = seances.filter(lieu__commune=commune)
    # The next few first, then their counts (counting every session of three months first, to
    # keep four, was most of the page's queries' time nationally).
    first = seances.order_by("date", "start_time", "pk").values("pk")[:NEXT_WORKSHOPS]
    workshops = programme.listed(Seance.objects.filter(pk__in=first), now)
    return render(
        request,
        "reporting/front/home.html",
        {
            "form": form,
            "days": days,
            "moves": announced_moves(today=today, lieux=_lieux_of(commune)),
            "today": today,
            "tomorrow": today + datetime.timedelta(days=1),
            "workshops": workshops,
            "partners": referring_partners(),
            "nb_lieux": Lieu.objects.published().count(),
        },
    )


def _lieux_of(commune: str | None):
    """The lieux of the commune chosen (None: every lieu)."""
    return None if commune is None else Lieu.objects.filter(commune=commune)


def _lieux_with_events(today, commune: str | None):
    """The open lieux (of the commune chosen) that have a drop-in in force or a workshop to come."""
    permanences = Permanence.objects.filter(lieu=OuterRef("pk")).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    seances = Seance.objects.filter(lieu=OuterRef("pk"), date__gte=today)
    lieux = Lieu.objects.published()
    if commune is not None:
        lieux = lieux.filter(commune=commune)
    return (
        lieux.filter(Exists(permanences) | Exists(seances))
        .select_related("quartier")
        .order_by("quartier__nom", "nom")
    )


@public
@require_GET
def calendars(request):
    """How to subscribe, and the address of each feed (of one commune's lieux at national scale)."""
    form = PublicScheduleFilter(request.GET, with_quartier=False)
    return render(
        request,
        "reporting/front/calendars.html",
        {"form": form, "lieux": _lieux_with_events(timezone.localdate(), form.chosen_commune)},
    )


@public
@require_GET
def lieu_calendar(request, pk):
    """One lieu's drop-ins and workshops, as a calendar to subscribe to."""
    lieu = get_object_or_404(Lieu.objects.visible_for(request.user), pk=pk)
    now = timezone.localtime()
    today = now.date()
    end = today + datetime.timedelta(weeks=DROP_IN_FEED_WEEKS)
    drop_ins = public_occurrences(today, end, lieux=[lieu.pk], now=now)
    workshops = programme.listed(programme.period(now).filter(lieu=lieu), now)
    events = permanence_feeds.occurrence_events(drop_ins) + atelier_feeds.seance_events(workshops)
    name = f"{lieu.nom} — inclusion numérique {settings.CITY_NAME}"
    return ical.calendar_response(name, events, filename=f"lieu-{lieu.pk}.ics")
