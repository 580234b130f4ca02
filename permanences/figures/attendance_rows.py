"""The figures store's rows at permanences, for attendance: written at rebuild in order of
permanence then day, read for any scope without a pass over the other rows.

Why a copy of these rows in their own order: attendance reads the visits per (permanence,
day), and the visits and unique usagers per permanence, lieu and month. In the files' day
order, each view first picked the rows at its permanences out of all of them, then sorted or
grouped them (seconds at ten million rows). Here a permanence's rows are one block, and each
(permanence, day) one run inside it: the visits per slot are the runs' lengths (or the sums of
a mask over them), the unique usagers one scatter of the writer's pair ids, in an order that
keeps it within a permanence's ids.

The files are written by `attendance_files`; the overlay's few changed rows are counted apart
by `attendance_overlay`.
"""

import datetime
from functools import cached_property

import numpy as np

from poitiers_inclusion import figures

from . import (
    attendance_keys,
    attendance_months,
    attendance_overlay,
    engine,
    index,
    keyed_totals,
    slots,
)
from . import rows as figure_rows
from . import store as store_module
from .attendance_files import PREFIX, write  # noqa: F401 (the writer calls write here)

EPOCH = datetime.date(1970, 1, 1)


class Visits(dict):
    """attendance.Attendance's groupings (as its live SQL gives them), each computed when first
    read: "slot" (permanence ids, day numbers, visits), "permanence", "lieu", "month", "total"."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, key):
        self[key] = value = getattr(self._compute, key)()
        return value


class _Selection:
    """The scope's rows at the chosen permanences within the period: runs of the files' rows
    (all, or their indexes), the rows chosen among them (all, a slice or indexes) and the rows
    read again since the store was written."""

    def __init__(self, store, scope, own, permanences, lieu_of, start, end):
        from .aggregates import THEMATIQUE, TYPE  # aggregates imports engine, which we import

        self.store, self.lieu_of = store, lieu_of
        facts = store.facts
        self.column = lambda name: np.asarray(facts[PREFIX + name])
        lo, hi = (start - EPOCH).days, (end - EPOCH).days
        perm_ids = self.column("perm_ids")
        run_start, run_key = self.column("run_start"), self.column("run_key")
        wanted = slots.distinct(np.array(permanences, dtype=np.int64))
        if len(perm_ids):
            at = np.minimum(np.searchsorted(perm_ids, wanted), len(perm_ids) - 1)
            wanted = wanted[perm_ids[at] == wanted]
        chosen = wanted if len(perm_ids) else np.zeros(0, dtype=np.int64)
        # Each chosen permanence's runs within the period: [low, high).
        low = np.searchsorted(run_key, (chosen << 32) | lo)
        high = np.searchsorted(run_key, (chosen << 32) | hi, "right")
        self.chosen, self.bounds = chosen, np.r_[0, np.cumsum(high - low)]
        runs = None  # all
        if not (len(chosen) == len(perm_ids) and int(self.bounds[-1]) == len(run_key)):
            runs = slots.spread(low, high)
        lengths = np.diff(run_start) if runs is None else np.diff(run_start)[runs]
        run = {}
        for name in ("run_month", "run_pid", "run_day"):
            run[name] = self.column(name) if runs is None else self.column(name)[runs]
        self.months, self.pids, self.days = run["run_month"], run["run_pid"], run["run_day"]
        # One type or thématiques: their rows at permanences are written apart, and at every
        # permanence over a period to the last day their tables answer (keyed_totals), from
        # the files' first row of the period (`since`; the first, for several thématiques).
        self.key = None
        if own is None and not scope.conseillers:
            self.key = attendance_keys.key(store, scope)
        days = facts["day"]
        self.tables = (
            self.key is not None
            and len(chosen) == len(perm_ids)
            and (not len(days) or hi >= int(days[-1]))
        )
        self.since = figure_rows.search(days, lo) if self.tables else 0
        self.tables = self.tables and (len(self.key) == 1 or self.since == 0)
        # Other thématique filters: the rows of the chosen thématiques, then the other filters
        # tested on those only (`attendance_keys.narrowed`).
        self.narrowed = (
            self.key is None and bool(scope.chosen(THEMATIQUE)) and PREFIX + "tbit_rows" in facts
        )
        # The rows of those runs: all, one slice, or indexes (with a key, its rows only; with no
        # filter, spread only if read: `rows`).
        filtered = own is not None or scope.conseillers
        filtered = filtered or (
            self.key is None and (scope.chosen(TYPE) or scope.chosen(THEMATIQUE))
        )
        self._lazy = False
        if self.key is not None or self.narrowed:
            rows = None
        elif runs is None:
            rows = slice(0, int(run_start[-1]) if len(run_start) else 0)
        elif len(runs) and int(runs[-1]) - int(runs[0]) + 1 == len(runs):
            rows = slice(int(run_start[runs[0]]), int(run_start[runs[-1] + 1]))
        elif filtered:
            rows = slots.spread(run_start[low], run_start[high])
        else:
            rows, self._lazy = None, True

        types = [store.dictionaries["type"].codes.get(v, -2) for v in scope.chosen(TYPE)]
        codes = [store.dictionaries["t"].codes.get(v) for v in scope.chosen(THEMATIQUE)]
        themes = np.uint64(sum(1 << code for code in codes if code is not None))
        self.lo, self.hi, self.everywhere = lo, hi, len(chosen) == len(perm_ids)
        self.fresh = {}
        if store.fresh:
            fresh = store.fresh
            at = engine._among(fresh["permanence"], list(permanences))
            at &= (fresh["day"] >= lo) & (fresh["day"] <= hi)
            if own is not None:
                at &= fresh["conseiller"] == own
            if scope.conseillers:
                at &= np.isin(fresh["conseiller"], list(scope.conseillers))
            if scope.chosen(TYPE):
                at &= np.isin(fresh["type"], types)
            if scope.chosen(THEMATIQUE):
                at &= (fresh["t"] & themes) != 0
            if at.any():
                self.fresh = {name: fresh[name][at] for name in fresh}
        keep = None  # of the runs' rows, those the scope's filters keep

        def refine(keep, mask):
            return mask if keep is None else keep & mask

        if rows is not None:  # (narrowed: tested on the thématiques' rows below)
            if own is not None:
                keep = refine(keep, self.column("conseiller")[rows] == own)
            if scope.conseillers:
                conseillers = list(scope.conseillers)
                keep = refine(keep, np.isin(self.column("conseiller")[rows], conseillers))
            if scope.chosen(TYPE) and self.key is None:
                keep = refine(keep, np.isin(self.column("type")[rows], types))
            if scope.chosen(THEMATIQUE) and self.key is None:
                # (a store written before the thématiques' rows: their bits tested)
                keep = refine(keep, (self.column("t")[rows] & themes) != 0)
        # no filter of the scope's
        self.keep_all = keep is None and self.key is None and not self.narrowed
        # Without a filter, the overlay's few rows dropped and read again are counted apart
        # (`attendance_overlay`): the previous visits still count the other pairs.
        self.delta = None
        if self.keep_all and (store.kept is not None or store.fresh) and self._previous_written:
            self.delta = attendance_overlay.Delta.of(store, chosen, lo, hi, self.fresh)
        self._blocks_of = (run_start[low], run_start[high])  # each one's first row and its end
        if self.delta is None and store.kept is not None and (rows is not None or self._lazy):
            rows, self._lazy = slots.spread(*self._blocks_of) if self._lazy else rows, False
            keep = attendance_keys.kept(store, self.column, keep, (chosen, lo, hi), rows)
        self.held = None  # the runs with chosen rows: all of them, without a filter
        self._emptied = np.zeros(0, dtype=np.int64)  # runs whose rows were all dropped since
        self._rows = rows  # every row of the runs (the previous visits are read over them)
        self.lengths = lengths
        # A permanence's rows in the period are one block: from its first run's to its last's.
        self.perm_rows = (run_start[high] - run_start[low]).astype(np.int64)
        self._dropped = None  # positions among `rows` of the overlay's dropped rows
        if self.key is not None:
            self.counts = attendance_keys.counts(store, self.column, self.key, runs)
            self.held = np.flatnonzero(self.counts)
            self._blocks = None if runs is None else (run_start[low], run_start[high])
        elif self.narrowed:
            blocks = None if runs is None else (run_start[low], run_start[high])
            filters = (scope.chosen(THEMATIQUE), types, own, list(scope.conseillers))
            rows, self.counts = attendance_keys.narrowed(store, self.column, filters, blocks, runs)
            self.held = np.flatnonzero(self.counts)
        elif keep is None:
            self.counts = lengths
            if self.delta is not None and len(self.delta.dropped):
                at = self.delta.runs(run_key)
                at = at if runs is None else np.searchsorted(runs, at)
                self.counts = lengths.copy()
                np.subtract.at(self.counts, at, 1)
                # The runs left without a row (left out of the slots unless a row read again
                # fills them back): few, not found by a pass over the runs.
                self._emptied = slots.distinct(at[self.counts[at] == 0])
                self._dropped = at
        else:
            starts = np.r_[0, np.cumsum(lengths)[:-1]]
            if len(keep):
                self.counts = np.add.reduceat(keep, starts, dtype=np.int64)
            else:
                self.counts = np.zeros(0, dtype=np.int64)
            rows = rows.start + np.flatnonzero(keep) if isinstance(rows, slice) else rows[keep]
            self.held = np.flatnonzero(self.counts)
        self._selected = rows if self._dropped is None else None
        self._runs = runs

    @property
    def rows(self):
        """Every row of the runs: a slice or indexes (those of the period's blocks spread when
        first read)."""
        if self._lazy:
            self._rows, self._lazy = slots.spread(*self._blocks_of), False
        return self._rows

    @cached_property
    def selected(self) -> np.ndarray:
        """The chosen rows among the runs' (the overlay's dropped rows left out)."""
        if self._selected is not None:
            return self._selected
        if self.key is not None:  # its rows, when a grouping reads them
            return attendance_keys.rows(self.store, self.column, self.key, self._blocks)
        rows = self.rows
        if self._dropped is None:  # (spread when read)
            return rows
        everything = np.arange(rows.start, rows.stop) if isinstance(rows, slice) else rows
        dropped = self.delta.positions(
            self.column("run_key"), self.column("run_start"), self.column("row")
        )
        # `dropped` are positions among the files' rows at permanences: those of `everything`.
        return everything[~index.member(everything, dropped)]

    @property
    def _previous_written(self) -> bool:
        """Whether the store holds the rows' previous visits and their counts per run."""
        return PREFIX + "month_new" in self.store.facts

    def _per_run(self, name: str) -> np.ndarray:
        """A per-run file for the selection's runs (all of them: the previous visits are read
        over every row, dropped ones included)."""
        column = self.column(name)
        return column if self._runs is None else column[self._runs]

    @cached_property
    def _from_start(self) -> bool:
        """Whether the period starts on or before every stored row's day: a pair is then new
        in the period at its first visit ever, counted per run when the store was written."""
        firsts = self.column("run_day")[self.column("perm_runs")[:-1]]
        return not len(firsts) or self.lo <= int(firsts.min())

    def both(self, name) -> np.ndarray:
        """A column of the chosen rows, the files' then those read again."""
        stored = self.column(name)[self.selected]
        if not self.fresh:
            return stored
        return np.concatenate([stored, self.fresh[name]])

    # The groupings --------------------------------------------------------------------------

    def _held(self, values: np.ndarray) -> np.ndarray:
        return values if self.held is None else values[self.held]

    def slot(self):
        """(permanence ids, day numbers, visits) per slot with visits, in order of permanence
        and day (the page's list, the tests): `slot_parts` in one."""
        (pids, days, visits), (new_pids, new_days, new_visits) = self.slot_parts()
        if not len(new_pids):
            return pids, days, visits
        keys = (pids.astype(np.int64) << 32) | days
        where = np.searchsorted(keys, (new_pids.astype(np.int64) << 32) | new_days)
        return (
            np.insert(pids, where, new_pids.astype(pids.dtype)),
            np.insert(days, where, new_days.astype(days.dtype)),
            np.insert(visits, where, new_visits),
        )

    def slot_parts(self):
        """The runs with visits, in order of permanence and day, the rows read again counted
        into theirs (few: no sort of the runs), the runs left without a row left out; and the
        rows read again on other (permanence, day) pairs, apart (no copy of the runs)."""
        pids, days, visits = self.pids, self.days, self.counts
        none = np.zeros(0, dtype=np.int64)
        new = (none, none, none)
        if self.fresh:
            fresh = (self.fresh["permanence"].astype(np.int64) << 32) | self.fresh["day"]
            extra, times = slots.counted(fresh)
            at, known = self._place(extra)
            if known.any():
                visits = visits.copy()
                np.add.at(visits, at[known], times[known])
            others = extra[~known]
            new = (others >> 32, others & 0xFFFFFFFF, times[~known])
        if self.held is not None:  # some runs without a chosen row
            at = np.flatnonzero(visits)
            if len(at) < len(visits):
                pids, days, visits = pids[at], days[at], visits[at]
        elif len(self._emptied):  # unless a médiation read again at the same slot fills it
            emptied = self._emptied[visits[self._emptied] == 0]
            if len(emptied):
                pids, days, visits = (np.delete(a, emptied) for a in (pids, days, visits))
        return (pids, days, visits), new

    def _place(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where run keys (permanence << 32 | day, ascending) are, or would be, among the
        selection's runs, and whether they are there: looked up in the store's keys, not in
        keys built for every run."""
        run_key = self.column("run_key")
        at = np.searchsorted(run_key, keys)
        known = at < len(run_key)
        known[known] = run_key[at[known]] == keys[known]
        if self._runs is not None:
            inside = np.searchsorted(self._runs, at)
            there = inside < len(self._runs)
            there[there] = self._runs[inside[there]] == at[there]
            at, known = inside, known & there
        return at, known

    def _keyed_totals(self, name: str) -> list[tuple]:
        found = keyed_totals.totals(self.store, name, self.key, self.fresh, self.since)
        return list(zip(*(array.tolist() for array in found), strict=True))

    def _people(self, pair: str, groups: np.ndarray, rows: np.ndarray) -> list[tuple]:
        """(group, rows, distinct usager records) of the groups with rows: `groups` and their
        `rows` (ascending groups), the pairs of the chosen rows counted per group."""
        present = rows > 0
        groups, rows = groups[present], rows[present]
        if not len(groups):
            return []
        found, people = store_module.distinct_pairs(self.store, pair, self.both(f"pair_{pair}"))
        at = np.minimum(np.searchsorted(found, groups), len(found) - 1)
        people = np.where(found[at] == groups, people[at], 0)
        return list(zip(groups.tolist(), rows.tolist(), people.tolist(), strict=True))

    def _fresh_added(self, groups: np.ndarray, rows: np.ndarray, column: str):
        """`groups` and `rows` with the rows read again counted in."""
        if not self.fresh:
            return groups, rows
        extra, times = slots.counted(self.fresh[column])
        merged = slots.distinct(np.r_[groups, extra])
        total = np.zeros(len(merged), dtype=np.int64)
        total[np.searchsorted(merged, groups)] += rows
        total[np.searchsorted(merged, extra)] += times
        return merged, total

    @property
    def _firsts_hold(self) -> bool:
        """Whether the rows' previous visits say which pairs are new in the period: every
        row of the chosen permanences in the period is chosen, and the overlay's rows dropped
        and read again are few (`delta`: counted apart), or none."""
        if not (self.keep_all and self._previous_written):
            return False
        return self.delta is not None or (self.store.kept is None and not self.fresh)

    def _firsts(self, name: str) -> np.ndarray:
        """Per chosen permanence, the rows in the period whose previous visit of the pair is
        before it (dropped ones included: `_corrected`)."""
        if self._from_start:
            return slots.segment_sums(self._per_run(f"run_new_{name}"), self.bounds)
        return self._before(name)

    def _before(self, name: str) -> np.ndarray:
        """Per chosen permanence, the rows in the period whose previous visit of the pair is
        before it: when the period holds most rows, one pass over the column counted between
        each permanence's bounds (reading the millions of rows first took twice as long)."""
        previous = self.column(f"prev_{name}")
        if isinstance(self._rows, slice) or int(self.perm_rows.sum()) * 2 < len(previous):
            return slots.per_segment(previous[self.rows] < self.lo, self.perm_rows)
        below = previous < self.lo  # (a running count of it took three times as long)
        spans = zip(*(bound.tolist() for bound in self._blocks_of), strict=True)
        return np.array([np.count_nonzero(below[b:e]) for b, e in spans], dtype=np.int64)

    def _corrected(self, pair: str, groups: np.ndarray, people: np.ndarray) -> np.ndarray:
        """`people` per group (`groups`, ascending) with the overlay's touched pairs counted
        again."""
        if self.delta is None:
            return people
        changed, difference = self.delta.corrections(pair)
        # A group left without rows (all dropped) is not among `groups`: it is not shown.
        return people + slots.placed(groups, changed, difference)

    @cached_property
    def _per_permanence(self) -> tuple[np.ndarray, np.ndarray]:
        if self.counts is self.lengths:  # every row: the permanences' blocks
            rows = self.perm_rows
        else:
            rows = slots.segment_sums(self.counts, self.bounds)
        return self._fresh_added(self.chosen, rows, "permanence")

    def permanence(self):
        pids, rows = self._per_permanence
        if self.tables:
            counted = self._keyed_totals("pperm")
        elif self._firsts_hold:
            people = np.zeros(len(pids), dtype=np.int64)
            people[np.searchsorted(pids, self.chosen)] = self._firsts("pperm")
            people = self._corrected("pperm", pids, people)
            at = rows > 0
            counted = zip(pids[at].tolist(), rows[at].tolist(), people[at].tolist(), strict=True)
        else:
            counted = self._people("pperm", pids, rows)
        return [{"pid": g, "n": n, "usagers": people} for g, n, people in counted]

    def lieu(self):
        pids, rows = self._per_permanence
        present = pids[rows > 0].tolist()
        written = {int(k): v for k, v in self.store.meta.get("perm_lieu", {}).items()}
        if all(written.get(pk, -2) == self.lieu_of.get(pk) for pk in present):
            # The permanences did not move since the store was written: its lieu pairs hold.
            lieux = np.array([self.lieu_of.get(pk, -1) for pk in pids.tolist()], dtype=np.int64)
            groups = slots.distinct(lieux)
            inverse = np.searchsorted(groups, lieux)
            per_lieu = np.rint(np.bincount(inverse, weights=rows, minlength=len(groups)))
            per_lieu = per_lieu.astype(np.int64)
            # A lieu's pairs are new in the period if all its permanences with rows are chosen.
            lieux_of = {written[pk] for pk in present}
            whole = set(self.chosen.tolist()) >= {
                pk for pk in self.column("perm_ids").tolist() if written.get(pk) in lieux_of
            }
            if self.tables:  # every permanence: every lieu whole
                counted = self._keyed_totals("plieu")
            elif self._firsts_hold and whole:
                firsts = np.zeros(len(pids), dtype=np.int64)
                firsts[np.searchsorted(pids, self.chosen)] = self._firsts("plieu")
                people = np.bincount(inverse, weights=firsts, minlength=len(groups))
                people = self._corrected("plieu", groups, np.rint(people).astype(np.int64))
                at = per_lieu > 0
                counted = zip(
                    groups[at].tolist(), per_lieu[at].tolist(), people[at].tolist(), strict=True
                )
            else:
                counted = self._people("plieu", groups, per_lieu)
        else:
            table = np.full(int(pids.max()) + 1 if len(pids) else 1, -1, dtype=np.int64)
            for pk in present:
                table[pk] = self.lieu_of.get(pk, -1)
            # The chosen rows are in order of run: each run's permanence, as many times.
            per_row = np.repeat(self.pids, self.counts)
            if self.fresh:
                per_row = np.r_[per_row, self.fresh["permanence"]]
            counted = figure_rows._group_counts(table[per_row], self.both("usager"))
        return [{"lieu": g, "n": n, "usagers": people} for g, n, people in counted]

    def month(self):
        if self.tables:
            counted = self._keyed_totals("pmonth")
        elif self._firsts_hold and self.everywhere:  # every run: the months' sums hold
            months, rows, new = attendance_months.month_sums(self)
            groups, rows = self._fresh_added(months, rows, "month")
            people = self._corrected("pmonth", groups, slots.placed(groups, months, new))
            at = rows > 0
            counted = zip(groups[at].tolist(), rows[at].tolist(), people[at].tolist(), strict=True)
        else:
            months, counts = self._held(self.months), self._held(self.counts)
            groups, rows = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            if len(months):
                low = int(months.min())
                per_month = np.bincount(months - low, weights=counts)
                groups = np.arange(low, low + len(per_month), dtype=np.int64)
                rows = np.rint(per_month).astype(np.int64)
            counted = self._people("pmonth", *self._fresh_added(groups, rows, "month"))
        return [
            {"month": datetime.date(1970 + g // 12, g % 12 + 1, 1), "n": n, "usagers": people}
            for g, n, people in counted
        ]

    def total(self):
        if self.tables:
            return [{"n": n, "usagers": people} for _all, n, people in self._keyed_totals("usager")]
        if self._firsts_hold and self.everywhere:  # the usagers' pairs span every permanence
            count = int(self.counts.sum()) + (len(self.fresh["day"]) if self.fresh else 0)
            if not count:
                return []
            if self._from_start:
                firsts = int(self._per_run("run_new_usager").sum(dtype=np.int64))
            else:
                firsts = int(self._before("usager").sum())
            people = self._corrected("usager", np.zeros(1, dtype=np.int64), np.array([firsts]))
            return [{"n": count, "usagers": int(people[0])}]
        usagers = self.both("usager")
        if not len(usagers):
            return []
        seen = np.zeros(int(usagers.max()) + 1, dtype=bool)
        seen[usagers] = True
        return [{"n": len(usagers), "usagers": int(np.count_nonzero(seen))}]


def visits(
    scope: figures.Scope,
    permanences: list[int],
    lieu_of: dict[int, int],
    start: datetime.date,
    end: datetime.date,
) -> Visits | None:
    """The scope's attendance groupings from the store (`lieu_of`: each permanence's lieu now);
    None: computed live (no store, a viewer the store does not answer for, or a store written
    before these files)."""
    allowed, own = engine.viewer_allows(scope.user)
    if not allowed:
        return None
    store = store_module.current()
    if store is None or PREFIX + "run_day" not in store.facts:
        return None
    return Visits(_Selection(store, scope, own, permanences, lieu_of, start, end))
