"""Each thématique's and each type of activity's rows and distinct people per group over the
whole history, written at rebuild and corrected for the overlay when read.

Why: one thématique over the whole history is a third of the rows, one type half of them (three
to nine million at ten million médiations). Counted from its rows, every grouping first takes
their group and pair columns, then marks their pairs: about a second of a national dashboard.
These tables answer it at once.

Written (`build`, with the indexes): for each grouping of `SPECS` and each key of the files
(`keyed`: a thématique's bit, a type's code), per group (`kt_<name>_groups`, the values of the
grouping's rows) the rows having the key (`kt_<name>_rows_<kind>`) and the distinct pairs among
them (`kt_<name>_people_<kind>`), at the key's position (`keyed.position`).

A type's and every row's (« al ») also count from the first month up to each (`_rowsto_`,
`_peopleto_`: the pairs whose first row with the key is in that month or before), for a period
from the first day to a date.

Several thématiques at once, over the whole history: the rows are the sum of their keys' rows
less those counted more than once (`keyed.repeated`); the people, the pairs having any of them,
from the pairs counted per group and set of thématiques (`kt_<name>_masks`: a pair's set, the
bits of all its rows in the grouping).

Read (`totals`): the tables, then the overlay. The files' rows it dropped with the key are
counted out and the scope's rows read again counted in. A pair changes only if one of those
rows is its: for those pairs alone, whether the files gave them the key (any of their rows) and
whether they still have it (a row kept, or read again) are read from their persons' rows
(`index.person_rows`): a pair's rows are all its person's.
"""

import numpy as np

from . import index as index_module  # (index imports this module: read at call time)
from . import keyed, writer

PREFIX = "kt_"
# Grouping: (group column, None: one group; pair column: the pairs counted; people at
# permanences are usager records, elsewhere merged persons; rows at permanences only).
SPECS = {
    "month": ("month", "pair_month", "person", False),
    "lieu": ("lieu", "pair_lieu", "person", False),
    "conseiller": ("conseiller", "pair_conseiller", "person", False),
    "pperm": ("permanence", "pair_pperm", "usager", True),
    "plieu": ("plieu", "pair_plieu", "usager", True),
    "pmonth": ("month", "pair_pmonth", "usager", True),
    "usager": (None, "usager", "usager", True),  # the usagers at permanences, in all
    "person": (None, "person", "person", False),  # the persons, in all (`persons`)
}
# Several thématiques: per grouping, its pairs counted per group and set of thématiques
# (`_masks`), and each person's thématiques (`person_bits`, for Rows.persons).
NAMES = tuple(f"{PREFIX}{name}_groups" for name in SPECS) + tuple(
    f"{PREFIX}{name}_masks" for name in SPECS if name != "person"
)
# A type's and every row's, also from the first month up to each (`totals`' until).
UNTIL_KINDS = ("ty", "al")
NAMES += tuple(
    f"{PREFIX}{name}_{table}_{kind}"
    for name in SPECS
    for table in ("rowsto", "peopleto")
    for kind in UNTIL_KINDS
)
NAMES += (f"{PREFIX}person_bits",) + tuple(
    f"{PREFIX}{name}_{table}_{kind}"
    for name in SPECS
    for table in ("rows", "people")
    for kind in keyed.KINDS
)


