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
from pathlib import Path

import numpy as np

from poitiers_inclusion import figures

from . import engine, writer
from . import store as store_module

PREFIX = "prow_"
COLUMNS = ("day", "usager", "conseiller", "type", "t", "pair_pperm", "pair_plieu", "pair_pmonth")
EPOCH = datetime.date(1970, 1, 1)


def write(folder: Path, facts: dict) -> None:
    """Save the rows at permanences in order of permanence then day (the files are by day: a
    stable sort on the permanence keeps the days in order)."""
    permanence = np.asarray(facts["permanence"])
    at = np.flatnonzero(permanence >= 0)
    order = at[np.argsort(permanence[at], kind="stable")]
    files = {"row": order.astype(np.int32)}
    for name in COLUMNS:
        files[name] = np.asarray(facts[name])[order]
    pids, days = permanence[order].astype(np.int64), files["day"].astype(np.int64)
    keys = (pids << 32) | days
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0)
    files["run_start"] = np.r_[starts, len(keys)].astype(np.int64)
    files["run_key"] = keys[starts]
    files["run_month"] = writer.months(days[starts]) if len(keys) else np.zeros(0, np.int32)
    run_pids = pids[starts]
    firsts = np.flatnonzero(np.r_[True, run_pids[1:] != run_pids[:-1]]) if len(keys) else []
    files["perm_ids"] = run_pids[firsts].astype(np.int64)
    files["perm_runs"] = np.r_[firsts, len(run_pids)].astype(np.int64)
    for name, array in files.items():
        np.save(folder / f"{PREFIX}{name}.npy", array)


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


