"""Figures of the drop-in schedule (attendance): the one place where they are computed.

A *slot* (créneau) is one occurrence of a permanence: its weekday within its validity dates, up
to today, minus the days a closure covers. A *visit* (passage) is one accompagnement whose
médiation names that permanence. Occurrences come from date arithmetic over the (few)
permanences; visits and unique usagers come from SQL aggregates, never from Python loops over
médiations.
"""

import calendar
import datetime
import statistics
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Max, Min
from django.db.models.functions import TruncMonth
from django.utils import timezone

from poitiers_inclusion import figures
from poitiers_inclusion.replica import figures_connection

from ..booking import occurrences
from ..models import Accompagnement, Mediation, Permanence
from ..perms import READERS
from . import activity, engine

FAR_BELOW_MEDIAN = 0.5  # a place is flagged below half the median visits per slot


@dataclass
class Stats:
    """Attendance of a group of slots (one permanence, one lieu, one month, a whole period)."""

    label: str = ""
    slots: int = 0  # occurrences held (within validity, not closed, not in the future)
    closed: int = 0  # occurrences cancelled by a closure
    empty: int = 0  # held occurrences without any visit
    visits: int = 0
    usagers: int = 0
    months: int = 0  # months with at least one slot held
    extra: dict = field(default_factory=dict)

    @property
    def visits_per_slot(self) -> float | None:
        return round(self.visits / self.slots, 1) if self.slots else None

    @property
    def empty_share(self) -> float | None:
        """Percentage of held slots without any visit."""
        return round(100 * self.empty / self.slots, 1) if self.slots else None

    @property
    def visits_per_month(self) -> float | None:
        return round(self.visits / self.months, 1) if self.months else None


# --- Selections ---------------------------------------------------------------------------------


def permanences_for(scope: figures.Scope):
    """The permanences a scope covers: its lieux and quartiers, and a conseiller's own desks."""
    qs = Permanence.objects.select_related("lieu__quartier")
    if scope.lieux:
        qs = qs.filter(lieu__in=scope.lieux)
    if scope.quartiers:
        qs = qs.filter(lieu__quartier__in=scope.quartiers)
    qs = qs.for_figures(scope.user)
    if scope.conseillers:
        qs = qs.filter(conseillers__in=scope.conseillers)
    return qs.distinct()


def mediations_for(scope: figures.Scope):
    qs = Mediation.objects.for_figures(scope.user)
    if scope.conseillers:
        qs = qs.filter(conseiller__in=scope.conseillers)
    if scope.chosen(activity.TYPE):
        qs = qs.filter(type_activite__in=scope.chosen(activity.TYPE))
    if scope.chosen(activity.THEMATIQUE):
        qs = qs.filter(thematiques__overlap=list(scope.chosen(activity.THEMATIQUE)))
    return qs


def period(scope: figures.Scope, permanences=None) -> tuple[datetime.date, datetime.date]:
    """The scope's dates, bounded by today (future slots cannot have visits yet).

    Without an end date, the period ends on the last day with a recorded visit: a history
    imported up to some date is not followed by months of "empty" slots nobody logged."""
    today = timezone.localdate()
    qs = permanences if permanences is not None else Permanence.objects.all()
    end = min(scope.end or today, today)
    if scope.end is None:
        last = engine.last_visit([p.pk for p in qs], today)
        if last is False:  # no figures store: ask PostgreSQL
            visits = Mediation.objects.filter(permanence__in=qs, date__lte=today)
            last = visits.aggregate(last=Max("date"))["last"]
        end = last or end
    start = scope.start
    if start is None:
        start = qs.aggregate(first=Min("valid_from"))["first"] or end
    return start, end


# --- Core computation ---------------------------------------------------------------------------


def _accompagnements(mediations, permanence_ids, start, end):
    return Accompagnement.objects.filter(
        mediation__in=mediations,
        mediation__permanence__in=permanence_ids,
        mediation__date__range=(start, end),
    )


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class _Slot(NamedTuple):
    pk: int
    lieu_id: int
    day: datetime.date
    month: datetime.date
    closed: bool
    visits: int


