"""The figures store's rows at permanences, for attendance: written at rebuild in order of
permanence then day, read for any scope without a pass over the other rows.

Why a copy of these rows in their own order: attendance reads the visits per (permanence,
day), and the visits and unique usagers per permanence, lieu and month. In the files' day
order, each view first picked the rows at its permanences out of all of them, then sorted or
grouped them (seconds at ten million rows). Here a permanence's rows are one block, and each
(permanence, day) one run inside it: the visits per slot are the runs' lengths (or the sums of
a mask over them), the unique usagers one scatter of the writer's pair ids, in an order that
keeps it within a permanence's ids.

Files ("prow_" prefix, beside the store's): `row` (the files' row, for the overlay's kept
mask), the columns the scope filters and counts read, `run_start` (each run's first row, then
the row count), `run_key` (permanence << 32 | day of each run), `run_month`, `perm_ids` and
`perm_runs` (each stored permanence's first run, then the run count).
"""

import datetime
from functools import cached_property
from pathlib import Path

import numpy as np

from poitiers_inclusion import figures

from . import engine, slots, writer
from . import rows as figure_rows
from . import store as store_module

PREFIX = "prow_"
COLUMNS = ("day", "usager", "conseiller", "type", "t", "pair_pperm", "pair_plieu", "pair_pmonth")
INDEXES = ("usager", "pair_pperm", "pair_plieu", "pair_pmonth")
EPOCH = datetime.date(1970, 1, 1)
# distinct_pairs' ways: sort the ids of a selection below 1/SORT_BELOW of the pairs, else mark
# them; count the marks of each of up to FEW_GROUPS groups in place (a loop of count_nonzero
# is ten times faster than finding the marks, at 8,000 groups), else find them in order.
SORT_BELOW = 8
FEW_GROUPS = 50_000


def write(folder: Path, facts: dict) -> None:
    """Save the rows at permanences in order of permanence then day (the files are by day: a
    stable sort on the permanence keeps the days in order)."""
    permanence = np.asarray(facts["permanence"])
    at = np.flatnonzero(permanence >= 0)
    order = at[np.argsort(permanence[at], kind="stable")]
    files = {"row": order.astype(np.int32)}
    for name in COLUMNS:
        files[name] = np.asarray(facts[name])[order]
        if name in INDEXES:  # scattered into arrays by id: numpy converts other indexes first
            files[name] = files[name].astype(np.intp)
    pids, days = permanence[order].astype(np.int64), files["day"].astype(np.int64)
    keys = (pids << 32) | days
    starts = (
        np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, np.int64)
    )
    files["run_start"] = np.r_[starts, len(keys)].astype(np.int64)
    files["run_key"] = keys[starts]
    files["run_month"] = writer.months(days[starts]) if len(keys) else np.zeros(0, np.int32)
    files["run_pid"] = pids[starts].astype(np.int32)
    files["run_day"] = days[starts].astype(np.int32)
    run_pids = pids[starts]
    firsts = (
        np.flatnonzero(np.r_[True, run_pids[1:] != run_pids[:-1]])
        if len(keys)
        else np.zeros(0, np.int64)
    )
    files["perm_ids"] = run_pids[firsts].astype(np.int64)
    files["perm_runs"] = np.r_[firsts, len(run_pids)].astype(np.int64)
    rows = order.astype(np.int64)
    for name, pairs in (
        ("pperm", files["pair_pperm"]),
        ("plieu", files["pair_plieu"]),
        ("usager", files["usager"]),
    ):
        files[f"prev_{name}"] = _previous_days(pairs, rows, files["day"])
    for name, array in files.items():
        np.save(folder / f"{PREFIX}{name}.npy", array)


