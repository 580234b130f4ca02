"""Attendance's visits and unique usagers per month when every permanence is chosen without a
filter (the dashboard's usual view): read from per-month sums written at rebuild, the period's
first and last months from their runs only.

Why: summing every run's rows and new usagers by month is two passes over three million runs at
national scale (40 ms); a month inside the period holds every stored run of that month, whose
sums the writer kept (`month_rows`, `month_new`: rows whose usager's previous visit is before
the month).
"""

import numpy as np

from . import slots, writer


def _month_days(months: np.ndarray) -> np.ndarray:
    return slots._month_day(np.asarray(months, dtype=np.int64))


def month_sums(selection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(months, stored rows, rows new in their month) from the period's first month to its
    last, for a selection of every stored permanence without a filter: the overlay's dropped
    rows left out of the rows (not of the new ones: `attendance_overlay` corrects those)."""
    column, lo, hi = selection.column, selection.lo, selection.hi
    first, last = (int(m) for m in writer.months(np.array([lo, hi], dtype=np.int64)))
    groups = np.arange(first, last + 1, dtype=np.int64)
    rows = np.zeros(len(groups), dtype=np.int64)
    new = np.zeros(len(groups), dtype=np.int64)
    ids = column("month_ids").astype(np.int64)
    at = np.searchsorted(groups, ids)
    inside = (ids >= first) & (ids <= last)
    rows[at[inside]] = column("month_rows")[inside]
    new[at[inside]] = column("month_new")[inside]
    # The first and last months, when the period cuts them: their runs within the period.
    start_first, start_last, after_last = (int(d) for d in _month_days([first, last, last + 1]))
    cut = []
    if first == last:
        if lo > start_first or hi < after_last - 1:
            cut.append((first, lo, hi))
    else:
        if lo > start_first:
            cut.append((first, lo, _end(first)))
        if hi < after_last - 1:
            cut.append((last, start_last, hi))
    run_start = column("run_start")
    for month, low, high in cut:
        runs = _runs_between(selection, low, high)
        rows[month - first] = int((run_start[runs + 1] - run_start[runs]).sum())
        if month == first and lo > start_first:
            # Within its first month, a usager is new in the period if not seen since its start.
            spread = slots.spread(run_start[runs], run_start[runs + 1])
            new[0] = int(np.count_nonzero(column("prev_usager")[spread] < lo))
        else:
            new[month - first] = int(column("run_new_month")[runs].sum(dtype=np.int64))
    delta = selection.delta
    if delta is not None and len(delta.dropped):
        months = np.asarray(selection.store.facts["month"])[delta.dropped].astype(np.int64)
        rows -= np.bincount(months - first, minlength=len(groups))[: len(groups)]
    return groups, rows, new


def _end(month: int) -> int:
    """The last day of a month (day number)."""
    return int(_month_days([month + 1])[0]) - 1


def _runs_between(selection, low: int, high: int) -> np.ndarray:
    """The runs (indexes in the store's) of every chosen permanence from day `low` to `high`."""
    run_key = selection.column("run_key")
    chosen = selection.chosen
    begins = np.searchsorted(run_key, (chosen << 32) | low)
    stops = np.searchsorted(run_key, (chosen << 32) | high, "right")
    return slots.spread(begins, stops)
