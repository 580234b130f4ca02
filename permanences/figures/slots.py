"""The slots of a set of permanences over a period as numpy arrays (attendance's counting base).

One cell per permanence and day it is held (its weekday within its validity and the period),
closed or not, with the visits logged on it: what `booking.occurrences` lists, without a Python
object per slot. Ten years of a national network's weekly permanences are millions of slots; a
list of occurrences took seconds to build and walk for each dashboard view, these arrays are
counted in milliseconds. The same rules as `booking.occurrences`: a closure of the permanence or
of its lieu closes the days it covers, a public holiday closes recurring permanences (a one-off
slot is opened on purpose)."""

import datetime

import numpy as np

from poitiers_inclusion.holidays import holidays_between

from ..booking import closures_for
from . import writer

EPOCH = datetime.date(1970, 1, 1)


def day_number(day: datetime.date) -> int:
    return (day - EPOCH).days


def month_date(month: int) -> datetime.date:
    """The first day of a month counted from January 1970."""
    return datetime.date(1970 + month // 12, month % 12 + 1, 1)


def no_visits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, empty


class SlotTable:
    """Cells in order of permanence (as given) then day; `cell_permanence` is each cell's index
    into the permanences, `day` its day number (days since 1970-01-01), `month` its month
    number, `closed` whether a closure or a holiday cancels it, `visits` the visits logged.
    A permanence's cells are one block (`offsets`), a week apart from its first day held."""

    def __init__(self, permanences: list, start: datetime.date, end: datetime.date):
        self.permanences = permanences
        count = len(permanences)
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
        self.offsets = np.r_[0, np.cumsum(weeks)].astype(np.int64)
        cells = int(self.offsets[-1])
        self.cell_permanence = np.repeat(np.arange(count, dtype=np.int64), weeks)
        within = np.arange(cells, dtype=np.int64) - self.offsets[:-1][self.cell_permanence]
        self.day = self.first[self.cell_permanence] + 7 * within
        self.low = int(self.day.min()) if cells else 0  # the first day of the per-day tables
        span = int(self.day.max()) - self.low + 1 if cells else 0
        self._day_month = writer.months(np.arange(self.low, self.low + span)).astype(np.int64)
        self.month = self._day_month[self.day - self.low]
        self.closed = np.zeros(cells, dtype=bool)
        self.visits = np.zeros(cells, dtype=np.int64)
        if cells and start <= end:
            self._close(start, end)

    def _close(self, start: datetime.date, end: datetime.date) -> None:
        holidays = np.array([day_number(d) for d in holidays_between(start, end)], dtype=np.int64)
        holidays = holidays[(holidays >= self.low) & (holidays < self.low + len(self._day_month))]
        if len(holidays):
            is_holiday = np.zeros(len(self._day_month), dtype=bool)
            is_holiday[holidays - self.low] = True
            recurring = np.array([not p.is_one_off for p in self.permanences], dtype=bool)
            self.closed |= recurring[self.cell_permanence] & is_holiday[self.day - self.low]
        by_permanence, by_lieu = {}, {}
        for i, p in enumerate(self.permanences):
            by_permanence[p.pk] = [i]
            by_lieu.setdefault(p.lieu_id, []).append(i)
        for closure in closures_for(self.permanences, start, end):
            if closure.permanence_id:
                targets = by_permanence.get(closure.permanence_id, [])
            else:
                targets = by_lieu.get(closure.lieu_id, [])
            low = day_number(max(start, closure.start_date))
            high = day_number(closure.end_date)
            for i in targets:
                begin, stop = self.cells_between(i, low, high)
                self.closed[begin:stop] = True

    def cells_between(self, index: int, low: int, high: int) -> tuple[int, int]:
        """The cells of permanence `index` from day number `low` to `high`: [begin, stop)."""
        first, weeks = int(self.first[index]), int(self.weeks[index])
        begin = min(max(-((first - low) // 7), 0), weeks)  # weeks before the first day >= low
        stop = min(max((high - first) // 7 + 1, 0), weeks)
        offset = int(self.offsets[index])
        return offset + begin, offset + max(begin, stop)

    def add_visits(self, pids: np.ndarray, days: np.ndarray, counts: np.ndarray | None) -> None:
        """Visits of accompagnements logged on (permanence id, day number): one each, or
        `counts`. A visit on a day the permanence is not held is on no slot."""
        if not len(pids) or not len(self.permanences):
            return
        ids = np.array([p.pk for p in self.permanences], dtype=np.int64)
        # Each permanence's index by id (a lookup table: ids are small), -1 for the others.
        table = np.full(max(int(ids.max()), int(pids.max())) + 2, -1, dtype=np.int64)
        table[ids] = np.arange(len(ids))
        index = table[np.where(pids >= 0, pids, -1)]
        known = index >= 0
        index = np.where(known, index, 0)
        delta = days - self.first[index]
        week = delta // 7
        on_slot = known & (delta >= 0) & (delta == 7 * week) & (week < self.weeks[index])
        cell = (self.offsets[:-1][index] + week)[on_slot]
        if counts is None or not len(counts):
            self.visits += np.bincount(cell, minlength=len(self.visits))
        else:
            weights = counts[on_slot].astype(np.float64)  # exact below 2**53
            added = np.bincount(cell, weights=weights, minlength=len(self.visits))
            self.visits += np.rint(added).astype(np.int64)

    def between(self, start: datetime.date, end: datetime.date) -> np.ndarray:
        return (self.day >= day_number(start)) & (self.day <= day_number(end))

    def cells_of(self, indexes, start: datetime.date, end: datetime.date) -> np.ndarray:
        """The cells of some permanences (their indexes) between two dates, without a pass over
        the other cells."""
        low, high = day_number(start), day_number(end)
        ranges = [self.cells_between(i, low, high) for i in indexes]
        if not ranges:
            return np.zeros(0, dtype=np.int64)
        begins, stops = np.array(ranges, dtype=np.int64).T
        sizes = stops - begins
        return np.repeat(begins - np.r_[0, np.cumsum(sizes)[:-1]], sizes) + np.arange(
            int(sizes.sum()), dtype=np.int64
        )

    def stats(self, stats, cells: np.ndarray | None):
        """Fill `stats` (attendance.Stats) with the slots held, closed, empty and the months
        with a slot held among `cells` (a mask or indexes; None: all)."""
        closed = self.closed if cells is None else self.closed[cells]
        visits = self.visits if cells is None else self.visits[cells]
        months = self.month if cells is None else self.month[cells]
        held = ~closed
        stats.closed = int(closed.sum())
        stats.slots = len(closed) - stats.closed
        stats.empty = int((held & (visits == 0)).sum())
        held_months = months[held]
        stats.months = 0
        if len(held_months):
            low = int(held_months.min())
            stats.months = int(np.count_nonzero(np.bincount(held_months - low)))
        return stats

    def per_permanence(self) -> dict[str, np.ndarray]:
        """`grouped` by permanence: a permanence's cells are one block, its days in order."""
        count = len(self.permanences)
        held = ~self.closed
        result = {"cells": self.weeks.copy()}
        starts = self.offsets[:-1]
        nonempty = self.weeks > 0

        def per_block(values: np.ndarray) -> np.ndarray:
            sums = np.zeros(count, dtype=np.int64)
            if len(values):
                sums[nonempty] = np.add.reduceat(values, starts[nonempty], dtype=np.int64)
            return sums

        result["closed"] = per_block(self.closed)
        result["slots"] = self.weeks - result["closed"]
        result["empty"] = per_block(held & (self.visits == 0))
        # A held cell opens a month unless the permanence's previous held cell was that month.
        at = np.flatnonzero(held)
        month, owner = self.month[at], self.cell_permanence[at]
        opens = np.r_[True, (month[1:] != month[:-1]) | (owner[1:] != owner[:-1])][: len(at)]
        result["months"] = np.bincount(owner[opens], minlength=count)
        # Each (permanence, month with a slot held) once: the months of groups of permanences.
        result["held_months"] = (owner[opens], month[opens])
        return result

    def grouped(self, groups: np.ndarray, size: int, months=True) -> dict[str, np.ndarray]:
        """Per group (`groups`: each cell's group, 0 to size - 1): cells, slots held, closed,
        empty, months with a slot held (unless not `months`)."""
        held = ~self.closed
        result = {
            "cells": np.bincount(groups, minlength=size),
            "closed": np.bincount(groups, weights=self.closed, minlength=size).astype(np.int64),
            "empty": np.bincount(groups, weights=held & (self.visits == 0), minlength=size).astype(
                np.int64
            ),
        }
        result["slots"] = result["cells"] - result["closed"]
        if months:
            held_groups, held_months = groups[held], self.month[held]
            result["months"] = months_per_group(held_groups, held_months, size)
        return result


def months_per_group(groups: np.ndarray, months: np.ndarray, size: int) -> np.ndarray:
    """Distinct months per group (0 to size - 1) of (group, month) pairs."""
    if not len(groups):
        return np.zeros(size, dtype=np.int64)
    low = int(months.min())
    span = int(months.max()) - low + 1
    present = np.bincount(groups * span + (months - low), minlength=size * span) > 0
    return present.reshape(size, span).sum(axis=1)