def _previous_days(pairs: np.ndarray, rows: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Each row's previous visit of the same pair (its day, -1: none), in time order: the
    files' rows are by day. A period's distinct pairs are then its rows whose previous visit
    is before it."""
    order = np.argsort((pairs.astype(np.int64) << 32) | rows)
    ordered = pairs[order]
    again = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    previous = np.full(len(pairs), -1, dtype=np.int32)
    previous[order[again]] = days[order[again - 1]]
    return previous


def _per_segment(mask: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """True values of `mask` in its consecutive segments of `sizes`."""
    edges = np.r_[0, np.cumsum(sizes)].tolist()
    return np.array(
        [np.count_nonzero(mask[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)],
        dtype=np.int64,
    )


class Visits(dict):
    """attendance.Attendance's groupings (as its live SQL gives them), each computed when first
    read: "slot" (permanence ids, day numbers, visits), "permanence", "lieu", "month", "total"."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, key):
        self[key] = value = getattr(self._compute, key)()
        return value


def _themes_mask(store, chosen) -> np.uint64:
    bits = np.uint64(0)
    for value in chosen:
        code = store.dictionaries["t"].codes.get(value)
        if code is not None:
            bits |= np.uint64(1 << code)
    return bits


def _spread(begins: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Every integer of the ranges [begins, stops), in order of range."""
    sizes = stops - begins
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(begins - np.r_[0, np.cumsum(sizes)[:-1]], sizes) + np.arange(total)


def distinct_pairs(store, pair: str, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(groups, distinct pairs per group) among the store's pair ids `pairs`, groups in order.
    The files number the pairs group by group: once the distinct ids are in order, a group's
    count is where its first id falls among them (no pass per group)."""
    known = len(store.facts[f"pairkey_{pair}"])
    total = store.pair_count(pair)
    values, starts = (np.asarray(a) for a in store.facts[f"pairgroups_{pair}"])
    bounds = np.r_[starts, known]
    if len(pairs) * SORT_BELOW < total:  # a small selection sorts faster than it scans all
        ids = slots.distinct(pairs)
        split = int(np.searchsorted(ids, known))
        counts = np.diff(np.searchsorted(ids[:split], bounds))
        extra_ids = ids[split:]
    else:
        seen = np.zeros(total, dtype=bool)
        seen[pairs] = True
        if len(starts) <= FEW_GROUPS:
            edges = bounds.tolist()
            counts = np.array(
                [np.count_nonzero(seen[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)],
                dtype=np.int64,
            )
        else:
            counts = np.diff(np.searchsorted(np.flatnonzero(seen[:known]), bounds))
        extra_ids = np.flatnonzero(seen[known:]) + known
    if not len(extra_ids):
        return values, counts
    extra, times = slots.counted(writer.key_groups(store.pair_extra[pair][extra_ids - known]))
    groups = slots.distinct(np.r_[values, extra])
    people = np.zeros(len(groups), dtype=np.int64)
    people[np.searchsorted(groups, values)] += counts
    people[np.searchsorted(groups, extra)] += times
    return groups, people


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
            runs = _spread(low, high)
        lengths = np.diff(run_start) if runs is None else np.diff(run_start)[runs]
        run = {}
        for name in ("run_month", "run_pid", "run_day"):
            run[name] = self.column(name) if runs is None else self.column(name)[runs]
        self.months, self.pids, self.days = run["run_month"], run["run_pid"], run["run_day"]
        # The rows of those runs: all, one slice, or indexes.
        if runs is None:
            rows = slice(0, int(run_start[-1]) if len(run_start) else 0)
        elif len(runs) and int(runs[-1]) - int(runs[0]) + 1 == len(runs):
            rows = slice(int(run_start[runs[0]]), int(run_start[runs[-1] + 1]))
        else:
            rows = _spread(run_start[low], run_start[high])

        types = [store.dictionaries["type"].codes.get(v, -2) for v in scope.chosen(TYPE)]
        themes = _themes_mask(store, scope.chosen(THEMATIQUE))
        keep = None  # of the runs' rows, those the scope's filters keep

        def refine(keep, mask):
            return mask if keep is None else keep & mask

        if own is not None:
            keep = refine(keep, self.column("conseiller")[rows] == own)
        if scope.conseillers:
            keep = refine(keep, np.isin(self.column("conseiller")[rows], list(scope.conseillers)))
        if scope.chosen(TYPE):
            keep = refine(keep, np.isin(self.column("type")[rows], types))
        if scope.chosen(THEMATIQUE):
            keep = refine(keep, (self.column("t")[rows] & themes) != 0)
        if store.kept is not None:
            keep = refine(keep, store.kept[self.column("row")[rows]])
        self.held = None  # the runs with chosen rows: all of them, without a filter
        self.keep_all = keep is None
        if keep is None:
            self.counts = lengths
        else:
            starts = np.r_[0, np.cumsum(lengths)[:-1]]
            if len(keep):
                self.counts = np.add.reduceat(keep, starts, dtype=np.int64)
            else:
                self.counts = np.zeros(0, dtype=np.int64)
            everything = np.arange(rows.start, rows.stop) if isinstance(rows, slice) else rows
            rows = everything[keep]
            self.held = np.flatnonzero(self.counts)
        self.selected = rows
        self.lo, self.everywhere = lo, len(chosen) == len(perm_ids)
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
        pids, days, visits = self._held(self.pids), self._held(self.days), self._held(self.counts)
        if self.fresh:
            pids = np.r_[pids, self.fresh["permanence"]]
            days = np.r_[days, self.fresh["day"]]
            visits = np.r_[visits, np.ones(len(self.fresh["day"]), dtype=np.int64)]
        return pids, days, visits

    def _people(self, pair: str, groups: np.ndarray, rows: np.ndarray) -> list[tuple]:
        """(group, rows, distinct usager records) of the groups with rows: `groups` and their
        `rows` (ascending groups), the pairs of the chosen rows counted per group."""
        present = rows > 0
        groups, rows = groups[present], rows[present]
        if not len(groups):
            return []
        found, people = distinct_pairs(self.store, pair, self.both(f"pair_{pair}"))
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
        row of the chosen permanences in the period is chosen, none was dropped or read again
        since the store was written."""
        return (
            self.keep_all
            and self.store.kept is None
            and not self.fresh
            and PREFIX + "prev_usager" in self.store.facts
        )

    def _firsts(self, name: str, sizes: np.ndarray) -> np.ndarray:
        """Per segment of the chosen rows (`sizes`), the rows of pairs new in the period."""
        return _per_segment(self.column(f"prev_{name}")[self.selected] < self.lo, sizes)

    @cached_property
    def _per_permanence(self) -> tuple[np.ndarray, np.ndarray]:
        sums = np.r_[0, np.cumsum(self.counts)]
        rows = sums[self.bounds[1:]] - sums[self.bounds[:-1]]
        return self._fresh_added(self.chosen, rows, "permanence")

    def permanence(self):
        if self._firsts_hold:
            pids, rows = self._per_permanence
            people = self._firsts("pperm", rows)
            at = rows > 0
            counted = zip(pids[at].tolist(), rows[at].tolist(), people[at].tolist(), strict=True)
        else:
            counted = self._people("pperm", *self._per_permanence)
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
            if self._firsts_hold and whole:
                firsts = self._firsts("plieu", rows)
                people = np.bincount(inverse, weights=firsts, minlength=len(groups))
                at = per_lieu > 0
                counted = zip(
                    groups[at].tolist(),
                    per_lieu[at].tolist(),
                    np.rint(people[at]).astype(np.int64).tolist(),
                    strict=True,
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
        if self._firsts_hold and self.everywhere:  # the usagers' pairs span every permanence
            count = int(self.counts.sum())
            if not count:
                return []
            firsts = self.column("prev_usager")[self.selected] < self.lo
            return [{"n": count, "usagers": int(np.count_nonzero(firsts))}]
        usagers = self.both("usager")
        if not len(usagers):
            return []
        seen = np.zeros(int(usagers.max()) + 1, dtype=bool)
        seen[usagers] = True
        return [{"n": len(usagers), "usagers": int(np.count_nonzero(seen))}]


def last_visit(permanences: list[int], today: datetime.date):
    """engine.last_visit from the runs: each permanence's last run up to today."""
    store = store_module.current()
    if store is None or PREFIX + "run_key" not in store.facts or store.kept is not None:
        return engine.last_visit(permanences, today)  # rows dropped since: read them all
    run_key = np.asarray(store.facts[PREFIX + "run_key"])
    chosen = np.array(sorted(set(permanences)), dtype=np.int64)
    day = (today - EPOCH).days
    at = np.searchsorted(run_key, (chosen << 32) | day, "right") - 1
    inside = at >= 0
    found = run_key[at[inside]]
    days = (found[(found >> 32) == chosen[inside]] & 0xFFFFFFFF).tolist()
    if store.fresh:
        fresh = store.fresh
        mine = engine._among(fresh["permanence"], list(permanences)) & (fresh["day"] <= day)
        days += fresh["day"][mine].tolist()
    return EPOCH + datetime.timedelta(days=max(days)) if days else None


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