class _Selection:
    """The scope's rows at the chosen permanences within the period: an indicator over the
    stored rows (None: all of them) and the rows read again since the store was written."""

    def __init__(self, store, scope, own, permanences, lieu_of, start, end):
        from .aggregates import THEMATIQUE, TYPE  # aggregates imports engine, which we import

        self.store, self.lieu_of = store, lieu_of
        facts = store.facts
        self.column = lambda name: np.asarray(facts[PREFIX + name])
        lo, hi = (start - EPOCH).days, (end - EPOCH).days
        perm_ids = self.column("perm_ids")
        run_start, run_key = self.column("run_start"), self.column("run_key")
        rows = int(run_start[-1]) if len(run_start) else 0
        chosen = np.intersect1d(np.array(permanences, dtype=np.int64), perm_ids)
        low = np.searchsorted(run_key, (chosen << 32) | lo)
        high = np.searchsorted(run_key, (chosen << 32) | hi, "right")
        first, last = run_start[low], run_start[high]
        keep = None
        if not (len(chosen) == len(perm_ids) and (last - first).sum() == rows):
            keep = np.zeros(rows, dtype=bool)
            if len(first):
                # Merged ranges: neighbouring blocks touch when the period takes them whole.
                joined = np.r_[True, first[1:] != last[:-1]]
                begins, ends = first[joined], last[np.r_[joined[1:], True]]
                for begin, stop in zip(begins.tolist(), ends.tolist(), strict=True):
                    keep[begin:stop] = True

        def refine(keep, mask):
            return mask if keep is None else keep & mask

        types = [store.dictionaries["type"].codes.get(v, -2) for v in scope.chosen(TYPE)]
        themes = _themes_mask(store, scope.chosen(THEMATIQUE))
        if own is not None:
            keep = refine(keep, self.column("conseiller") == own)
        if scope.conseillers:
            keep = refine(keep, np.isin(self.column("conseiller"), list(scope.conseillers)))
        if scope.chosen(TYPE):
            keep = refine(keep, np.isin(self.column("type"), types))
        if scope.chosen(THEMATIQUE):
            keep = refine(keep, (self.column("t") & themes) != 0)
        if store.kept is not None:
            keep = refine(keep, store.kept[self.column("row")])
        self.keep = keep
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

    def rows(self, name) -> np.ndarray:
        """A column of the chosen stored rows."""
        column = self.column(name)
        return column if self.keep is None else column[self.keep]

    def both(self, name, fresh_name=None) -> np.ndarray:
        """A column of the chosen stored rows and rows read again."""
        stored = self.rows(name)
        if not self.fresh:
            return stored
        return np.concatenate([stored, self.fresh[fresh_name or name]])

    @property
    def run_counts(self) -> np.ndarray:
        """Chosen stored rows per run."""
        if "_runs" not in self.__dict__:
            run_start = self.column("run_start")
            if self.keep is None:
                self._runs = np.diff(run_start)
            elif not len(self.keep):
                self._runs = np.zeros(0, dtype=np.int64)
            else:
                self._runs = np.add.reduceat(self.keep, run_start[:-1], dtype=np.int64)
        return self._runs

    # The groupings --------------------------------------------------------------------------

    def slot(self):
        counts = self.run_counts
        held = np.flatnonzero(counts)
        keys = self.column("run_key")[held]
        pids, days, visits = keys >> 32, keys & 0xFFFFFFFF, counts[held]
        if self.fresh:
            pids = np.r_[pids, self.fresh["permanence"]]
            days = np.r_[days, self.fresh["day"]]
            visits = np.r_[visits, np.ones(len(self.fresh["day"]), dtype=np.int64)]
        return pids, days, visits

    def _people(self, pair: str, groups: np.ndarray, rows: np.ndarray) -> list[dict]:
        """(group, rows, distinct usager records) of the groups with rows: `groups` and their
        `rows` (ascending groups), the pairs of the chosen rows counted per group."""
        present = rows > 0
        groups, rows = groups[present], rows[present]
        if not len(groups):
            return []
        low, size = int(groups[0]), int(groups[-1]) - int(groups[0]) + 1
        people = self.store.pair_people(pair, self.both(f"pair_{pair}"), low, size)
        return list(zip(groups.tolist(), rows.tolist(), people[groups - low].tolist(), strict=True))

    def _fresh_added(self, groups: np.ndarray, rows: np.ndarray, column: str):
        """`groups` and `rows` with the rows read again counted in."""
        if not self.fresh:
            return groups, rows
        extra, times = np.unique(self.fresh[column], return_counts=True)
        merged = np.union1d(groups, extra)
        total = np.zeros(len(merged), dtype=np.int64)
        total[np.searchsorted(merged, groups)] += rows
        total[np.searchsorted(merged, extra)] += times
        return merged, total

    def _per_permanence(self) -> tuple[np.ndarray, np.ndarray]:
        perm_runs = self.column("perm_runs")
        if len(perm_runs) < 2:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        rows = np.add.reduceat(self.run_counts, perm_runs[:-1], dtype=np.int64)
        return self._fresh_added(self.column("perm_ids"), rows, "permanence")

    def permanence(self):
        counted = self._people("pperm", *self._per_permanence())
        return [{"pid": g, "n": n, "usagers": people} for g, n, people in counted]

    def lieu(self):
        pids, rows = self._per_permanence()
        present = pids[rows > 0].tolist()
        written = {int(k): v for k, v in self.store.meta.get("perm_lieu", {}).items()}
        if all(written.get(pk, -2) == self.lieu_of.get(pk) for pk in present):
            # The permanences did not move since the store was written: its lieu pairs hold.
            lieux = np.array([self.lieu_of.get(pk, -1) for pk in pids.tolist()], dtype=np.int64)
            groups, inverse = np.unique(lieux, return_inverse=True)
            per_lieu = np.bincount(inverse, weights=rows, minlength=len(groups))
            counted = self._people("plieu", groups, np.rint(per_lieu).astype(np.int64))
        else:
            table = np.full(int(pids.max()) + 1 if len(pids) else 1, -1, dtype=np.int64)
            for pk in present:
                table[pk] = self.lieu_of.get(pk, -1)
            counted = engine._group_counts(table[self._row_permanences()], self.both("usager"))
        return [{"lieu": g, "n": n, "usagers": people} for g, n, people in counted]

    def _row_permanences(self) -> np.ndarray:
        perm_of_run = np.repeat(self.column("perm_ids"), np.diff(self.column("perm_runs")))
        per_row = np.repeat(perm_of_run, np.diff(self.column("run_start")))
        if self.keep is not None:
            per_row = per_row[self.keep]
        return np.r_[per_row, self.fresh["permanence"]] if self.fresh else per_row

    def month(self):
        counts, months = self.run_counts, self.column("run_month")
        held = np.flatnonzero(counts)
        groups, rows = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(held):
            low = int(months[held].min())
            per_month = np.bincount(months[held] - low, weights=counts[held])
            groups = np.arange(low, low + len(per_month), dtype=np.int64)
            rows = np.rint(per_month).astype(np.int64)
        counted = self._people("pmonth", *self._fresh_added(groups, rows, "month"))
        return [
            {"month": datetime.date(1970 + g // 12, g % 12 + 1, 1), "n": n, "usagers": people}
            for g, n, people in counted
        ]

    def total(self):
        usagers = self.both("usager")
        if not len(usagers):
            return []
        return [{"n": len(usagers), "usagers": engine.distinct(usagers)}]


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
    allowed, own = engine._viewer_allows(scope.user)
    if not allowed:
        return None
    store = store_module.current()
    if store is None or PREFIX + "run_key" not in store.facts:
        return None
    return Visits(_Selection(store, scope, own, permanences, lieu_of, start, end))
