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
    number, `closed` whether a closure or a holiday cancels it, `visits` the visits logged."""

    def __init__(self, permanences: list, start: datetime.date, end: datetime.date):
        self.permanences = permanences
        count = len(permanences)
        first = np.zeros(count, dtype=np.int64)  # each permanence's first day held
        weeks = np.zeros(count, dtype=np.int64)  # how many days it is held
        for i, p in enumerate(permanences):
            low = max(start, p.valid_from)
            high = min(end, p.valid_until) if p.valid_until else end
            if low > high:
                continue
            day = low + datetime.timedelta(days=(p.weekday - low.weekday()) % 7)
            if day <= high:
                first[i] = day_number(day)
                weeks[i] = (high - day).days // 7 + 1
        self.first, self.weeks = first, weeks
        self.offsets = np.r_[0, np.cumsum(weeks)].astype(np.int64)
        cells = int(self.offsets[-1])
        self.cell_permanence = np.repeat(np.arange(count, dtype=np.int64), weeks)
        within = np.arange(cells, dtype=np.int64) - self.offsets[:-1][self.cell_permanence]
        self.day = first[self.cell_permanence] + 7 * within
        self.month = writer.months(self.day).astype(np.int64)
        self.closed = np.zeros(cells, dtype=bool)
        self.visits = np.zeros(cells, dtype=np.int64)
        if cells and start <= end:
            self._close(start, end)

    def _close(self, start: datetime.date, end: datetime.date) -> None:
        holidays = np.array([day_number(d) for d in holidays_between(start, end)], dtype=np.int64)
        if len(holidays):
            recurring = np.array([not p.is_one_off for p in self.permanences], dtype=bool)
            self.closed |= recurring[self.cell_permanence] & np.isin(self.day, holidays)
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
                begin, stop = int(self.offsets[i]), int(self.offsets[i + 1])
                days = self.day[begin:stop]
                self.closed[
                    begin + np.searchsorted(days, low) : begin
                    + np.searchsorted(days, high, "right")
                ] = True

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
        on_slot = known & (delta >= 0) & (delta % 7 == 0) & (week < self.weeks[index])
        cell = (self.offsets[:-1][index] + week)[on_slot]
        if counts is None or not len(counts):
            self.visits += np.bincount(cell, minlength=len(self.visits))
        else:
            weights = counts[on_slot].astype(np.float64)  # exact below 2**53
            added = np.bincount(cell, weights=weights, minlength=len(self.visits))
            self.visits += np.rint(added).astype(np.int64)

    def between(self, start: datetime.date, end: datetime.date) -> np.ndarray:
        return (self.day >= day_number(start)) & (self.day <= day_number(end))

    def stats(self, stats, cells: np.ndarray | None):
        """Fill `stats` (attendance.Stats) with the slots held, closed, empty and the months
        with a slot held among `cells` (a mask; None: all)."""
        closed = self.closed if cells is None else self.closed[cells]
        visits = self.visits if cells is None else self.visits[cells]
        months = self.month if cells is None else self.month[cells]
        held = ~closed
        stats.closed = int(closed.sum())
        stats.slots = len(closed) - stats.closed
        stats.empty = int((held & (visits == 0)).sum())
        stats.months = len(np.unique(months[held]))
        return stats

    def grouped(self, groups: np.ndarray, size: int) -> dict[str, np.ndarray]:
        """Per group (`groups`: each cell's group, 0 to size - 1): cells, slots held, closed,
        empty, months with a slot held."""
        held = ~self.closed
        result = {
            "cells": np.bincount(groups, minlength=size),
            "slots": np.bincount(groups[held], minlength=size),
            "closed": np.bincount(groups[self.closed], minlength=size),
            "empty": np.bincount(groups[held & (self.visits == 0)], minlength=size),
        }
        months = np.zeros(size, dtype=np.int64)
        if held.any():
            low = int(self.month[held].min())
            span = int(self.month[held].max()) - low + 1
            pairs = groups[held] * span + (self.month[held] - low)
            present = np.bincount(pairs, minlength=size * span).reshape(size, span) > 0
            months = present.sum(axis=1)
        result["months"] = months
        return result
