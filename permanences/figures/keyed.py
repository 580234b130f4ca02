"""The rows of one thématique or one type of activity, counted apart: a dashboard filtered on
one of them over a long period reads these counts instead of taking its millions of rows.

A key is (kind, value): ("tb", a thématique's bit) or ("ty", a type of activity's code). Written
with the indexes, for each key the files have (`<positions>`: each value's position, -1: none):
the running counts per block of the coded columns and the bits among its rows
(`cum_<name>_<kind>`: position, block, bin), like the whole period's `cum_<name>`. A type's
include the grouped columns (month, lieu, conseiller); a thématique's would weigh a hundred
megabytes at ten million rows, and its whole history is in `keyed_totals`.
"""

import numpy as np

from . import index as index_module  # (index imports this module: read at call time)

KINDS = {"tb": "tbits", "ty": "typos"}  # each kind's positions by value


def counted(kind: str) -> tuple[str, ...]:
    """The columns counted per block among a key's rows."""
    i = index_module
    return i.CODED + i.BITS + (i.GROUPED if kind == "ty" else ())


def names() -> tuple[str, ...]:
    return tuple(KINDS.values()) + tuple(f"cum_{n}_{k}" for k in KINDS for n in counted(k))


def key_of(store, themes, types) -> tuple[str, int] | None:
    """The key of a scope whose only filter, period aside, is one thématique or one type
    (`themes`, `types`: the values chosen); None for any other."""
    if len(themes) == 1 and not types:
        code = store.dictionaries["t"].codes.get(themes[0])
        return None if code is None else ("tb", code)
    if len(types) == 1 and not themes:
        code = store.dictionaries["type"].codes.get(types[0])
        return None if code is None else ("ty", code)
    return None


def mask(key: tuple[str, int], read) -> np.ndarray:
    """Which of the rows `read(column)` reads have the key."""
    kind, value = key
    if kind == "tb":
        return (read("t") & np.uint64(1 << value)) != 0
    return read("type") == read("type").dtype.type(value)


def position(index, key: tuple[str, int]) -> int:
    """The key's position in its tables; -1 when the files have no row of it (or no tables)."""
    kind, value = key
    positions = index.get(KINDS[kind])
    if positions is None or not 0 <= value < len(positions):
        return -1
    return int(positions[value])


def table(index, name: str, key: tuple[str, int]) -> np.ndarray:
    return index[f"cum_{name}_{key[0]}"][position(index, key)]


def per_key_counts(built: dict, column, dictionaries, block: int) -> dict[str, np.ndarray]:
    """The tables of every key of the files' rows (`built`: the indexes built so far)."""
    out = {}
    blocks = -(-len(column("day")) // block) + 1
    for kind, positions in KINDS.items():
        keys = list(_rows_of_keys(kind, built, column))
        size = 64 if kind == "tb" else max((value for value, _rows in keys), default=-1) + 1
        out[positions] = np.full(size, -1, dtype=np.int64)
        for at, (value, _rows) in enumerate(keys):
            out[positions][value] = at
        for name in counted(kind):
            whole = built[f"cum_{name}"]
            grouped = name in index_module.GROUPED  # thousands of bins: half the bytes
            kind_of = np.int32 if grouped else np.int64
            tables = np.zeros((len(keys), blocks, whole.shape[1]), dtype=kind_of)
            for at, (_value, rows) in enumerate(keys if whole.shape[1] else []):
                tables[at] = _cumulated_rows(name, rows, column, dictionaries, block, built)
            out[f"cum_{name}_{kind}"] = tables
    return out


def _rows_of_keys(kind: str, built: dict, column):
    """(value, its rows in order) of each key of this kind the files have."""
    if kind == "tb":
        starts = built["permstarts_tbit"]
        for bit in range(64):
            if starts[bit + 1] > starts[bit]:
                rows = built["perm_tbit"][starts[bit] : starts[bit + 1]]
                yield bit, np.asarray(rows).astype(np.int64)
        return
    types = column("type")
    present = index_module.uniq(types)
    for code in present[present >= 0].tolist():
        yield code, np.flatnonzero(types == code)


def _cumulated_rows(name, rows, column, dictionaries, block, built) -> np.ndarray:
    """What the indexes' `cum_<name>` gives, counting only these rows (sorted)."""
    whole = built[f"cum_{name}"]
    blocks, size = whole.shape
    if name in index_module.BITS:
        values = column(name)[rows]
        distinct = index_module.uniq(values)
        keys = (rows // block) * len(distinct) + np.searchsorted(distinct, values)
        counts = np.bincount(keys, minlength=(blocks - 1) * len(distinct))
        counts = counts.reshape(blocks - 1, len(distinct)) @ index_module._bit_matrix(distinct)
    else:
        if name in index_module.GROUPED:
            codes = np.searchsorted(built[f"vals_{name}"], column(name)[rows])
        else:
            codes = index_module.coded(name, lambda n: column(n)[rows], dictionaries) + 1
        keys = (rows // block) * size + codes.astype(np.int64)
        counts = np.bincount(keys, minlength=(blocks - 1) * size).reshape(blocks - 1, size)
    out = np.zeros((blocks, size), dtype=np.int64)
    np.cumsum(counts, axis=0, out=out[1:])
    return out
