"""The figures store's indexes: what the writer derives once from the day-sorted rows, so that
the engine answers the whole history, a period, a lieu or a conseiller without passes over
every row (at national scale a pass over 16 million rows costs 50–150 ms; the dashboard made
about forty).

- Per block of BLOCK rows, the running count of each value of the counted columns (activity
  type, duration band, autonomy, redirection and the structure redirected to, satisfaction,
  source, month, lieu, conseiller, each thématique / démarche / matériel bit, and the first row
  of each médiation): the counts of a period are the difference of two lines of a table plus at
  most two partial blocks read row by row.
- The rows of each lieu, conseiller and person, in day order (permutations): a lieu's figures
  read its rows only, and the overlay finds the rows a person still has.
- Each person's first day (new usagers).
- Each thématique's rows and distinct people per group over the whole history
  (`keyed_totals`).

The overlay (`overlay.apply`: rows dropped from the files, rows read again) is applied to
these by `Overlay`: what the dropped rows took away and what the rows read again add, computed
once per state of the change log, like the overlay itself.
"""

import numpy as np

from . import keyed, keyed_totals

BLOCK = 1 << 16
NONE_DAY = np.iinfo(np.int32).max  # a person without rows

# Columns counted per block: the store's code columns, and "rstruct" (the structure redirected
# to, -1 when not redirected). Codes are counted at code + 1, so -1 has a bin of its own.
CODED = ("type", "band", "aut", "redirige", "satisfaction", "source", "rstruct")
GROUPED = ("month", "lieu", "conseiller")  # ids: counted per distinct value (`vals_<name>`)
BITS = ("t", "d", "m")
PERMUTED = ("lieu", "conseiller")
# Past this many rows dropped by the overlay (a mass update before the next rebuild), the engine
# reads the rows themselves rather than correcting the indexes row by row.
MAX_DROPPED = 1 << 20


# numpy 2.4's np.unique (and setdiff1d, isin, which use it) hashes: 0.4–0.5 s for half a million
# ids where a sort takes 30 ms. These sort.


