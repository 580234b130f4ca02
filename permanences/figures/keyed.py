"""The rows of one thématique or one type of activity, counted apart: a dashboard filtered on
one of them over a long period reads these counts instead of taking its millions of rows.

A key is (kind, value): ("tb", a thématique's bit), ("ty", a type of activity's code) or ("tt",
a thématique's bit × PER_BIT + a type's code: one thématique and one type together). Written
with the indexes, for each key the files have (`<positions>`: each value's position, -1: none):
the running counts per block of the coded columns and the bits among its rows
(`cum_<name>_<kind>`: position, block, bin), like the whole period's `cum_<name>`. A type's
include the grouped columns (month, lieu, conseiller); a thématique's would weigh a hundred
megabytes at ten million rows, and its whole history is in `keyed_totals`.

Why the pairs of a thématique and a type: « individuel, aide aux démarches » is a view a
coordinator asks for, and the rows of both are a fifth of the whole (three million at ten
million médiations), counted from the rows in about a second. Their tables weigh as much as
the thématiques' times the types (two), an eighth of the store.

Several thématiques at once (their rows: those with any of them) are read as the sum of their
keys' counts, less the rows counted more than once (`repeated`: found by a test of the period's
bits, a fraction of the rows).
"""

import numpy as np

from . import index as index_module  # (index imports this module: read at call time)

# Each kind's positions by value. "al": every row (value 0), for a period from a day to the last
# without a filter: its tables per month in `keyed_totals`, its counts the whole period's.
KINDS = {"tb": "tbits", "ty": "typos", "tt": "ttpos", "al": "allpos"}
EVERY_ROW = (("al", 0),)
PER_BIT = 256  # a "tt" key's value: bit * PER_BIT + type code (fewer than 256 types)


def counted(kind: str) -> tuple[str, ...]:
    """The columns counted per block among a key's rows ("medfirst": the médiations' first
    rows, their count)."""
    i = index_module
    if kind == "al":
        return ()
    return i.CODED + i.BITS + ("medfirst",) + (i.GROUPED if kind == "ty" else ())


def names() -> tuple[str, ...]:
    return tuple(KINDS.values()) + tuple(f"cum_{n}_{k}" for k in KINDS for n in counted(k))


def key_of(store, themes, types) -> tuple[tuple[str, int], ...] | None:
    """The keys of a scope whose only filter, period aside, is one type, thématiques (its rows:
    those with any of them) or one thématique and one type (`themes`, `types`: the values
    chosen); None for any other, or for values the files do not have."""
    if len(themes) == 1 and len(types) == 1:
        bit = store.dictionaries["t"].codes.get(themes[0])
        code = store.dictionaries["type"].codes.get(types[0])
        if bit is None or code is None or not 0 <= code < PER_BIT:
            return None
        return (("tt", bit * PER_BIT + code),)
    if themes and not types:
        codes = [store.dictionaries["t"].codes.get(value) for value in themes]
        if None in codes:
            return None
        return tuple(("tb", code) for code in sorted(set(codes)))
    if len(types) == 1 and not themes:
        code = store.dictionaries["type"].codes.get(types[0])
        return None if code is None else (("ty", code),)
    return None


def mask(keys: tuple[tuple[str, int], ...], read) -> np.ndarray:
    """Which of the rows `read(column)` reads have any of the keys."""
    kind, value = keys[0]
    if kind == "al":
        return np.ones(len(read("day")), dtype=bool)
    if kind == "tb":
        values = read("t")
        return (values & fitted(values, bits_of(keys))) != 0
    if kind == "tt":
        values = read("t")
        having = (values & fitted(values, 1 << value // PER_BIT)) != 0
        return having & (read("type") == value % PER_BIT)
    values = read("type")
    return values == values.dtype.type(value)


def repeated(keys: tuple[tuple[str, int], ...], read) -> list[np.ndarray]:
    """Where the rows `read` reads are counted more than once by the sum of the keys' counts:
    the rows with two keys or more, then with three or more… (a row with n keys is in n - 1 of
    these masks)."""
    if len(keys) < 2:
        return []
    values = read("t")
    found, left, one = [], values & fitted(values, bits_of(keys)), values.dtype.type(1)
    for _more in keys[1:]:
        left &= left - one  # its lowest key taken out
        more = left != 0
        if not more.any():
            break
        found.append(more)
    return found


def repeated_rows(store, keys, low: int, high: int) -> list[np.ndarray]:
    """`repeated` as the files' rows low … high - 1 (dropped ones too), kept for the next
    grouping that asks (the last keys and period only)."""
    if len(keys) < 2:
        return []
    asked = (tuple(keys), low, high)
    known = store.cache.get("repeated")
    if known is None or known[0] != asked:
        read = lambda name: np.asarray(store.facts[name][low:high])  # noqa: E731
        known = (asked, [low + np.flatnonzero(more) for more in repeated(keys, read)])
        store.cache["repeated"] = known
    return known[1]


def bits_of(keys) -> int:
    """The thématique keys' bits as one mask."""
    return sum(1 << value for _kind, value in keys)


def fitted(values: np.ndarray, bits: int):
    """The bits as a scalar of the mask column's own type (an uint64 scalar would widen the
    whole column), those it cannot hold left out: no row has them."""
    return values.dtype.type(int(bits) & int(np.iinfo(values.dtype).max))


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
    if kind == "al":
        yield 0, np.arange(len(column("day")), dtype=np.int64)
        return
    if kind == "tb":
        starts = built["permstarts_tbit"]
        for bit in range(64):
            if starts[bit + 1] > starts[bit]:
                rows = built["perm_tbit"][starts[bit] : starts[bit + 1]]
                yield bit, np.asarray(rows).astype(np.int64)
        return
    if kind == "tt":  # each thématique's rows, per type
        for bit, rows in _rows_of_keys("tb", built, column):
            types = column("type")[rows]
            for code in index_module.uniq(types[types >= 0]).tolist():
                yield bit * PER_BIT + code, rows[types == code]
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
        if name == "medfirst":  # 0 or 1, as in `cum_medfirst`
            codes = built["medfirst"][rows]
        elif name in index_module.GROUPED:
            codes = np.searchsorted(built[f"vals_{name}"], column(name)[rows])
        else:
            codes = index_module.coded(name, lambda n: column(n)[rows], dictionaries) + 1
        keys = (rows // block) * size + codes.astype(np.int64)
        counts = np.bincount(keys, minlength=(blocks - 1) * size).reshape(blocks - 1, size)
    out = np.zeros((blocks, size), dtype=np.int64)
    np.cumsum(counts, axis=0, out=out[1:])
    return out