class Attendance:
    """Everything the page and the dashboard need, computed once for a set of permanences."""

    def __init__(self, permanences, start, end, mediations=None, scope=None):
        self.scope = scope  # the dashboard's (of `mediations`): visits from the figures store
        self.permanences = list(permanences)
        self.start, self.end = start, min(end, timezone.localdate())
        self.mediations = mediations if mediations is not None else Mediation.objects.all()
        ids = [p.pk for p in self.permanences]
        self.occurrences = occurrences(self.permanences, self.start, self.end)
        self._acc = _accompagnements(self.mediations, ids, self.start, self.end)
        # Visits per (permanence, day).
        self.visits_by_slot = {(r["pid"], r["day"]): r["n"] for r in self._grouping["slot"]}
        # Each occurrence as plain values, in date order: the groupings below walk these.
        self._slots = [
            _Slot(
                o.permanence.pk,
                o.permanence.lieu_id,
                o.date,
                _month(o.date),
                o.closed,
                self.visits_by_slot.get((o.permanence.pk, o.date), 0),
            )
            for o in self.occurrences
        ]
        self._days = [slot.day for slot in self._slots]

    def _sets(self) -> dict[str, list[dict]]:
        """Visits and unique usagers per slot, permanence, lieu and month and in all: one SQL
        statement (GROUPING SETS), one pass over the accompagnements."""
        qs = self._acc.annotate(
            pid=F("mediation__permanence_id"),
            day=F("mediation__date"),
            lieu=F("mediation__permanence__lieu_id"),
            month=TruncMonth("mediation__date"),
        ).values("usager_id", "pid", "day", "lieu", "month")
        result = {"slot": [], "permanence": [], "lieu": [], "month": [], "total": []}
        ids = [p.pk for p in self.permanences]
        if self.scope:
            stored = engine.attendance_sets(self.scope, ids, self.start, self.end)
            if stored is not None:
                return stored
        try:
            sql, params = qs.query.sql_with_params()
        except EmptyResultSet:
            return result
        names = {3: "slot", 7: "permanence", 13: "lieu", 14: "month", 15: "total"}
        with figures_connection().cursor() as cursor:
            cursor.execute(
                f"""
                SELECT GROUPING(pid, day, lieu, month) AS g, pid, day, lieu, month::date AS month,
                       count(*) AS n, count(DISTINCT usager_id) AS usagers
                FROM ({sql}) x
                GROUP BY GROUPING SETS ((pid, day), (pid), (lieu), (month), ())""",
                params,
            )
            columns = [c.name for c in cursor.description]
            for row in cursor.fetchall():
                row = dict(zip(columns, row, strict=True))
                result[names[row["g"]]].append(row)
        return result

    @cached_property
    def _grouping(self) -> dict[str, list[dict]]:
        return self._sets()

    # Per slot ---------------------------------------------------------------------------------

    def slots(self):
        """Every occurrence with its visits (closed ones with None), newest first."""
        rows = [
            (o, None if o.closed else self.visits_by_slot.get((o.permanence.pk, o.date), 0))
            for o in self.occurrences
        ]
        return sorted(rows, key=lambda r: (r[0].date, r[0].permanence.start_time), reverse=True)

    def _fill(self, stats: Stats, slots) -> Stats:
        months = set()
        for slot in slots:
            if slot.closed:
                stats.closed += 1
                continue
            stats.slots += 1
            months.add(slot.month)
            if not slot.visits:
                stats.empty += 1
        stats.months = len(months)
        return stats

    # Groupings --------------------------------------------------------------------------------

    def total(self, label="") -> Stats:
        stats = self._fill(Stats(label), self._slots)
        totals = (self._grouping["total"] or [{"n": 0, "usagers": 0}])[0]
        stats.visits, stats.usagers = totals["n"], totals["usagers"]
        return stats

    def _grouped(self, key_of_slot, grouping, column, labels) -> list[Stats]:
        groups = defaultdict(list)
        for slot in self._slots:
            groups[key_of_slot(slot)].append(slot)
        counts = {row[column]: row for row in self._grouping[grouping]}
        result = []
        for key in set(groups) | set(counts):
            stats = self._fill(Stats(labels(key)), groups.get(key, []))
            stats.visits = counts.get(key, {}).get("n", 0)
            stats.usagers = counts.get(key, {}).get("usagers", 0)
            stats.extra["key"] = key
            result.append(stats)
        return result

    def by_permanence(self) -> list[Stats]:
        by_pk = {p.pk: p for p in self.permanences}
        rows = self._grouped(lambda s: s.pk, "permanence", "pid", lambda k: str(by_pk[k]))
        for stats in rows:
            stats.extra["permanence"] = by_pk[stats.extra["key"]]
        return sorted(rows, key=lambda s: (-(s.visits_per_slot or 0), s.label))

    def by_lieu(self) -> list[Stats]:
        lieux = {p.lieu_id: p.lieu for p in self.permanences}
        rows = self._grouped(lambda s: s.lieu_id, "lieu", "lieu", lambda k: lieux[k].nom)
        for stats in rows:
            stats.extra["lieu"] = lieux[stats.extra["key"]]
        flag_far_below_median(rows)
        return sorted(rows, key=lambda s: (-(s.visits_per_slot or 0), s.label))

    def window(self, permanence_ids, start, end, label="") -> Stats:
        """Slots and visits of some of the permanences between two dates within the period
        (from the per-slot counts already computed: no further query)."""
        within = self._slots[bisect_left(self._days, start) : bisect_right(self._days, end)]
        chosen = [slot for slot in within if slot.pk in permanence_ids]
        stats = self._fill(Stats(label), chosen)
        stats.visits = sum(slot.visits for slot in chosen if not slot.closed)
        return stats

    def by_month(self) -> list[Stats]:
        groups = defaultdict(list)
        for slot in self._slots:
            groups[slot.month].append(slot)
        counts = {row["month"]: row for row in self._grouping["month"]}
        rows = []
        for month in sorted(set(groups) | set(counts)):
            stats = self._fill(Stats(f"{month:%m/%Y}"), groups.get(month, []))
            stats.visits = counts.get(month, {}).get("n", 0)
            stats.usagers = counts.get(month, {}).get("usagers", 0)
            stats.extra["month"] = month
            rows.append(stats)
        return rows