def uniq(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted."""
    ordered = np.sort(np.asarray(values))
    if not len(ordered):
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def uniq_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and how many times each occurs."""
    ordered = np.sort(np.asarray(values))
    if not len(ordered):
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def member(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which values are among `wanted` (sorted, distinct)."""
    values = np.asarray(values)
    if not len(wanted) or not len(values):
        return np.zeros(len(values), dtype=bool)
    low, span = int(wanted[0]), int(wanted[-1]) - int(wanted[0]) + 1
    if len(values) > 4 * len(wanted) and span <= 4 * len(values):
        # Many values: a table over the wanted range, one lookup each (no binary search).
        table = np.zeros(span + 1, dtype=bool)  # the last entry: outside the range
        table[np.asarray(wanted, dtype=np.int64) - low] = True
        at = values.astype(np.int64) - low
        return table[np.where((at >= 0) & (at < span), at, span)]
    at = np.minimum(np.searchsorted(wanted, values), len(wanted) - 1)
    return wanted[at] == values


def minus(values: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """The distinct values not among `removed`, sorted."""
    values = uniq(values)
    return values[~member(values, uniq(removed))]


def coded(name: str, column, dictionaries) -> np.ndarray:
    """The codes counted for `name` (-1 and up) of the rows `column(name)` reads."""
    if name == "rstruct":
        redirected = dictionaries["redirige"].codes.get(True, -2)
        return np.where(column("redirige") == redirected, column("structure"), -1)
    return column(name)


def bincount(codes: np.ndarray, size: int = 0) -> np.ndarray:
    """Counts per code + 1 (int64)."""
    if not len(codes):
        return np.zeros(size, dtype=np.int64)
    return np.bincount(np.add(codes, 1, dtype=np.intp), minlength=size)


def added(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b for count vectors of different lengths (a dictionary grown by the overlay)."""
    if len(a) < len(b):
        a, b = b, a
    out = a.copy()
    out[: len(b)] += b
    return out


def distinct(values: np.ndarray) -> int:
    """How many distinct values (non-negative integers): one pass, no sort."""
    if not len(values):
        return 0
    seen = np.zeros(int(values.max()) + 1, dtype=bool)
    seen[values] = True
    return int(seen.sum())


def unique(values: np.ndarray) -> np.ndarray:
    """The distinct values (non-negative integers), in order."""
    if not len(values):
        return np.array([], dtype=np.int64)
    seen = np.zeros(int(values.max()) + 1, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


def runs(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how many times each occurs (np.unique without
    its sort)."""
    if not len(sorted_values):
        return sorted_values, np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    counts = np.diff(np.r_[starts, len(sorted_values)])
    return sorted_values[starts], counts


def joint_counts(columns: list[np.ndarray]) -> list[np.ndarray]:
    """bincount of each column (codes from -1), by one bincount of the codes combined
    when their combinations are few."""
    sizes = [int(column.max()) + 2 if len(column) else 1 for column in columns]
    cells = int(np.prod(sizes, dtype=np.int64))
    if not len(columns[0]) or cells > 1 << 24:
        return [bincount(column) for column in columns]
    combined = np.zeros(len(columns[0]), dtype=np.int32)
    for column, size in zip(columns, sizes, strict=True):
        combined *= size
        combined += column
        combined += 1
    counts = np.bincount(combined, minlength=cells).reshape(sizes)
    axes = range(len(sizes))
    return [counts.sum(axis=tuple(j for j in axes if j != i)) for i in axes]


def bit_counts(masks: np.ndarray) -> np.ndarray:
    """How many of the masks have each of the 64 bits (few distinct masks: one count of each
    mask when the bits used are the first twenty, else one sort)."""
    if not len(masks):
        return np.zeros(64, dtype=np.int64)
    if int(masks.max()) < 1 << 20:
        counts = np.bincount(masks.astype(np.intp))
        values = np.flatnonzero(counts)
        return counts[values] @ _bit_matrix(values.astype(np.uint64))
    values, counts = uniq_counts(masks)
    return counts @ _bit_matrix(values)


def _bit_matrix(values: np.ndarray) -> np.ndarray:
    bits = np.arange(64, dtype=np.uint64)
    return ((values[:, None] >> bits[None, :]) & np.uint64(1)).astype(np.int64)


def _cumulated(codes: np.ndarray, size: int, block: int) -> np.ndarray:
    """(blocks + 1, size): the counts of each code (0 … size - 1) before each block's start."""
    blocks = -(-len(codes) // block)
    keys = (np.arange(len(codes), dtype=np.int64) // block) * size + codes
    counts = np.bincount(keys, minlength=blocks * size).reshape(blocks, size)
    out = np.zeros((blocks + 1, size), dtype=np.int64)
    np.cumsum(counts, axis=0, out=out[1:])
    return out


def _permutation(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows in order of value (then of row: day order), each value and where its rows
    start."""
    order = np.argsort(values, kind="stable").astype(np.int32)
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(order) else []
    starts = np.asarray(starts, dtype=np.int64)
    return order, ordered[starts], np.r_[starts, len(order)]


def rows_per_bit(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows having each bit, in row order, bit after bit (bit b: rows starts[b] … starts[b
    + 1] - 1 of the first array): a thématique's rows without a pass over every row."""
    present = int(np.bitwise_or.reduce(masks)) if len(masks) else 0
    parts, starts = [], np.zeros(65, dtype=np.int64)
    for bit in range(64):
        if present >> bit & 1:
            parts.append(np.flatnonzero(masks & np.uint64(1 << bit)).astype(np.int32))
        starts[bit + 1] = starts[bit] + (len(parts[-1]) if present >> bit & 1 else 0)
    rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    return rows, starts


def build(facts: dict, dictionaries: dict) -> dict[str, np.ndarray]:
    """Every index of the files' rows `facts` (sorted by day)."""
    block = BLOCK
    out = {"block": np.array([block], dtype=np.int64)}

    def column(name):
        return np.asarray(facts[name])

    for name in CODED:
        codes = coded(name, column, dictionaries).astype(np.int64) + 1
        size = max(len(dictionaries[name if name != "rstruct" else "structure"].values) + 1, 1)
        out[f"cum_{name}"] = _cumulated(codes, size, block)
    for name in GROUPED:
        values = column(name)
        present = np.flatnonzero(np.bincount(values.astype(np.int64) + 1)) - 1
        out[f"vals_{name}"] = present.astype(np.int64)
        dense = np.searchsorted(present, values)
        out[f"cum_{name}"] = _cumulated(dense, len(present), block)
    for name in BITS:
        values = uniq(column(name))
        cum = _cumulated(np.searchsorted(values, column(name)), max(len(values), 1), block)
        out[f"cum_{name}"] = cum @ _bit_matrix(values) if len(values) else cum[:, :0]
    med = column("med")
    first = np.zeros(len(med), dtype=bool)
    order = np.argsort(med, kind="stable")  # each médiation's rows in row order
    ordered = med[order]
    first[order[np.r_[True, ordered[1:] != ordered[:-1]]] if len(med) else []] = True
    # The rows of given médiations (the overlay drops those written since) by binary search.
    out["perm_med"], out["sorted_med"] = order.astype(np.int32), ordered
    del order, ordered
    out["medfirst"] = first
    out["cum_medfirst"] = _cumulated(first.astype(np.int64), 2, block)
    for name in PERMUTED:
        out[f"perm_{name}"], out[f"permvals_{name}"], out[f"permstarts_{name}"] = _permutation(
            column(name)
        )
    out["perm_tbit"], out["permstarts_tbit"] = rows_per_bit(column("t"))
    out |= keyed.per_key_counts(out, column, dictionaries, block)
    if all(pair in facts for _g, pair, _p, _a in keyed_totals.SPECS.values()):
        out |= keyed_totals.build(facts, out)
    person = column("person")
    order = np.argsort(person, kind="stable").astype(np.int32)
    counts = np.bincount(person) if len(person) else np.zeros(0, dtype=np.int64)
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    out["perm_person"], out["permstarts_person"] = order, starts
    firsts = np.full(len(counts), NONE_DAY, dtype=np.int32)
    has = counts > 0
    firsts[has] = column("day")[order[starts[:-1][has]]]
    out["first_person"] = firsts
    return out


NAMES = (
    ["block", "medfirst", "cum_medfirst", "perm_person", "permstarts_person", "first_person"]
    + [f"cum_{n}" for n in CODED + GROUPED + BITS]
    + [f"vals_{n}" for n in GROUPED]
    + [f"{kind}_{n}" for n in PERMUTED for kind in ("perm", "permvals", "permstarts")]
)
# Written since; a store without them is read as it is (the overlay then scans the rows), and
# refresh_figures rewrites it soon (store.rebuild_due).
LATER_NAMES = (
    ("perm_med", "sorted_med", "perm_tbit", "permstarts_tbit") + keyed.names() + keyed_totals.NAMES
)


def spans(begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Every position of the ranges begin[i] … end[i] - 1, range after range (int64)."""
    lengths = np.asarray(end, dtype=np.int64) - np.asarray(begin, dtype=np.int64)
    total = int(lengths.sum())
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(np.asarray(begin, dtype=np.int64), lengths) + offsets


class Index(dict):
    """The indexes of a store's files (name → array)."""

    @property
    def block(self) -> int:
        return int(self["block"][0])

    def range_counts(self, name: str, low: int, high: int, direct, key=None) -> np.ndarray:
        """The counts of rows low … high - 1 per bin of `cum_<name>` (with a `keyed` key, among
        the rows of that thématique or type only: `cum_<name>_<kind>`); `direct(a, b)` counts
        rows a … b - 1 one by one (the partial blocks at both ends)."""
        block = self.block
        first, last = -(-low // block), high // block
        if first >= last:
            return direct(low, high)
        cum = self[f"cum_{name}"] if key is None else keyed.table(self, name, key)
        whole = (cum[last] - cum[first]).astype(np.int64)
        return added(added(whole, direct(low, first * block)), direct(last * block, high))

    def rows_of(self, name: str, values, low: int, high: int) -> np.ndarray:
        """The rows low … high - 1 whose `name` is one of `values`, in order (int64)."""
        order, present, starts = (self[f"{k}_{name}"] for k in ("perm", "permvals", "permstarts"))
        at = np.searchsorted(present, np.asarray(list(values), dtype=np.int64))
        parts = []
        for i, value in zip(at.tolist(), values, strict=True):
            if i < len(present) and present[i] == value:
                segment = order[starts[i] : starts[i + 1]]
                parts.append(
                    segment[
                        np.searchsorted(segment, segment.dtype.type(low)) : np.searchsorted(
                            segment, segment.dtype.type(high)
                        )
                    ]
                )
        if not parts:
            return np.zeros(0, dtype=np.int64)
        rows = np.concatenate(parts).astype(np.int64)
        return np.sort(rows) if len(parts) > 1 else rows

    def person_rows(self, persons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The files' rows of these persons (those beyond the index have none), in order of
        person then day, and the position in `persons` of each row's person."""
        starts, order = self["permstarts_person"], self["perm_person"]
        persons = persons[persons < len(starts) - 1]
        begin, end = starts[persons], starts[persons + 1]
        owner = np.repeat(np.arange(len(persons)), end - begin)
        return np.asarray(order[spans(begin, end)]).astype(np.int64), owner

    def bit_rows(self, bit: int, low: int, high: int) -> np.ndarray | None:
        """The rows low … high - 1 having this thématique bit, in order (int64); None for a
        store written without that index. (Several bits: a test of the rows' masks is twice
        as fast as their rows merged.)"""
        if "perm_tbit" not in self:
            return None
        order, starts = self["perm_tbit"], self["permstarts_tbit"]
        segment = order[starts[bit] : starts[bit + 1]]
        kind = segment.dtype.type
        begin = np.searchsorted(segment, kind(low))
        return np.asarray(segment[begin : np.searchsorted(segment, kind(high))]).astype(np.int64)

    def mediation_rows(self, mediations: np.ndarray) -> np.ndarray | None:
        """The files' rows of these médiations (sorted, distinct ids), in no order; None for a
        store written without the index of médiations."""
        if "sorted_med" not in self:
            return None
        ordered = self["sorted_med"]
        # Searched in the array's own type: numpy would otherwise cast all of it first.
        wanted = np.asarray(mediations).astype(ordered.dtype)
        begin = np.searchsorted(ordered, wanted, "left")
        end = np.searchsorted(ordered, wanted, "right")
        return np.asarray(self["perm_med"][spans(begin, end)]).astype(np.int64)


class Overlay:
    """What the overlay changes in the indexes' answers: the files' rows dropped (their
    médiation or usager was written since), the persons and (group, person) pairs left without
    any row, the médiations still there through another row, each person's first day."""

    def __init__(self, store):
        facts, index = store.facts, store.index
        self.store = store
        kept = store.kept
        self.dropped = np.zeros(0, dtype=np.int64) if kept is None else np.flatnonzero(~kept)
        if not len(self.dropped):
            self.vanished_persons = np.zeros(0, dtype=np.int64)
            self.vanished_pairs = {n: np.zeros(0, dtype=np.int64) for n in GROUPED}
            self.resurrected = np.zeros(0, dtype=np.int64)
            self.alive_meds = np.zeros(0, dtype=np.int64)
            self._touched = np.zeros(0, dtype=np.int64)
            self._first_kept = np.zeros(0, dtype=np.int32)
            return
        dropped = self.dropped
        person = facts["person"]
        touched = uniq(person[dropped])
        rows, owner = index.person_rows(touched)
        alive = kept[rows]
        rows, owner = rows[alive], owner[alive]
        self.vanished_persons = minus(touched, person[rows])
        self.vanished_pairs = {}
        for name in GROUPED:
            pairs = facts.get(f"pair_{name}")
            if pairs is None:
                continue
            self.vanished_pairs[name] = minus(pairs[dropped], pairs[rows]).astype(np.int64)
        # Each touched person's first day among the rows kept (rows in day order per person).
        first_kept = np.full(len(touched), NONE_DAY, dtype=np.int32)
        firsts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else []
        first_kept[owner[firsts]] = np.asarray(facts["day"])[rows[firsts]]
        self._touched, self._first_kept = touched, first_kept
        # A médiation whose first row was dropped may keep other rows (a usager written since):
        # its médiation fields did not change, so that first row still says where it counts.
        meds = uniq(facts["med"][dropped])
        day = facts["day"]
        days = uniq(day[dropped])
        same_days = spans(np.searchsorted(day, days, "left"), np.searchsorted(day, days, "right"))
        same_days = same_days[kept[same_days]]
        candidates = np.asarray(facts["med"][same_days])
        self.alive_meds = uniq(candidates[member(candidates, meds)])
        first_dropped = dropped[index["medfirst"][dropped]]
        self.resurrected = first_dropped[member(facts["med"][first_dropped], self.alive_meds)]

    def dropped_between(self, low: int, high: int) -> np.ndarray:
        return self.dropped[
            np.searchsorted(self.dropped, low) : np.searchsorted(self.dropped, high)
        ]

    def first_days(self) -> np.ndarray:
        """Each person's first day (NONE_DAY: none) over every current row, any viewer."""
        cache = self.store.cache
        if "first_days" not in cache:
            firsts = np.asarray(self.store.index["first_person"])
            fresh = self.store.fresh
            size = len(firsts)
            if fresh and len(fresh["person"]):
                size = max(size, int(fresh["person"].max()) + 1)
            if len(self._touched) or size > len(firsts) or fresh:
                grown = np.full(size, NONE_DAY, dtype=np.int32)
                grown[: len(firsts)] = firsts
                grown[self._touched] = self._first_kept
                if fresh:
                    np.minimum.at(grown, fresh["person"], fresh["day"].astype(np.int32))
                firsts = grown
            cache["first_days"] = firsts
        return cache["first_days"]


def overlay(store) -> Overlay | None:
    """The store's Overlay (once per state); None when too many rows were dropped."""
    if "overlay" not in store.cache:
        dropped = 0 if store.kept is None else len(store.kept) - int(store.kept.sum())
        store.cache["overlay"] = Overlay(store) if dropped <= MAX_DROPPED else None
    return store.cache["overlay"]


def load(folder) -> Index | None:
    """The indexes written with the store, or None (an older store: derived at load)."""
    paths = {name: folder / f"index_{name}.npy" for name in NAMES}
    if not all(path.exists() for path in paths.values()):
        return None
    paths |= {name: folder / f"index_{name}.npy" for name in LATER_NAMES}
    return Index(
        {name: np.load(path, mmap_mode="r") for name, path in paths.items() if path.exists()}
    )


def save(folder, built: dict) -> None:
    for name, array in built.items():
        np.save(folder / f"index_{name}.npy", array)
