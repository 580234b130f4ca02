"""Attendance's rows of one type or of thématiques (`keyed` keys) alone: their visits per
slot and the rows themselves, without a test of every row at permanences.

Written with the rows at permanences (`write`): per run, how many of its rows have each
thématique and each type (`prow_keyruns_<kind>`, at the key's position in
`prow_keypos_<kind>`; a thématique and a type together: its rows counted). Read: those counts,
summed over the keys, less the rows counted more than once (`keyed.repeated`) and the
overlay's dropped rows with a key (counted per run); the rows themselves, when a
grouping reads them, from each thématique's rows (`prow_tbit_rows`) or the type's column.
"""

import numpy as np

from . import index, keyed
from .attendance_overlay import Delta
from .selection import _among


def write(files: dict, starts: np.ndarray) -> None:
    """Add the per-run counts of every key to the files of the rows at permanences."""
    for kind in ("tb", "ty"):  # a thématique and a type: counted from its rows (`counts`)
        present = int(np.bitwise_or.reduce(files["t"])) if len(files["t"]) else 0
        bits = [bit for bit in range(64) if present >> bit & 1]
        found = index.uniq(files["type"])
        types = found[found >= 0].tolist()
        values = bits if kind == "tb" else types
        positions = np.full(max(values, default=-1) + 1, -1, dtype=np.int64)
        counts = np.zeros((len(values), len(starts)), dtype=np.int32)
        for at, value in enumerate(values):
            positions[value] = at
            mine = keyed.mask(((kind, value),), files.__getitem__)
            if len(starts):
                counts[at] = np.add.reduceat(mine.astype(np.int32), starts)
        narrow = not counts.size or int(counts.max()) <= np.iinfo(np.int16).max
        files[f"keyruns_{kind}"] = counts.astype(np.int16) if narrow else counts
        files[f"keypos_{kind}"] = positions


def key(store, scope) -> tuple | None:
    """The keys (`keyed.key_of`) when the scope's only filter is one type or thématiques and
    the store has their tables and its rows at permanences (an overlay of too many rows dropped
    has none: None)."""
    from .aggregates import THEMATIQUE, TYPE
    from .attendance_files import PREFIX  # which imports this module
    from .keyed_totals import PREFIX as TABLES

    found = keyed.key_of(store, scope.chosen(THEMATIQUE), scope.chosen(TYPE))
    if found is None:
        return None
    kind = found[0][0]
    written = "tb" if kind == "tt" else kind  # a thématique and a type: from its rows
    if f"{PREFIX}keyruns_{written}" not in store.facts:
        return None
    if f"{TABLES}usager_rows_{kind}" not in store.index or index.overlay(store) is None:
        return None
    return found


def counts(store, column, found, runs=None) -> np.ndarray:
    """How many rows of the keys the overlay keeps in each run (`runs`: those, None: all;
    `column`: a file of the rows at permanences)."""
    run_start = column("run_start")
    per_run = np.zeros(max(len(run_start) - 1, 0), dtype=np.int64)
    if found[0][0] == "tt":  # its rows counted per run (the thématique's rows of the type)
        per_run += _per_run(_rows_of(column, found), run_start)
    else:
        for kind, value in found:
            positions = column(f"keypos_{kind}")
            at = int(positions[value]) if value < len(positions) else -1
            if at >= 0:
                per_run += column(f"keyruns_{kind}")[at]
    for more in keyed.repeated(found, column):  # rows with several of the thématiques
        per_run -= _per_run(np.flatnonzero(more), run_start)
    overlay = index.overlay(store)
    if len(overlay.dropped):
        facts = store.facts
        dropped = overlay.dropped[np.asarray(facts["permanence"][overlay.dropped]) >= 0]
        dropped = dropped[keyed.mask(found, lambda n: np.asarray(facts[n][dropped]))]
        keys = (np.asarray(facts["permanence"][dropped]).astype(np.int64) << 32) | np.asarray(
            facts["day"][dropped]
        ).astype(np.int64)
        np.subtract.at(per_run, np.searchsorted(column("run_key"), keys), 1)
    return per_run if runs is None else per_run[runs]


