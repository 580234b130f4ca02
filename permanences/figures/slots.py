"""The slots of a set of permanences over a period, counted without listing them (attendance's
counting base).

A slot (cell) is a permanence's weekday within its validity and the period, closed or not:
what `booking.occurrences` lists, without a Python object per slot, and without an array over
the slots either. Ten years of a national network's weekly permanences are millions of slots:
a permanence's slots are a week apart from its first one, so how many there are per
permanence, per day and per month is arithmetic; only the closed slots (holidays, closures)
and the slots with visits are arrays, and the visits are per (permanence, day) already. The
same rules as `booking.occurrences`: a closure of the permanence or of its lieu closes the
days it covers, a public holiday closes recurring permanences (a one-off slot is opened on
purpose)."""

import datetime
from functools import cached_property

import numpy as np

from poitiers_inclusion.holidays import holidays_between

from ..models import Fermeture
from . import index, writer

EPOCH = datetime.date(1970, 1, 1)


def day_number(day: datetime.date) -> int:
    return (day - EPOCH).days


def month_date(month: int) -> datetime.date:
    """The first day of a month counted from January 1970."""
    return datetime.date(1970 + month // 12, month % 12 + 1, 1)


def no_visits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, empty


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values in order: a sort and a comparison (numpy 2's np.unique hashes, a
    hundred times slower on a million ids)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def counted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values in order and how many times each occurs."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def segment_sums(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Sums of `values` per segment [bounds[i], bounds[i + 1]) (bounds from 0 to the end):
    one reduction, no running sum written over millions of values."""
    sizes = np.diff(bounds)
    out = np.zeros(len(sizes), dtype=np.int64)
    full = sizes > 0
    if full.any():  # a segment runs up to the next one's start: the empty ones are skipped
        out[full] = np.add.reduceat(values, bounds[:-1][full], dtype=np.int64)
    return out


def per_segment(mask: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """True values of `mask` in its consecutive segments of `sizes` (a running count read at
    the segments' ends: no call per segment)."""
    ends = np.cumsum(sizes)
    if not len(mask):
        return np.zeros(len(sizes), dtype=np.int64)
    running = np.cumsum(mask, dtype=np.int64)
    at_ends = np.where(ends > 0, running[np.maximum(ends - 1, 0)], 0)
    return np.diff(np.r_[0, at_ends])


def placed(groups: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` of `keys` (ascending) at their place among `groups` (ascending), 0 elsewhere;
    keys not among the groups are left out."""
    out = np.zeros(len(groups), dtype=np.int64)
    if not len(groups) or not len(keys):
        return out
    at = np.minimum(np.searchsorted(groups, keys), len(groups) - 1)
    found = groups[at] == keys
    np.add.at(out, at[found], values[found])
    return out


def spread(begins: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Every integer of the ranges [begins, stops), in order of range (int64)."""
    return index.spans(begins, stops)


def _month_day(months: np.ndarray) -> np.ndarray:
    """The day number of the first day of months counted from January 1970."""
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


class SlotTable:
    """The slots of `permanences` (in the order given) from `start` to `end`. Permanence i's
    slots are the days first[i] + 7 k for k below weeks[i] (day numbers: days since
    1970-01-01); slot ids number them permanence after permanence (`offsets`). `closed` holds
    the ids of the slots a closure or a holiday cancels, `visited` those of the open slots
    with visits (`visits`: how many), both in order."""

    def __init__(self, permanences: list, start: datetime.date, end: datetime.date):
        self.permanences = permanences
        low, high = day_number(start), day_number(end)
        valid_from = np.array([day_number(p.valid_from) for p in permanences], dtype=np.int64)
        valid_until = np.array(
            [day_number(p.valid_until) if p.valid_until else high for p in permanences],
            dtype=np.int64,
        )
        weekday = np.array([p.weekday for p in permanences], dtype=np.int64)
        since = np.maximum(valid_from, low)
        until = np.minimum(valid_until, high)
        # Day 0 (1970-01-01) was a Thursday: weekday 3.
        first = since + (weekday - (since + 3)) % 7
        weeks = np.where(first <= until, (until - first) // 7 + 1, 0)
        self.first, self.weeks = np.where(weeks > 0, first, 0), weeks
        self.last = self.first + 7 * (weeks - 1)  # of the permanences with slots
        self.offsets = np.r_[0, np.cumsum(weeks)].astype(np.int64)
        self.cells = int(self.offsets[-1])
        held = weeks > 0
        # Per-day tables from the first slot to the last one.
        self.low = int(self.first[held].min()) if held.any() else 0
        span = int(self.last[held].max()) - self.low + 1 if held.any() else 0
        self._day_month = writer.months(np.arange(self.low, self.low + span)).astype(np.int64)
        self.closed = np.zeros(0, dtype=np.int64)
        self.visited = np.zeros(0, dtype=np.int32)
        self.visits = np.zeros(0, dtype=np.int64)
        self.visited_day = np.zeros(0, dtype=np.int64)
        self.shut = np.zeros(0, dtype=np.int64)  # positions in `visited` of closed slots
        # Open slots visited besides `visited` (add_visits' extra): ids in order, visits, days.
        self.extra = (
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, np.int32),
        )
        if self.cells and start <= end:
            self._close(start, end)

    # Slots ----------------------------------------------------------------------------------

    def _owner(self, cells: np.ndarray) -> np.ndarray:
        """The permanence index of slot ids."""
        return np.searchsorted(self.offsets, cells, "right") - 1

    def _day(self, cells: np.ndarray, owner: np.ndarray | None = None) -> np.ndarray:
        owner = self._owner(cells) if owner is None else owner
        return self.first[owner] + 7 * (cells - self.offsets[owner])

    def _month(self, days: np.ndarray) -> np.ndarray:
        return self._day_month[days - self.low]

    def cells_between(self, index: int, low: int, high: int) -> tuple[int, int]:
        """The slot ids of permanence `index` from day number `low` to `high`: [begin, stop)."""
        begins, stops = self._ranges(np.array([index], dtype=np.int64), low, high)
        return int(begins[0]), int(stops[0])

    def _ranges(self, indexes: np.ndarray, low, high):
        """The slot ids of permanences from day number `low` to `high` (numbers, or arrays
        like `indexes`): [begins, stops)."""
        first, weeks = self.first[indexes], self.weeks[indexes]
        begin = np.minimum(np.maximum(-((first - low) // 7), 0), weeks)
        stop = np.minimum(np.maximum((high - first) // 7 + 1, 0), weeks)
        offsets = self.offsets[indexes]
        return offsets + begin, offsets + np.maximum(begin, stop)

    def _close(self, start: datetime.date, end: datetime.date) -> None:
        found = []
        recurring = np.array([not p.is_one_off for p in self.permanences], dtype=bool)
        recurring &= self.weeks > 0
        weekday = (self.first + 3) % 7
        holidays = np.array([day_number(d) for d in holidays_between(start, end)], dtype=np.int64)
        for day in holidays.tolist():
            at = np.flatnonzero(
                recurring & (weekday == (day + 3) % 7) & (self.first <= day) & (day <= self.last)
            )
            found.append(self.offsets[at] + (day - self.first[at]) // 7)
        by_permanence, by_lieu = {}, {}
        for i, p in enumerate(self.permanences):
            by_permanence[p.pk] = [i]
            by_lieu.setdefault(p.lieu_id, []).append(i)
        # Closures are few: all those of the period, not a list of thousands of ids sent.
        closures = Fermeture.objects.overlapping(start, end).values_list(
            "permanence_id", "lieu_id", "start_date", "end_date"
        )
        for permanence_id, lieu_id, start_date, end_date in closures:
            if permanence_id:
                targets = by_permanence.get(permanence_id, [])
            else:
                targets = by_lieu.get(lieu_id, [])
            if targets:
                low, high = day_number(max(start, start_date)), day_number(end_date)
                found.append(spread(*self._ranges(np.array(targets), low, high)))
        if found:
            self.closed = distinct(np.concatenate(found).astype(np.int64))

    def _is_closed(self, cells: np.ndarray) -> np.ndarray:
        if not len(self.closed):
            return np.zeros(len(cells), dtype=bool)
        at = np.minimum(np.searchsorted(self.closed, cells), len(self.closed) - 1)
        return self.closed[at] == cells

    def add_visits(
        self,
        pids: np.ndarray,
        days: np.ndarray,
        counts: np.ndarray | None,
        ordered=False,
        extra: tuple | None = None,
    ) -> None:
        """Visits of accompagnements logged on (permanence id, day number): one each, or
        `counts`. A visit on a day the permanence is not held is on no slot, nor one on a
        closed slot. `ordered`: the (permanence, day) pairs are distinct and in order, each
        permanence one of the table's, each count positive (the figures store's runs).
        `extra`: a few more (pids, days, counts), on other slots than these (the rows read
        again since the store was written), kept apart: no copy of the millions of others."""
        if extra is not None and len(extra[0]) and self.cells:
            cells, visits, on_days = self._located(*extra)
            open_ = ~self._is_closed(cells)
            self.extra = (cells[open_], visits[open_], on_days[open_])
        if not len(pids) or not self.cells:
            return
        counts = np.ones(len(pids), dtype=np.int64) if counts is None else counts
        if ordered and self._add_ordered(pids, days, counts):
            return
        self._set_visited(*self._located(pids, days, counts))

    def _located(self, pids, days, counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The slot ids (in order, distinct), visits and days of visits on held slots."""
        ids = np.array([p.pk for p in self.permanences], dtype=np.int64)
        # Each permanence's index by id (a lookup table: ids are small), -1 for the others and
        # for -1 (no permanence: the last entry). In int32, the widest a slot id needs: a few
        # million visited slots make each pass and each temporary array count.
        table = np.full(max(int(ids.max()), int(pids.max())) + 2, -1, dtype=np.int32)
        table[ids] = np.arange(len(ids), dtype=np.int32)
        index = table[pids]
        days = days.astype(np.int32, copy=False)
        delta = days - self.first.astype(np.int32)[index]
        week = delta // 7
        on_slot = (index >= 0) & (delta >= 0) & (delta == 7 * week)
        on_slot &= (week < self.weeks.astype(np.int32)[index]) & (counts > 0)
        at = np.flatnonzero(on_slot)
        if len(at) < len(on_slot):  # else all of them, as they are
            index, days, counts, week = index[at], days[at], counts[at], week[at]
        counts = counts.astype(np.int64, copy=False)
        cells = self.offsets[:-1].astype(np.int32)[index] + week  # int32: see `visited`
        if len(cells) > 1 and not (cells[1:] > cells[:-1]).all():
            # Not in order, or a slot twice: sorted (nearly sorted input sorts in one pass).
            order = np.argsort(cells, kind="stable")
            cells, counts, index, days = cells[order], counts[order], index[order], days[order]
            starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
            cells, counts = cells[starts], np.add.reduceat(counts, starts)
            index, days = index[starts], days[starts]
        return cells, counts, days

    def _add_ordered(self, pids: np.ndarray, days: np.ndarray, counts: np.ndarray) -> bool:
        """add_visits of runs in order of permanence and day (three million at national scale):
        each permanence's runs are one block, so its first slot, slot count and first slot id
        are repeated over the block, not looked up per run, and the slot ids come out in order.
        False: the permanences are not in order of id (the general way then)."""
        ids = np.array([p.pk for p in self.permanences], dtype=np.int64)
        if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
            return False
        typed = ids.astype(pids.dtype)
        sizes = np.searchsorted(pids, typed, "right") - np.searchsorted(pids, typed)
        if int(sizes.sum()) != len(pids):
            return False  # a permanence not in the table
        days = days.astype(np.int32, copy=False)
        delta = days - np.repeat(self.first.astype(np.int32), sizes)
        week = delta // 7
        on_slot = delta == 7 * week
        on_slot &= delta >= 0
        on_slot &= week < np.repeat(self.weeks.astype(np.int32), sizes)
        cells = week
        cells += np.repeat(self.offsets[:-1].astype(np.int32), sizes)
        if not on_slot.all():
            at = np.flatnonzero(on_slot)
            cells, counts, days = cells[at], counts[at], days[at]
        self._set_visited(cells, counts.astype(np.int64, copy=False), days)
        return True

    def _set_visited(self, cells: np.ndarray, counts: np.ndarray, days: np.ndarray) -> None:
        """The visited slots (ids in order, distinct) and which of them are closed (`shut`:
        left in the arrays, taken off the counts: millions of visited slots, few closed)."""
        if len(self.closed) and len(cells):
            # The few closed slots looked up among the visited ones, not the other way round.
            closed = self.closed.astype(cells.dtype)
            at = np.minimum(np.searchsorted(cells, closed), len(cells) - 1)
            self.shut = at[cells[at] == closed]
        self.visited, self.visits, self.visited_day = cells, counts, days

    # Counts ---------------------------------------------------------------------------------

    def _months_held(self, groups: np.ndarray, size: int) -> np.ndarray:
        """Months with a slot held per group of permanences (`groups`: each permanence's group,
        0 to size - 1). A permanence's slots fall in every month from its first slot's to its
        last's (a month holds four weeks at least); a month is not held when all of the
        permanence's slots in it are closed."""
        with_slots = np.flatnonzero(self.weeks > 0)
        if not len(with_slots) or not size:
            return np.zeros(size, dtype=np.int64)
        first = self._month(self.first[with_slots])
        last = self._month(self.last[with_slots])
        if size == len(groups) and (groups == np.arange(size)).all():
            # One permanence per group: its months from first to last, less those all closed.
            months = np.zeros(size, dtype=np.int64)
            months[with_slots] = last - first + 1
            return months - np.bincount(self._shut_months[0], minlength=size)
        m0 = int(first.min())
        span = int(last.max()) - m0 + 1
        held = np.zeros((size, span + 1), dtype=np.int64)
        np.add.at(held, (groups[with_slots], first - m0), 1)
        np.add.at(held, (groups[with_slots], last - m0 + 1), -1)
        held = np.cumsum(held, axis=1)[:, :span]
        owners, months = self._shut_months
        np.add.at(held, (groups[owners], months - m0), -1)
        return (held > 0).sum(axis=1)

    @cached_property
    def _shut_months(self) -> tuple[np.ndarray, np.ndarray]:
        """(permanence index, month) of each month whose slots of the permanence are all closed
        (once per table: each grouping reads them)."""
        if not len(self.closed):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        owner = self._owner(self.closed)
        month = self._month(self._day(self.closed, owner)).astype(np.int64)
        width = int(month.max()) + 1
        keys, closed = counted(owner * width + month)
        owners, months = keys // width, keys % width
        # The permanence's slots in that month: from its first day to its last.
        begins, stops = self._ranges(owners, _month_day(months), _month_day(months + 1) - 1)
        shut = closed == stops - begins
        return owners[shut], months[shut]

    @cached_property
    def _per_permanence(self) -> dict[str, np.ndarray]:
        """Slots, closed slots and open slots with visits per permanence."""
        count = len(self.permanences)
        return {
            "cells": self.weeks,
            "closed": np.bincount(self._owner(self.closed), minlength=count),
            # The visited slot ids are in order: each permanence's are those within its ids.
            "visited": np.diff(
                np.searchsorted(self.visited, self.offsets.astype(self.visited.dtype))
            )
            - np.bincount(self._owner(self.visited[self.shut]), minlength=count)
            + np.bincount(self._owner(self.extra[0]), minlength=count),
        }

    def grouped(self, groups: np.ndarray, size: int) -> dict[str, np.ndarray]:
        """Per group of permanences (`groups`: each permanence's group, 0 to size - 1): slots
        ("cells"), slots held, closed, empty, months with a slot held."""
        per_permanence = self._per_permanence
        result = {
            name: np.bincount(groups, weights=per_permanence[name], minlength=size).astype(np.int64)
            for name in ("cells", "closed", "visited")
        }
        result["slots"] = result["cells"] - result["closed"]
        result["empty"] = result["slots"] - result.pop("visited")
        result["months"] = self._months_held(groups, size)
        return result

    def per_month(self) -> tuple[int, dict[str, np.ndarray]]:
        """The first month (number) with slots and, per month from it: slots ("cells"), slots
        held, closed, empty, months with a slot held (1 or 0)."""
        with_slots = np.flatnonzero(self.weeks > 0)
        if not len(with_slots):
            zero = np.zeros(0, dtype=np.int64)
            return 0, {name: zero for name in ("cells", "slots", "closed", "empty", "months")}
        # Slots per day: each permanence counts on its weekday from its first slot to its last.
        span = len(self._day_month)
        weeks = -(-(span + 7) // 7)
        starts = np.zeros(weeks * 7, dtype=np.int64)
        np.add.at(starts, self.first[with_slots] - self.low, 1)
        np.add.at(starts, self.last[with_slots] + 7 - self.low, -1)
        per_day = np.cumsum(starts.reshape(weeks, 7), axis=0).reshape(-1)[:span]
        m0 = int(self._day_month[0])
        size = int(self._day_month[-1]) - m0 + 1
        month = self._day_month - m0
        result = {"cells": np.bincount(month, weights=per_day, minlength=size).astype(np.int64)}
        closed_days = self._day(self.closed)
        result["closed"] = np.bincount(self._month(closed_days) - m0, minlength=size)
        result["slots"] = result["cells"] - result["closed"]
        # Per day, then per month through the per-day table: no month looked up per visit.
        per_day = np.bincount(self.visited_day - self.low, minlength=span)
        per_day -= np.bincount(self.visited_day[self.shut] - self.low, minlength=span)
        per_day += np.bincount(self.extra[2] - self.low, minlength=span)
        visited = np.bincount(month, weights=per_day, minlength=size).astype(np.int64)
        result["empty"] = result["slots"] - visited
        result["months"] = (result["slots"] > 0).astype(np.int64)
        return m0, result

    def window(self, indexes: list[int], start: datetime.date, end: datetime.date) -> dict:
        """Slots held, closed, empty, months with a slot held and visits of some permanences
        (their indexes) between two dates."""
        indexes = np.array(sorted(indexes), dtype=np.int64)
        begins, stops = self._ranges(indexes, day_number(start), day_number(end))
        cells = spread(begins, stops)
        closed = self._is_closed(cells)
        at = np.searchsorted(self.visited, cells.astype(self.visited.dtype))
        at = np.minimum(at, max(len(self.visited) - 1, 0))
        hit = (self.visited[at] == cells) if len(self.visited) else np.zeros(len(cells), bool)
        # (`visited` is int32 when there are visits: the small side is cast for the searches,
        # never the millions of visited slots.)
        months = self._month(self._day(cells[~closed])) if len(cells) else cells
        visits = int(self.visits[at[hit & ~closed]].sum()) if len(self.visited) else 0
        extra, extra_visits, _days = self.extra
        if len(extra):  # open slots: no closed one among them
            spot = np.minimum(np.searchsorted(extra, cells.astype(extra.dtype)), len(extra) - 1)
            more = extra[spot] == cells
            hit |= more
            visits += int(extra_visits[spot[more]].sum())
        return {
            "closed": int(closed.sum()),
            "slots": int((~closed).sum()),
            "empty": int((~closed & ~hit).sum()),
            "months": len(distinct(months)),
            "visits": visits,
        }