def build(facts: dict, built: dict) -> dict[str, np.ndarray]:
    """The tables, from the files' columns and the indexes just built (`vals_month`: the
    months of the rows, the tables' second axis)."""
    permanence = np.asarray(facts["permanence"])

    def column(name):
        return np.asarray(facts[name])

    months = np.asarray(built["vals_month"])
    month_of = np.searchsorted(months, column("month")).astype(np.int16)
    keys = {kind: list(keyed._rows_of_keys(kind, built, column)) for kind in keyed.KINDS}
    out = {}
    for name, (group, pair, _person, at_permanences) in SPECS.items():
        groups_of = None if group is None else column(group)
        if groups_of is None:
            values = np.zeros(1, dtype=np.int64)
        else:
            values = index_module.uniq(groups_of[permanence >= 0] if at_permanences else groups_of)
        values = values.astype(np.int64)
        pairs = column(pair)
        size = int(pairs.max()) + 1 if len(pairs) else 0
        group_of = np.zeros(size, dtype=np.int64)  # each pair's group (its position in values)
        shape = (len(months), len(values))
        bits = np.zeros(size, dtype=np.asarray(facts["t"]).dtype)  # each pair's thématiques
        for kind, found in keys.items():
            rows, people, rows_to, people_to = (
                np.zeros((len(found) if i < 2 or kind in UNTIL_KINDS else 0, *shape), np.int32)
                for i in range(4)
            )
            for at, (value, mine) in enumerate(found):
                if at_permanences:
                    mine = mine[permanence[mine] >= 0]
                groups = (
                    np.zeros(len(mine), dtype=np.int64)
                    if groups_of is None
                    else np.searchsorted(values, groups_of[mine])
                )
                rows[at] = _since(month_of[mine], groups, shape)
                ids = pairs[mine]
                if kind == "tb":
                    bits[ids] |= bits.dtype.type(1 << value)
                last = np.full(size, -1, dtype=np.int16)  # each pair's last month with the key
                np.maximum.at(last, ids, month_of[mine])
                group_of[ids] = groups
                seen = last >= 0
                people[at] = _since(last[seen], group_of[seen], shape)
                if kind in UNTIL_KINDS:  # up to each month: each pair's first month
                    rows_to[at] = _since(month_of[mine], groups, shape, up_to=True)
                    first = np.full(size, np.iinfo(np.int16).max, dtype=np.int16)
                    np.minimum.at(first, ids, month_of[mine])
                    seen = first < np.iinfo(np.int16).max
                    people_to[at] = _since(first[seen], group_of[seen], shape, up_to=True)
            out[f"{PREFIX}{name}_rows_{kind}"] = rows
            out[f"{PREFIX}{name}_people_{kind}"] = people
            if kind in UNTIL_KINDS:
                out[f"{PREFIX}{name}_rowsto_{kind}"] = rows_to
                out[f"{PREFIX}{name}_peopleto_{kind}"] = people_to
        out[f"{PREFIX}{name}_groups"] = values
        if name == "person":
            out[f"{PREFIX}person_bits"] = bits
        else:
            out[f"{PREFIX}{name}_masks"] = _masks(bits, group_of)
    return out