def rows(store, column, found, blocks=None) -> np.ndarray:
    """The rows at permanences of the keys that the overlay keeps (positions, in order); with
    `blocks` (each chosen permanence's first row in the period and its end), those only."""
    mine = _within(_rows_of(column, found), blocks)
    if store.kept is not None:
        mine = mine[store.kept[column("row")[mine]]]
    return mine


def _rows_of(column, found) -> np.ndarray:
    """Every row at permanences of the keys, in order (dropped ones too)."""
    kind, value = found[0]
    types = column("type")
    if kind == "ty":
        return np.flatnonzero(types == types.dtype.type(value))
    if kind == "tb":
        return _themes_rows(column, [value for _kind, value in found])
    mine = _themes_rows(column, [value // keyed.PER_BIT])  # a thématique's rows of a type
    return mine[types[mine] == value % keyed.PER_BIT]


def _themes_rows(column, codes) -> np.ndarray:
    """The rows at permanences having any of these thématique bits, in order: one's written at
    rebuild, several's by a test of the rows' bits."""
    if not codes:
        return np.zeros(0, dtype=np.int64)
    if len(codes) == 1:
        order, starts = column("tbit_rows"), column("tbit_starts")
        return np.asarray(order[starts[codes[0]] : starts[codes[0] + 1]])
    return np.flatnonzero(keyed.mask(tuple(("tb", code) for code in codes), column))


def _within(mine: np.ndarray, blocks) -> np.ndarray:
    """Those of these rows (in order) inside the blocks (first rows, ends; None: all)."""
    if blocks is None:
        return mine
    begin, end = (np.searchsorted(mine, b.astype(mine.dtype)) for b in blocks)
    return mine[index.spans(begin, end)]


# --- Filters of the rows of runs (attendance_rows' selection) ----------------------------------


def kept(store, column, keep, period, rows) -> np.ndarray:
    """`keep` (a mask of the runs' rows `rows`; None: all) without the overlay's dropped rows:
    those few cleared when the rows are one block and a filter made `keep` (`period`: the
    chosen permanences, first and last day), else every row's tested."""
    few = None
    if keep is not None and isinstance(rows, slice):
        few = Delta.of(store, *period, {})
    if few is None:
        stays = store.kept[column("row")[rows]]
        return stays if keep is None else keep & stays
    at = few.positions(column("run_key"), column("run_start"), column("row"))
    keep[at - rows.start] = False
    return keep


def narrowed(store, column, filters, blocks=None, runs=None) -> tuple[np.ndarray, np.ndarray]:
    """The rows at permanences of the chosen thématiques (any of them) that the other filters
    (`filters`: thématiques, type codes, the viewer's own conseiller, conseillers) and the
    overlay keep, tested on those rows only, and how many in each run (`blocks`, `runs`: as
    `rows` and `counts`)."""
    themes, types, own, conseillers = filters
    codes = [store.dictionaries["t"].codes.get(value) for value in themes]
    mine = _within(_themes_rows(column, [code for code in codes if code is not None]), blocks)
    keep = np.ones(len(mine), dtype=bool)
    if own is not None:
        keep &= column("conseiller")[mine] == own
    if conseillers:
        keep &= _among(column("conseiller")[mine], conseillers)
    if types:
        keep &= _among(column("type")[mine], types)
    if store.kept is not None:
        keep &= store.kept[column("row")[mine]]
    mine = mine[keep]
    counts = _per_run(mine, column("run_start"))
    return mine, counts if runs is None else counts[runs]


def _per_run(rows: np.ndarray, run_start: np.ndarray) -> np.ndarray:
    """How many of these rows (positions, in order) fall in each run: a running count of them
    read at the runs' starts (60 ms for three million runs at 10 M, a search per run 94); few
    rows, each one's run found and counted."""
    runs = max(len(run_start) - 1, 0)
    if len(rows) * 8 < runs:
        at = np.searchsorted(run_start, rows.astype(run_start.dtype), "right") - 1
        return np.bincount(at, minlength=runs)
    marks = np.zeros(int(run_start[-1]) + 1 if len(run_start) else 1, dtype=np.int32)
    marks[rows + 1] = 1
    np.cumsum(marks, out=marks)
    return np.diff(marks[run_start]).astype(np.int64)
