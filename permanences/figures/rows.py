"""The rows of the figures store in a scope (chosen by `selection.rows_for`): `Rows` answers the
counts the engine needs from the indexes when the scope is a whole period (or one thématique's
rows over a period), and from the rows otherwise.
"""

import datetime

import numpy as np

from . import index as index_module
from . import keyed, keyed_totals, writer
from .index import distinct, runs

EPOCH = datetime.date(1970, 1, 1)


def day_number(value: datetime.date) -> int:
    return (value - EPOCH).days


def search(array: np.ndarray, value: int, side: str = "left") -> int:
    """np.searchsorted for one value, in the array's own type: a Python int against an int32
    array makes numpy cast the whole array first (26 ms for the 16 million days)."""
    return int(np.searchsorted(array, array.dtype.type(value), side))


class Rows:
    """The store's rows in a scope; columns are taken on first use.

    The files' rows are those of `low` … `high - 1` (the period) the overlay kept, or when the
    scope has other filters the rows `idx` (found through the lieu or conseiller permutations,
    or by a mask over the period; a function finding them when first read: a type's or
    thématiques' rows are often counted from their tables alone). The rows read again are
    those `fresh_mask` keeps (None: none).
    """

    def __init__(self, store, low, high, idx=None, fresh_mask=None, test=None, keys=None):
        self.store = store
        self.low, self.high = low, high
        self._selected = idx is not None  # a selection of the period's rows
        self._find, self._found = (idx, None) if callable(idx) else (None, idx)
        # The rows are exactly those of this type or these thématiques (`keyed` keys) in the
        # period: the indexes per key count them as a whole period is counted.
        if keys is not None:
            keys = tuple(key for key in keys if keyed.position(store.index, key) >= 0) or None
        self._keys = keys
        self._fresh_mask = fresh_mask
        self._test = test  # (column reader) -> mask of the scope's filters, period aside
        self._columns = {}
        self._memo = {}

    # --- The rows themselves ---

    @property
    def _idx(self) -> np.ndarray | None:
        if self._find is not None:
            self._found, self._find = self._find(), None
        return self._found

    def _selection(self):
        """The files' rows as a slice and a mask over it (None: all), or as indexes."""
        if self._selected:
            return self._idx, None
        if "selection" not in self._memo:
            kept = self.store.kept
            keep = None if kept is None else kept[self.low : self.high]
            if keep is not None and keep.all():
                keep = None
            self._memo["selection"] = keep
        return slice(self.low, self.high), self._memo["selection"]

    def _fresh(self, name) -> np.ndarray | None:
        if self._fresh_mask is None:
            return None
        return self.store.fresh[name][self._fresh_mask]

    def __getitem__(self, name) -> np.ndarray:
        if name not in self._columns:
            where, keep = self._selection()
            stored = self.store.facts[name]
            fresh = self._fresh(name)
            if fresh is not None and not isinstance(where, slice) and _holds(stored.dtype, fresh):
                # The selection taken straight into the column, the rows read again after it:
                # millions of rows copied once, not twice (np.take writes only its own type).
                # mode "clip": the rows are the files' own; numpy buffers `out` in its default
                # mode, "raise" (twice the time of a plain take).
                column = np.empty(len(where) + len(fresh), stored.dtype)
                np.take(np.asarray(stored), where, out=column[: len(where)], mode="clip")
                column[len(where) :] = fresh
            else:
                column = np.asarray(stored[where])
                if keep is not None:
                    column = column[keep]
                if fresh is not None:
                    column = np.concatenate([column, fresh])
            self._columns[name] = column
        return self._columns[name]

    def __len__(self) -> int:
        if self._keys is not None:
            return int(self.code_counts("type").sum())
        if self._overlay() is not None:
            dropped = len(self._overlay().dropped_between(self.low, self.high))
            fresh = self._fresh("med")
            return self.high - self.low - dropped + (0 if fresh is None else len(fresh))
        return len(self["med"])

    def person(self) -> np.ndarray:
        """The usager after merges, as aggregates.PERSON (one level of merged_into): the writer
        resolved it for the files' rows, the overlay for the rows read again."""
        return self["person"]

    def code_of(self, column: str, value) -> int:
        return self.store.dictionaries[column].codes.get(value, -2)

    def decode(self, column: str, code: int):
        return self.store.dictionaries[column].values[code]

    # --- Counts from the indexes when the rows are a whole period ---

    def _overlay(self):
        """The overlay's corrections when the rows are the whole period (no filter but the
        period): the indexes then answer; None otherwise."""
        if self._selected:
            return None
        return index_module.overlay(self.store)

    def _index_counts(self, name, direct, fresh_counts) -> np.ndarray:
        """Counts per bin of `cum_<name>` over the period's rows, overlay applied."""
        overlay = self._overlay()
        counts = self.store.index.range_counts(name, self.low, self.high, direct)
        dropped = overlay.dropped_between(self.low, self.high)
        if len(dropped):
            counts = counts - _pad(direct(dropped), len(counts))
        if self._fresh_mask is not None:
            counts = index_module.added(counts, fresh_counts())
        return counts

    def _key_counts_of(self, name, count, fresh=True) -> np.ndarray | None:
        """`count(column reader)` over the rows of the keys, from the indexes per key (the
        partial blocks, the rows counted by several keys, the rows the overlay dropped and,
        unless `fresh` is False, those it read again counted one by one); None when the rows
        are not the keys' alone, or their tables lack `name`."""
        keys = self._keys
        if keys is None or f"cum_{name}_{keys[0][0]}" not in self.store.index:
            return None
        overlay = index_module.overlay(self.store)
        if overlay is None:
            return None

        def having(where, chosen=keys):  # the count of those rows with any of `chosen`
            read = self._file_column(where)
            mine = keyed.mask(chosen, read)
            return count(lambda n: read(n)[mine])

        counts = np.zeros(0, dtype=np.int64)
        for key in keys:
            direct = lambda a, b=None, k=key: having(a if b is None else slice(a, b), (k,))  # noqa: E731
            found = self.store.index.range_counts(name, self.low, self.high, direct, key=key)
            counts = index_module.added(counts, found)
        # The rows of the period (dropped ones too) the sum counted more than once.
        for rows in keyed.repeated_rows(self.store, keys, self.low, self.high):
            counts = counts - _pad(count(self._file_column(rows)), len(counts))
        dropped = overlay.dropped_between(self.low, self.high)
        if len(dropped):
            counts = counts - _pad(having(dropped), len(counts))
        if self._fresh_mask is not None and fresh:
            counts = index_module.added(counts, count(self._fresh))
        return counts

    def _file_column(self, where):
        """A reader of the files' rows `where`: their columns, and whether each is its
        médiation's first row ("medfirst", from the indexes)."""
        facts, first = self.store.facts, self.store.index.get("medfirst")
        return lambda name: np.asarray((first if name == "medfirst" else facts[name])[where])

    def code_counts(self, name: str) -> np.ndarray:
        """Rows per code + 1 of a coded column (index.CODED)."""
        dictionaries = self.store.dictionaries

        def count(column):
            return index_module.bincount(index_module.coded(name, column, dictionaries))

        if self._overlay() is None:
            per_bit = self._key_counts_of(name, count)
            return count(self.__getitem__) if per_bit is None else per_bit

        def direct(a, b=None):
            return count(self._file_column(a if b is None else slice(a, b)))

        return self._index_counts(name, direct, lambda: count(self._fresh))

    def codes_counts(self, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """code_counts of several coded columns: from the rows, one count of their codes
        combined (a count per column took 40 ms for six million rows)."""
        if self._overlay() is not None or self._keys is not None:
            return {name: self.code_counts(name) for name in names}
        dictionaries = self.store.dictionaries
        columns = [index_module.coded(name, self.__getitem__, dictionaries) for name in names]
        return dict(zip(names, index_module.joint_counts(columns), strict=True))

    def bit_counts(self, name: str) -> np.ndarray:
        """Rows with each bit of a mask column (thématiques, démarches, matériel)."""
        if self._overlay() is None:
            per_bit = self._key_counts_of(
                name, lambda column: index_module.bit_counts(column(name))
            )
            return index_module.bit_counts(self[name]) if per_bit is None else per_bit

        def direct(a, b=None):
            return index_module.bit_counts(self._file_column(a if b is None else slice(a, b))(name))

        return self._index_counts(name, direct, lambda: index_module.bit_counts(self._fresh(name)))

    def group_rows(self, name: str) -> dict[int, int]:
        """Rows per value of a grouped column (month, lieu, conseiller)."""
        values = self.store.index[f"vals_{name}"]

        def dense(a, b=None):
            column = self._file_column(a if b is None else slice(a, b))(name)
            return np.bincount(np.searchsorted(values, column), minlength=len(values))

        if self._by_key(name):  # a key's rows: counted from its tables
            counts = self._key_counts_of(
                name,
                lambda read: np.bincount(
                    np.searchsorted(values, read(name)), minlength=len(values)
                ),
                fresh=False,  # their groups may be new: counted below
            )
        else:
            counts = self._index_counts(name, dense, lambda: np.zeros(0, dtype=np.int64))
        found = np.flatnonzero(counts)
        result = dict(zip(values[found].tolist(), counts[found].tolist(), strict=True))
        return self._with_fresh(result, name)

    def _with_fresh(self, rows: dict[int, int], name: str) -> dict[int, int]:
        """Rows per value of `name` with the rows read again counted in."""
        fresh = self._fresh(name)
        if fresh is not None and len(fresh):
            more, times = index_module.uniq_counts(fresh)
            for value, n in zip(more.tolist(), times.tolist(), strict=True):
                rows[value] = rows.get(value, 0) + n
        return rows

    def med_count(self) -> int:
        """Distinct médiations: each one's first row in the files (a médiation's rows are on
        one day, and share the fields the filters read), and those only read again."""
        store = self.store
        overlay = index_module.overlay(store)
        first = store.index["medfirst"]
        # The keys' rows: their first rows are counted by the indexes per key.
        ones = self._key_counts_of(
            "medfirst", lambda read: np.bincount(read("medfirst"), minlength=2), fresh=False
        )
        if ones is None and (overlay is None or self._selected):
            return distinct(self["med"])
        if ones is None:
            ones = self._index_counts(
                "medfirst",
                lambda a, b=None: np.bincount(
                    np.asarray(first[a if b is None else slice(a, b)]).astype(np.intp),
                    minlength=2,
                ),
                lambda: np.zeros(2, dtype=np.int64),
            )
        count = int(ones[1])
        back = overlay.resurrected
        back = back[(back >= self.low) & (back < self.high)]
        if len(back):
            count += int(np.count_nonzero(self._test(self._file_column(back))))
        fresh = self._fresh("med")
        if fresh is not None and len(fresh):
            count += len(index_module.minus(fresh, overlay.alive_meds))
        return count

    def contains(self, file_rows: np.ndarray) -> np.ndarray:
        """Which of these files' rows (sorted or not) are rows of the scope."""
        if self._selected:
            if not len(self._idx):
                return np.zeros(len(file_rows), dtype=bool)
            at = np.minimum(np.searchsorted(self._idx, file_rows), len(self._idx) - 1)
            return self._idx[at] == file_rows
        inside = (file_rows >= self.low) & (file_rows < self.high)
        if self.store.kept is not None:
            inside &= self.store.kept[file_rows]
        return inside

    def fresh(self, name: str) -> np.ndarray:
        """A column of the scope's rows read again."""
        found = self._fresh(name)
        return np.zeros(0, dtype=np.int64) if found is None else found

    def is_selection(self) -> bool:
        """Whether the rows were selected by a filter (a lieu, a type…), not a whole period."""
        return self._selected

    def persons(self) -> np.ndarray:
        """Which persons have a row: a mask indexed by person id."""
        if "persons" not in self._memo:
            self._memo["persons"] = self._persons()
        return self._memo["persons"]

    def _persons(self) -> np.ndarray:
        overlay = self._overlay()
        whole = self.low == 0 and self.high == len(self.store.facts["day"])
        if whole and self._keys is not None:  # thématiques: their persons' bits
            found = keyed_totals.persons(self.store, self._keys, self._fresh("person"))
            if found is not None:
                return found
        if overlay is None or not whole:
            people = self.person()
            seen = np.zeros(int(people.max()) + 1 if len(people) else 0, dtype=bool)
            seen[people] = True
            return seen
        # The whole history: every person with a row in the files, but those whose rows were
        # all dropped, and the persons of the rows read again.
        seen = self.store.index["first_person"] != index_module.NONE_DAY
        fresh = self._fresh("person")
        more = int(fresh.max()) + 1 if fresh is not None and len(fresh) else 0
        if more > len(seen):
            seen = np.r_[seen, np.zeros(more - len(seen), dtype=bool)]
        elif len(overlay.vanished_persons) or more:
            seen = seen.copy()
        seen[overlay.vanished_persons] = False
        if more:
            seen[fresh] = True
        return seen

    def group_counts(self, pair: str) -> list[tuple[int, int, int]]:
        """(group, rows, distinct people) per group of month, lieu or conseiller, in order."""
        themed = self._keyed_totals(pair)
        if themed is not None:
            return themed
        overlay = self._overlay()
        if (overlay is None and not self._by_key(pair)) or not self.store.meta.get("pairs"):
            if pair == "month" and self._selected and self.store.meta.get("pairs"):
                return self._month_counts()
            return self.counts(pair)
        rows = self.group_rows(pair)
        if not rows:
            return []
        low, high = min(rows), max(rows)
        whole = overlay is not None and self.low == 0 and self.high == len(self.store.facts["day"])
        if whole:
            people = self._whole_pairs(pair, overlay, low, high - low + 1)
        else:
            people = self.store.pair_people(pair, self[f"pair_{pair}"], low, high - low + 1)
        return [(g, n, int(people[g - low])) for g, n in sorted(rows.items())]

    def _month_counts(self) -> list[tuple[int, int, int]]:
        """group_counts per month of selected rows: the files are in day order, so a month's
        rows among them are where its first row falls (no column taken, no count per row)."""
        store = self.store
        column = store.facts["month"]
        months = np.asarray(store.index["vals_month"])
        bounds = np.r_[np.searchsorted(column, months.astype(column.dtype)), len(column)]
        per_month = np.diff(np.searchsorted(self._idx, bounds))
        rows = {m: n for m, n in zip(months.tolist(), per_month.tolist(), strict=True) if n}
        rows = self._with_fresh(rows, "month")
        if not rows:
            return []
        low, high = min(rows), max(rows)
        people = store.pair_people("month", self["pair_month"], low, high - low + 1)
        return [(g, n, int(people[g - low])) for g, n in sorted(rows.items())]

    def _by_key(self, name: str) -> bool:
        """Whether a key's tables count its rows per group of `name` (a type's do)."""
        keys = self._keys
        if keys is None or f"cum_{name}_{keys[0][0]}" not in self.store.index:
            return False
        return index_module.overlay(self.store) is not None

    def _keyed_totals(self, pair: str) -> list[tuple[int, int, int]] | None:
        """group_counts of the keys' rows over a period to the last row (a type's and every
        row's, also from the first): their tables, written at rebuild (`keyed_totals`); None
        for other rows."""
        to_last = self.high == len(self.store.facts["day"])
        if self._keys is None or not (to_last or self.low == 0):
            return None
        group, column, person, _at_permanences = keyed_totals.SPECS[pair]
        fresh = None
        if self._fresh_mask is not None:
            fresh = {name: self._fresh(name) for name in (group, column, person)}
        until = None if to_last else self.high
        found = keyed_totals.totals(self.store, pair, self._keys, fresh, self.low, until)
        if found is None:
            return None
        return list(zip(*(array.tolist() for array in found), strict=True))

    def _whole_pairs(self, pair, overlay, low, size) -> np.ndarray:
        """Distinct (group, person) pairs per group over the whole history: the pairs the
        writer numbered, but those left without rows, and those the rows read again add."""
        store = self.store
        values, starts = store.facts[f"pairgroups_{pair}"]
        known = len(store.facts[f"pairkey_{pair}"])
        people = np.zeros(size, dtype=np.int64)
        sizes = np.diff(np.r_[starts, known])
        inside = (values >= low) & (values < low + size)
        people[values[inside] - low] += sizes[inside]
        vanished = overlay.vanished_pairs.get(pair, np.zeros(0, dtype=np.int64))
        fresh = self._fresh(f"pair_{pair}")
        if fresh is not None and len(fresh):
            fresh = index_module.uniq(fresh)
            back = fresh[(fresh >= known) | index_module.member(fresh, vanished)]
        else:
            back = np.zeros(0, dtype=np.int64)
        for ids, sign in ((vanished, -1), (back, 1)):
            if len(ids):
                groups = writer.key_groups(_pair_keys(store, pair, ids)) - low
                people += sign * np.bincount(groups.astype(np.intp), minlength=size)[:size]
        return people

    # --- Counts from the rows ---

    def counts(self, pair: str, groups: np.ndarray | None = None, where=None):
        """(group, rows, distinct people) per group of a `writer.PAIRS` grouping, in order of
        group; `groups`: the rows' groups when not the pair's own column; `where`: a mask of
        the rows to count."""
        column, person = writer.PAIRS[pair]
        groups = self[column] if groups is None else groups
        people = self.person() if person == "person" else self["usager"]
        if where is not None:
            groups, people = groups[where], people[where]
        # A small selection sorts faster than it scans the arrays of every pair.
        if not self.store.meta.get("pairs") or len(groups) * 8 < self.store.pair_count(pair):
            return _group_counts(groups, people)
        pairs = self[f"pair_{pair}"] if where is None else self[f"pair_{pair}"][where]
        return _pair_counts(self.store, pair, groups, pairs)


def _holds(kind: np.dtype, values: np.ndarray) -> bool:
    """Whether the stored column's type holds these values (the rows read again are read as
    int64: a lieu created since may pass the int16 its column was narrowed to)."""
    if values.dtype == kind or not len(values):
        return True
    if kind.kind not in "iu" or values.dtype.kind not in "iu":
        return False
    limits = np.iinfo(kind)
    return limits.min <= int(values.min()) and int(values.max()) <= limits.max


def _pair_keys(store, pair: str, ids: np.ndarray) -> np.ndarray:
    """The keys of pair ids: the files' pairs, then those only the rows read again have."""
    known = store.facts[f"pairkey_{pair}"]
    keys = np.empty(len(ids), dtype=np.int64)
    inner = ids < len(known)
    keys[inner] = np.asarray(known)[ids[inner]]
    keys[~inner] = store.pair_extra[pair][ids[~inner] - len(known)]
    return keys


def _pad(counts: np.ndarray, size: int) -> np.ndarray:
    return counts if len(counts) >= size else np.r_[counts, np.zeros(size - len(counts), int)]


def _group_counts(groups: np.ndarray, persons: np.ndarray) -> list[tuple[int, int, int]]:
    """(group, rows, distinct persons) for each group: one sort of (group, person) pairs."""
    if not len(groups):
        return []
    low = int(groups.min())
    stride = int(persons.max()) + 1
    keys = np.sort((groups.astype(np.int64) - low) * stride + persons)
    found, rows = runs(keys // stride)
    distinct = keys[np.r_[True, keys[1:] != keys[:-1]]]
    _found, people = runs(distinct // stride)
    return [(int(g) + low, int(n), int(p)) for g, n, p in zip(found, rows, people, strict=True)]


def _pair_counts(store, pair: str, groups: np.ndarray, pairs: np.ndarray) -> list:
    """_group_counts without a sort: the distinct (group, person) pairs of the rows are the
    distinct pair ids the writer gave them."""
    if not len(groups):
        return []
    low = int(groups.min())
    rows = np.bincount(np.subtract(groups, low, dtype=np.intp))  # one pass, no copy
    people = store.pair_people(pair, pairs, low, len(rows))
    present = np.flatnonzero(rows)
    return [
        (int(g) + low, int(n), int(p))
        for g, n, p in zip(present, rows[present], people[present], strict=True)
    ]
