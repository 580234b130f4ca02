"""The figures store's rows at permanences, for attendance (`attendance_rows` reads them):
written at rebuild in order of permanence then day.

Files ("prow_" prefix, beside the store's): `row` (the files' row, for the overlay's kept
mask), the columns the scope filters and counts read, `run_start` (each run's first row, then
the row count), `run_key` (permanence << 32 | day of each run), `run_month`, `run_pid`,
`run_day`, `perm_ids` and `perm_runs` (each stored permanence's first run, then the run count),
`prev_<pair>`: each row's previous visit of the same pair (its day, -1: none), and per run
`run_new_<pair>`, its rows without a previous visit (a period from before every row counts
these), and `run_new_month`, its rows whose usager's previous visit is before the run's month;
per month (`month_ids`), the rows (`month_rows`) and those new in their month (`month_new`).
"""

from pathlib import Path

import numpy as np

from . import attendance_keys, index, writer

PREFIX = "prow_"
COLUMNS = ("day", "usager", "conseiller", "type", "t", "pair_pperm", "pair_plieu", "pair_pmonth")
INDEXES = ("usager", "pair_pperm", "pair_plieu", "pair_pmonth")


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
        files[f"run_new_{name}"] = _per_run(files[f"prev_{name}"] < 0, starts)
    # The rows whose usager's previous visit (anywhere) is before their month: each usager of
    # a month once, whatever the period's months.
    month_days = _month_day(files["run_month"])
    lengths = np.diff(files["run_start"])
    files["run_new_month"] = _per_run(files["prev_usager"] < np.repeat(month_days, lengths), starts)
    # Per month, the rows and those new in their month (a period's whole months, everywhere).
    low = int(files["run_month"].min()) if len(keys) else 0
    months = files["run_month"].astype(np.int64) - low
    files["month_ids"] = np.arange(low, low + (int(months.max()) + 1 if len(keys) else 0))
    for name, values in (("month_rows", lengths), ("month_new", files["run_new_month"])):
        sums = np.bincount(months, weights=values, minlength=len(files["month_ids"]))
        files[name] = np.rint(sums).astype(np.int64)
    # Each thématique's rows among these (index.rows_per_bit): a thématique filter marks them
    # instead of testing every row's bits.
    files["tbit_rows"], files["tbit_starts"] = index.rows_per_bit(np.asarray(files["t"]))
    attendance_keys.write(files, starts)  # per run, the rows of each thématique and type
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


def _month_day(months: np.ndarray) -> np.ndarray:
    """The day number of the first day of months counted from January 1970."""
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int32)


def _per_run(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """True values of a mask over the rows, per run (`starts`: each run's first row)."""
    if not len(starts):
        return np.zeros(0, dtype=np.int32)
    return np.add.reduceat(mask.astype(np.int32), starts).astype(np.int32)
