"""The attendance page of the permanences: visits per lieu, permanence and month, before/after a
change of schedule, two permanences compared, and their exports.
"""

import datetime

from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from poitiers_inclusion.exports import table_response
from poitiers_inclusion.figures import Scope
from poitiers_inclusion.perms import STAFF, role_required
from poitiers_inclusion.replica import figures_connection

from .figures import attendance as figures
from .figures.last_visit import last_visit
from .figures.permanence_rows import permanence_rows
from .models import Mediation, Permanence
from .schedule_forms import AttendanceForm, BeforeAfterForm, CompareForm


def _default_period(permanences) -> tuple[datetime.date, datetime.date]:
    """Twelve months up to the last day with visits (today at most), so the page is never blank."""
    today = timezone.localdate()
    ids = [p.pk for p in permanences]
    last = last_visit(ids, today)  # from the figures store
    if last is False:  # no store: ask PostgreSQL
        visits = Mediation.objects.filter(permanence__in=ids, date__lte=today)
        last = visits.aggregate(last=Max("date"))["last"]
    last = last or today
    return figures.add_months(last, -12) + datetime.timedelta(days=1), last


def _years_with_visits() -> list[int]:
    """The years with a visit on a permanence, for the page's links: from the first one, the
    first visit of each next year (one probe of the index on permanence and date per year, not a
    pass over ten years of médiations)."""
    table = Mediation._meta.db_table
    with figures_connection().cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE visit(day) AS (
                SELECT min(date) FROM {table} WHERE permanence_id IS NOT NULL
                UNION ALL
                SELECT (SELECT min(m.date) FROM {table} m
                        WHERE m.permanence_id IS NOT NULL
                          AND m.date >= make_date(extract(year FROM visit.day)::int + 1, 1, 1))
                FROM visit WHERE visit.day IS NOT NULL
            )
            SELECT extract(year FROM day)::int FROM visit WHERE day IS NOT NULL"""
        )
        return [year for (year,) in cursor.fetchall()]


def _latest_move(permanences) -> datetime.date:
    """The last day a permanence opened or closed: the natural pivot of a before/after view."""
    today = timezone.localdate()
    dates = [p.valid_from for p in permanences if p.valid_from <= today and not p.is_one_off]
    dates += [
        p.valid_until + datetime.timedelta(days=1)
        for p in permanences
        if p.valid_until and p.valid_until < today and not p.is_one_off
    ]
    starts = sorted(set(dates))
    return starts[-1] if len(starts) > 1 else today


ATTENDANCE_COLUMNS = [
    "Créneaux tenus",
    "Créneaux fermés",
    "Passages",
    "Passages par créneau",
    "Usagers uniques",
    "Créneaux vides (%)",
]
ATTENDANCE_EXPORTS = {
    "lieux": (
        "Fréquentation par lieu",
        ["Lieu", "Quartier", *ATTENDANCE_COLUMNS, "Très peu fréquenté"],
    ),
    "permanences": ("Fréquentation par permanence", ["Permanence", *ATTENDANCE_COLUMNS]),
    "mois": ("Fréquentation par mois", ["Mois", *ATTENDANCE_COLUMNS]),
}


def _attendance_export(request, start, end, quartier, lieux, by_permanence, months):
    """One of the page's tables as CSV or Excel, its period and quartier written above it."""
    key = request.GET["export"]
    title, columns = ATTENDANCE_EXPORTS[key]

    def numbers(s):
        return [s.slots, s.closed, s.visits, s.visits_per_slot, s.usagers, s.empty_share]

    rows = {
        "lieux": (
            [
                s.label,
                str(s.extra["lieu"].quartier or ""),
                *numbers(s),
                "oui" if s.extra.get("far_below") else "",
            ]
            for s in lieux
        ),
        "permanences": ([s.label, *numbers(s)] for s in by_permanence),
        "mois": ([f"{s.extra['month']:%m/%Y}", *numbers(s)] for s in months),
    }[key]
    filters = [("Période", f"du {start:%d/%m/%Y} au {min(end, timezone.localdate()):%d/%m/%Y}")]
    if quartier:
        filters.append(("Quartier", str(quartier)))
    preamble = [[title], *[[label, value] for label, value in filters]]
    name = f"frequentation-{key}-{timezone.localdate():%Y%m%d}"
    return table_response(request.GET.get("format"), name, title, columns, rows, preamble)