def _masks(bits: np.ndarray, group_of: np.ndarray) -> np.ndarray:
    """The pairs having thématiques counted per group (position) and set of thématiques: rows
    of (group, thématiques, pairs), in order of group; a few hundred sets per group where
    the pairs are thousands."""
    having = np.flatnonzero(bits)
    # At most 32 bits (writer.narrow_mask): the thématiques are fewer (enums.Thematique).
    stride = 1 << (8 * bits.dtype.itemsize)
    cells, counts = np.unique(group_of[having] * stride + bits[having], return_counts=True)
    narrow = stride <= 1 << 16  # half the bytes: masks of sixteen bits, groups and counts int32
    kind = np.int32 if narrow and len(group_of) < 2**31 else np.int64
    return np.array([cells // stride, cells % stride, counts], dtype=kind)


def _since(months: np.ndarray, groups: np.ndarray, shape, up_to: bool = False) -> np.ndarray:
    """Per month (position) and group, how many of these (month, group) are from that month
    on (`up_to`: up to that month): a count per cell, summed from the last month back (from the
    first on)."""
    cells = months.astype(np.int64) * shape[1] + groups
    counts = np.bincount(cells, minlength=shape[0] * shape[1]).reshape(shape)
    return np.cumsum(counts, axis=0) if up_to else np.cumsum(counts[::-1], axis=0)[::-1]


def totals(store, name: str, keys: tuple, fresh: dict | None, since: int = 0, until=None):
    """(groups, rows, people) of the rows of `keys` (`keyed`: one type, or thématiques) from
    the files' row `since` (a period's first; the period runs to the last row), groups in
    order, those without rows left out; `fresh`: the scope's rows read again (each has a key,
    is in the period and belongs to the grouping's rows). None when the store has no tables or
    no overlay, or for several thématiques from a row after the first. With `until` (a type,
    every row): the period runs from the first row to the row before `until`.

    The tables count from the first row of `since`'s month (up to the last of `until`'s): the
    rows of that month outside the period are counted out, and their pairs counted again with
    the overlay's."""
    index = store.index
    overlay = index_module.overlay(store)
    kind = keys[0][0]
    if f"{PREFIX}{name}_rows_{kind}" not in index or overlay is None:
        return None
    several = len(keys) > 1
    if several and (since > 0 or f"{PREFIX}{name}_masks" not in index):
        return None
    tables = ("rows", "people") if until is None else ("rowsto", "peopleto")
    if until is not None and (since > 0 or f"{PREFIX}{name}_rowsto_{kind}" not in index):
        return None
    group, pair, person, at_permanences = SPECS[name]
    facts = store.facts
    values = np.asarray(index[f"{PREFIX}{name}_groups"])
    size = len(facts["day"])
    positions = [keyed.position(index, key) for key in keys]
    # The rows the tables count (`window`: from the first row of `since`'s month to the last,
    # or from the first to the last of `until`'s month) and the period's.
    period = (since, size) if until is None else (0, until)
    first_or_last = since if until is None else until - 1
    if 0 <= first_or_last < size:
        month = facts["month"][first_or_last]
        at_month = int(np.searchsorted(index["vals_month"], month))
        side = "left" if until is None else "right"
        edge = int(np.searchsorted(facts["month"], month, side))  # the month's first row, or end
        window = (edge, size) if until is None else (0, edge)
    else:  # no row of the files: the rows read again may have the keys
        positions, window = [], period
    rows = np.zeros(len(values), dtype=np.int64)
    people = np.zeros(len(values), dtype=np.int64)
    for position in (at for at in positions if at >= 0):
        rows += index[f"{PREFIX}{name}_{tables[0]}_{kind}"][position, at_month]
        people += index[f"{PREFIX}{name}_{tables[1]}_{kind}"][position, at_month]
    if several and positions:
        for more in _repeated(store, keys, at_permanences):
            if group is None:
                rows[0] -= len(more)
            else:
                rows -= _per_group(values, np.asarray(facts[group][more]))
        people = _pairs_with(store, name, keys, values)

    def of_files(where) -> np.ndarray:
        """Which of these files' rows are the grouping's rows with a key."""
        keep = keyed.mask(keys, lambda n: np.asarray(facts[n][where]))
        if at_permanences:
            keep &= np.asarray(facts["permanence"][where]) >= 0
        return keep

    def groups_of(read, count) -> np.ndarray:
        if group is None or not count:
            return np.zeros(count, dtype=np.int64)
        return read(group).astype(np.int64)

    # Out: the rows of the tables' month outside the period, the overlay's dropped rows in it.
    outside = np.r_[np.arange(window[0], period[0]), np.arange(period[1], window[1])]
    outside = outside.astype(np.int64)
    dropped = overlay.dropped
    dropped = dropped[(dropped >= period[0]) & (dropped < period[1])]
    out = np.r_[outside[of_files(outside)], dropped[of_files(dropped)]].astype(np.int64)
    fresh = fresh or {}
    fresh_count = len(fresh[pair]) if fresh else 0
    out_groups = groups_of(lambda n: np.asarray(facts[n][out]), len(out))
    in_groups = groups_of(lambda n: fresh[n], fresh_count)
    values, rows, people = _grown(values, rows, people, in_groups)
    rows -= np.bincount(np.searchsorted(values, out_groups), minlength=len(values))
    rows += np.bincount(np.searchsorted(values, in_groups), minlength=len(values))

    # The pairs touched, and each one's group.
    out_pairs = np.asarray(facts[pair][out]).astype(np.int64)
    in_pairs = fresh[pair].astype(np.int64) if fresh_count else np.zeros(0, dtype=np.int64)
    touched, first = np.unique(np.r_[out_pairs, in_pairs], return_index=True)
    if not len(touched):
        return _present(values, rows, people)
    touched_groups = np.r_[out_groups, in_groups][first]
    # Their persons in the files: a file row's own; a usager read again, the person the files
    # resolved it to (the merges as written).
    persons = [np.asarray(facts["person"][out])]
    if fresh_count:
        ids = fresh[person]
        if person == "usager":
            base = store.base_people if store.base_people is not None else store.people
            ids = writer.resolve(base["merged"], ids)
        persons.append(ids)
    file_rows, _owner = store.index.person_rows(
        index_module.uniq(np.concatenate(persons).astype(np.int64))
    )
    file_rows = np.sort(file_rows)
    counted_rows = (file_rows >= window[0]) & (file_rows < window[1])
    file_rows = file_rows[counted_rows & of_files(file_rows)]
    file_pairs = np.asarray(facts[pair][file_rows]).astype(np.int64)
    # Counted by the tables: a row of the key in their window; now: a row kept in the period.
    counted = index_module.member(touched, index_module.uniq(file_pairs))
    now = (file_rows >= period[0]) & (file_rows < period[1])
    if store.kept is not None:
        now &= store.kept[file_rows]
    has = index_module.member(touched, index_module.uniq(np.r_[file_pairs[now], in_pairs]))
    change = has.astype(np.int64) - counted.astype(np.int64)
    people += np.bincount(
        np.searchsorted(values, touched_groups), weights=change, minlength=len(values)
    ).astype(np.int64)
    return _present(values, rows, people)


def _repeated(store, keys: tuple, at_permanences: bool) -> list[np.ndarray]:
    """keyed.repeated_rows over the files, at permanences only if asked (kept for the next
    grouping)."""
    found = keyed.repeated_rows(store, keys, 0, len(store.facts["day"]))
    if not at_permanences:
        return found
    known = store.cache.get("repeated_at_permanences")
    if known is None or known[0] is not found:
        permanence = store.facts["permanence"]
        known = (found, [more[np.asarray(permanence[more]) >= 0] for more in found])
        store.cache["repeated_at_permanences"] = known
    return known[1]


def _per_group(values: np.ndarray, found: np.ndarray) -> np.ndarray:
    """How many of `found` are each of `values` (sorted; each found is one): a count over
    their span when it is not much larger than they are, else each one's position found."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    low, span = int(values[0]), int(values[-1]) - int(values[0]) + 1
    if span > 4 * len(found) + 65536:
        return np.bincount(np.searchsorted(values, found), minlength=len(values))
    return np.bincount(found.astype(np.int64) - low, minlength=span)[values - low]


def _pairs_with(store, name: str, keys: tuple, values: np.ndarray) -> np.ndarray:
    """Per group of `values`, the files' pairs of the grouping having any of the keys'
    thématiques: the counts of the sets of thématiques that have one."""
    groups, masks, counts = np.asarray(store.index[f"{PREFIX}{name}_masks"])
    having = (masks & keyed.bits_of(keys)) != 0
    return np.bincount(groups[having], weights=counts[having], minlength=len(values)).astype(
        np.int64
    )


def persons(store, keys: tuple, fresh: np.ndarray | None) -> np.ndarray | None:
    """Which persons have a row of the thématiques `keys` over the whole history, as
    Rows.persons (a mask by person id; `fresh`: the persons of the scope's rows read again):
    those the files gave them, from each person's thématiques, but those the overlay dropped
    rows of found again from their rows. None for a type, or without the bits."""
    index, facts = store.index, store.facts
    overlay = index_module.overlay(store)
    if keys[0][0] != "tb" or f"{PREFIX}person_bits" not in index or overlay is None:
        return None
    bits = np.asarray(index[f"{PREFIX}person_bits"])
    seen = (bits & keyed.fitted(bits, keyed.bits_of(keys))) != 0
    dropped = overlay.dropped
    dropped = dropped[keyed.mask(keys, lambda n: np.asarray(facts[n][dropped]))]
    touched = index_module.uniq(np.asarray(facts["person"][dropped]).astype(np.int64))
    if len(touched):
        rows, _owner = index.person_rows(touched)
        rows = rows[keyed.mask(keys, lambda n: np.asarray(facts[n][rows]))]
        if store.kept is not None:
            rows = rows[store.kept[rows]]
        seen[touched] = False
        seen[np.asarray(facts["person"][rows])] = True
    if fresh is not None and len(fresh):
        if int(fresh.max()) >= len(seen):
            seen = np.r_[seen, np.zeros(int(fresh.max()) + 1 - len(seen), dtype=bool)]
        seen[fresh] = True
    return seen


def _grown(values, rows, people, more):
    """The tables with the groups only rows read again have (a lieu created since)."""
    new = index_module.uniq(more)
    new = new[~index_module.member(new, values)] if len(values) else new
    if not len(new):
        return values, rows, people
    grown = index_module.uniq(np.r_[values, new])
    at = np.searchsorted(grown, values)
    bigger = [np.zeros(len(grown), dtype=np.int64) for _ in range(2)]
    bigger[0][at], bigger[1][at] = rows, people
    return grown, bigger[0], bigger[1]


def _present(values, rows, people):
    at = np.flatnonzero(rows > 0)
    return values[at], rows[at], people[at]