def flag_far_below_median(rows: list[Stats]) -> float | None:
    """Mark places whose visits per slot are far below the median of places with slots held."""
    rates = [s.visits_per_slot for s in rows if s.visits_per_slot is not None]
    if not rates:
        return None
    median = statistics.median(rates)
    for stats in rows:
        rate = stats.visits_per_slot
        stats.extra["median"] = median
        stats.extra["far_below"] = rate is not None and rate < FAR_BELOW_MEDIAN * median
    return median


# --- Comparisons --------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (earlier if negative), the month's last day if it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def before_after(permanences, pivot: datetime.date, months: int = 6, mediations=None):
    """The same places' attendance in the `months` before the pivot date and from it on."""
    before = Attendance(
        permanences, add_months(pivot, -months), pivot - datetime.timedelta(1), mediations
    )
    after = Attendance(
        permanences, pivot, add_months(pivot, months) - datetime.timedelta(1), mediations
    )
    return (
        before.total(f"Avant le {pivot:%d/%m/%Y}"),
        after.total(f"À partir du {pivot:%d/%m/%Y}"),
    )


MOVES_SHOWN = 8


def changes(permanences, start, end) -> list[tuple[datetime.date, str, Permanence]]:
    """Openings and closings of recurring permanences between two dates, latest first (the
    moves a coordinator decided: one-off extra slots are events, not changes)."""
    found = []
    for p in permanences:
        if p.is_one_off:
            continue
        if start < p.valid_from <= end:
            found.append((p.valid_from, "Ouverture", p))
        if p.valid_until and start < p.valid_until + datetime.timedelta(1) <= end:
            found.append((p.valid_until + datetime.timedelta(1), "Fermeture", p))
    return sorted(found, key=lambda c: (c[0], c[1], str(c[2])), reverse=True)[:MOVES_SHOWN]


def moves(permanences, start, end, mediations=None, months: int = 6, scope=None) -> list[dict]:
    """Each change of the period with its quartier's attendance (the lieu's when it has no
    quartier) in the `months` before and from it on, up to the period's end: did the move bring
    people in?"""
    permanences = list(permanences)
    found = changes(permanences, start, end)
    if not found:
        return []
    first = add_months(min(c[0] for c in found), -months)
    last = min(add_months(max(c[0] for c in found), months) - datetime.timedelta(1), end)
    data = Attendance(permanences, first, last, mediations, scope=scope)
    rows = []
    for pivot, kind, changed in found:
        quartier = changed.lieu.quartier_id
        group = {
            p.pk
            for p in permanences
            if (p.lieu.quartier_id == quartier if quartier else p.lieu_id == changed.lieu_id)
        }
        before = data.window(group, add_months(pivot, -months), pivot - datetime.timedelta(1))
        after = data.window(group, pivot, add_months(pivot, months) - datetime.timedelta(1))
        rows.append(
            {
                "date": pivot,
                "change": f"{kind} : {changed}",
                "area": str(changed.lieu.quartier or changed.lieu.nom),
                "before": before,
                "after": after,
            }
        )
    return rows


def compare_permanences(first, second, start, end, mediations=None) -> list[Stats]:
    """Two permanences side by side over the same period (each within its own validity)."""
    return [Attendance([p], start, end, mediations).total(str(p)) for p in (first, second)]


# --- Dashboard section --------------------------------------------------------------------------


def build_section(scope: figures.Scope) -> figures.Section:
    from .attendance_section import build_section as build  # it imports this module

    return build(scope)


def register():
    """Register this module's dashboard section (key "permanences", order 20)."""
    figures.register_section(
        figures.SectionSpec(
            "permanences",
            "Permanences : fréquentation",
            20,
            build_section,
            roles=READERS,
            filters=activity.FILTERS,
        )
    )