# The page lists the first rows of the lieux and permanences (thousands at national scale: the
# exports give them all, the quartier narrows them); `ordre=moins`: the least visited first.
ROWS_SHOWN = 100


def _shown(rows: list, least_first: bool) -> dict:
    ordered = rows[::-1] if least_first else rows
    return {
        "rows": ordered[:ROWS_SHOWN],
        "hidden": max(len(rows) - ROWS_SHOWN, 0),
        "total": f"{len(rows):,}".replace(",", "\u202f"),  # 4 545, the French way
    }


@role_required(*STAFF)
def attendance(request):
    # Rows of values, not model instances: thousands of permanences at national scale.
    all_permanences = permanence_rows(Permanence.objects.all())
    form = AttendanceForm(request.GET or None)
    start, end = _default_period(all_permanences)
    quartier = None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        quartier = form.cleaned_data["quartier"]
    permanences = [
        p for p in all_permanences if quartier is None or p.lieu.quartier_id == quartier.pk
    ]
    # Visits and unique people from the figures store, as on the dashboard (every médiation:
    # the page is for the staff who see the whole city).
    scope = Scope(user=request.user, start=start, end=end)
    mediations = figures.mediations_for(scope)
    data = figures.Attendance(permanences, start, end, mediations, scope=scope)
    lieux = data.by_lieu()
    by_permanence = data.by_permanence()
    months = data.by_month()
    if request.GET.get("export") in ATTENDANCE_EXPORTS:
        return _attendance_export(request, start, end, quartier, lieux, by_permanence, months)

    least_first = request.GET.get("ordre") == "moins"
    focus = None
    if request.GET.get("permanence", "").isdigit():
        wanted = int(request.GET["permanence"])
        focus = Permanence.objects.select_related("lieu__quartier").filter(pk=wanted).first()
    focus_slots = []
    if focus is not None:  # its slots alone (not every slot of the period: millions nationally)
        one = figures.Attendance([focus], start, end, mediations, scope=scope)
        focus_slots = one.slots()

    initial_pivot = _latest_move(all_permanences)
    ba_form = BeforeAfterForm(
        request.GET if "pivot" in request.GET else None,
        initial={"pivot": initial_pivot, "months": 6},
    )
    before_after = None
    if ba_form.is_valid():
        chosen = all_permanences
        if ba_form.cleaned_data["ba_lieu"]:
            chosen = [p for p in chosen if p.lieu_id == ba_form.cleaned_data["ba_lieu"].pk]
        if ba_form.cleaned_data["ba_quartier"]:
            q = ba_form.cleaned_data["ba_quartier"].pk
            chosen = [p for p in chosen if p.lieu.quartier_id == q]
        before_after = figures.before_after(
            chosen, ba_form.cleaned_data["pivot"], ba_form.cleaned_data["months"], mediations, scope
        )
    compare_form = CompareForm(request.GET if "first" in request.GET else None)
    compared = None
    if compare_form.is_valid():
        first, second = compare_form.cleaned_data["first"], compare_form.cleaned_data["second"]
        compared = [
            figures.Attendance(
                [p], p.valid_from, p.valid_until or end, mediations, scope=scope
            ).total(str(p))
            for p in (first, second)
        ]
    return render(
        request,
        "permanences/attendance/attendance.html",
        {
            "form": form,
            # The page's period and quartier, so that an export gives what is on screen.
            "export_query": "".join(
                f"{urlencode({name: request.GET[name]})}&"
                for name in ("start", "end", "quartier")
                if request.GET.get(name)
            ),
            "start": start,
            "end": min(end, timezone.localdate()),
            "total": data.total(),
            "lieux": _shown(lieux, least_first),
            "permanences": _shown(by_permanence, least_first),
            "least_first": least_first,
            "rows_shown": ROWS_SHOWN,
            "order_query": urlencode(
                {k: v for k, v in request.GET.items() if k != "ordre"}
                | ({} if least_first else {"ordre": "moins"})
            ),
            "months": months,
            "max_lieu": max((s.visits_per_slot or 0 for s in lieux), default=0),
            "max_permanence": max((s.visits_per_slot or 0 for s in by_permanence), default=0),
            "max_month": max((s.visits for s in months), default=0),
            "median": lieux[0].extra.get("median") if lieux else None,
            "focus": focus,
            "today": timezone.localdate(),
            "focus_slots": focus_slots,
            "ba_form": ba_form,
            "before_after": before_after,
            "compare_form": compare_form,
            "compared": compared,
            "years": _years_with_visits(),
        },
    )
