"""The médiation log's aggregates computed from the columnar store (`store`), with the meaning
`aggregates` gives them: `aggregates` reads these when a store exists and the viewer's rows can
be selected from it, else runs its SQL. Same inputs, same outputs (tests/permanences/
test_figures_store.py compares both for random filters after random writes)."""

import datetime

import numpy as np

from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from reseau.models import Lieu, Quartier

from ..enums import TypeActivite
from . import store as store_module
from . import writer

EPOCH = datetime.date(1970, 1, 1)


def _day(value: datetime.date) -> int:
    return (value - EPOCH).days


class Rows:
    """The store's rows in a scope; columns are taken on first use."""

    def __init__(self, store, head: slice, head_mask: np.ndarray, fresh_mask: np.ndarray | None):
        self.store = store
        # Of the files' rows (sorted by day): the period's slice and a mask over it (None: all);
        # of the rows read again: a mask (None: there are none).
        self._head = head
        self._head_mask = None if head_mask.all() else head_mask
        self._fresh_mask = fresh_mask
        self._columns = {}

    def __getitem__(self, name) -> np.ndarray:
        if name not in self._columns:
            column = np.asarray(self.store.facts[name][self._head])
            if self._head_mask is not None:
                column = column[self._head_mask]
            if self._fresh_mask is not None:
                column = np.concatenate([column, self.store.fresh[name][self._fresh_mask]])
            self._columns[name] = column
        return self._columns[name]

    def __len__(self) -> int:
        return len(self["med"])

    def person(self) -> np.ndarray:
        """The usager after merges, as aggregates.PERSON (one level of merged_into): the writer
        resolved it for the files' rows, the overlay for the rows read again."""
        return self["person"]

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

    def code_of(self, column: str, value) -> int:
        return self.store.dictionaries[column].codes.get(value, -2)

    def decode(self, column: str, code: int):
        return self.store.dictionaries[column].values[code]


def _viewer_allows(user) -> tuple[bool, int | None]:
    """(the store can answer, the conseiller whose own rows only are shown)."""
    if user is None or (user.is_authenticated and user.is_active and user.sees_whole_city):
        return True, None
    if user.is_authenticated and user.is_active and user.role == Role.CONSEILLER:
        return True, user.pk
    return False, None  # other viewers see no médiation: the live path says so


def rows_for(scope: figures.Scope) -> Rows | None:
    """The scope's rows from the store; None when there is no store (figures computed live)."""
    allowed, own = _viewer_allows(scope.user)
    if not allowed:
        return None
    store = store_module.current()
    if store is None:
        return None
    from .aggregates import THEMATIQUE, TYPE  # here: aggregates imports this module

    days = store.facts["day"]
    low = int(np.searchsorted(days, _day(scope.start), "left")) if scope.start else 0
    high = int(np.searchsorted(days, _day(scope.end), "right")) if scope.end else len(days)
    lieux = list(scope.lieux)
    if scope.quartiers:
        in_quartiers = Lieu.objects.filter(quartier_id__in=scope.quartiers).values_list(
            "pk", flat=True
        )
        lieux = [pk for pk in in_quartiers if not lieux or pk in lieux] or [-2]
    types = [store.dictionaries["type"].codes.get(v, -2) for v in scope.chosen(TYPE)]
    themes = np.uint64(0)
    for value in scope.chosen(THEMATIQUE):
        code = store.dictionaries["t"].codes.get(value)
        if code is not None:
            themes |= np.uint64(1 << code)

    def mask(column, size: int, dated: bool):
        """`column(name)`: the rows' values; `dated`: the period is still to check (the rows
        read again, not sorted by day)."""
        keep = np.ones(size, dtype=bool)
        if dated:
            if scope.start:
                keep &= column("day") >= _day(scope.start)
            if scope.end:
                keep &= column("day") <= _day(scope.end)
        if own is not None:
            keep &= column("conseiller") == own
        if lieux or scope.quartiers:
            keep &= np.isin(column("lieu"), lieux)
        if scope.conseillers:
            keep &= np.isin(column("conseiller"), list(scope.conseillers))
        if scope.chosen(TYPE):
            keep &= np.isin(column("type"), types)
        if scope.chosen(THEMATIQUE):
            keep &= (column("t") & themes) != 0
        return keep

    head = slice(low, high)
    head_mask = mask(lambda name: np.asarray(store.facts[name][head]), high - low, False)
    if store.kept is not None:
        head_mask &= store.kept[head]
    fresh_mask = None
    if store.fresh:
        fresh_mask = mask(store.fresh.__getitem__, len(store.fresh["med"]), True)
    return Rows(store, head, head_mask, fresh_mask)


def distinct(values: np.ndarray) -> int:
    """How many distinct values (non-negative integers): one pass, no sort."""
    if not len(values):
        return 0
    seen = np.zeros(int(values.max()) + 1, dtype=bool)
    seen[values] = True
    return int(seen.sum())


def _unique(values: np.ndarray) -> np.ndarray:
    """The distinct values (non-negative integers), in order."""
    if not len(values):
        return np.array([], dtype=np.int64)
    seen = np.zeros(int(values.max()) + 1, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


def _runs(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how many times each occurs (np.unique without
    its sort)."""
    if not len(sorted_values):
        return sorted_values, np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    counts = np.diff(np.r_[starts, len(sorted_values)])
    return sorted_values[starts], counts


def _group_counts(groups: np.ndarray, persons: np.ndarray) -> list[tuple[int, int, int]]:
    """(group, rows, distinct persons) for each group: one sort of (group, person) pairs."""
    if not len(groups):
        return []
    low = int(groups.min())
    stride = int(persons.max()) + 1
    keys = np.sort((groups.astype(np.int64) - low) * stride + persons)
    found, rows = _runs(keys // stride)
    distinct = keys[np.r_[True, keys[1:] != keys[:-1]]]
    _found, people = _runs(distinct // stride)
    return [(int(g) + low, int(n), int(p)) for g, n, p in zip(found, rows, people, strict=True)]


def _pair_counts(store, pair: str, groups: np.ndarray, pairs: np.ndarray) -> list:
    """_group_counts without a sort: the distinct (group, person) pairs of the rows are the
    distinct pair ids the writer gave them."""
    if not len(groups):
        return []
    low = int(groups.min())
    rows = np.bincount((groups - low).astype(np.intp))
    people = store.pair_people(pair, pairs, low, len(rows))
    present = np.flatnonzero(rows)
    return [
        (int(g) + low, int(n), int(p))
        for g, n, p in zip(present, rows[present], people[present], strict=True)
    ]


def people_sets(rows: Rows) -> dict:
    ind_code = rows.code_of("type", TypeActivite.INDIVIDUEL.value)
    col_code = rows.code_of("type", TypeActivite.COLLECTIF.value)
    types = rows["type"]
    total = {
        "n": len(types),
        "people": distinct(rows.person()),
        "individuels": int((types == ind_code).sum()),
        "collectifs": int((types == col_code).sum()),
        "activites": distinct(rows["med"]),
    }
    result = {"total": total, "month": [], "lieu": [], "conseiller": []}
    for group, n, people in rows.counts("month"):
        month = datetime.date(1970 + group // 12, group % 12 + 1, 1)
        result["month"].append({"month": month, "n": n, "people": people})
    for group, n, people in rows.counts("lieu"):
        result["lieu"].append({"lieu_id": None if group < 0 else group, "n": n, "people": people})
    for group, n, people in rows.counts("conseiller"):
        result["conseiller"].append({"conseiller_id": group, "n": n, "people": people})
    return result


def _counts(rows: Rows, column: str, where: np.ndarray | None = None) -> dict:
    codes = rows[column] if where is None else rows[column][where]
    counts = np.bincount(codes.astype(np.int64)) if len(codes) else []
    return {rows.decode(column, c): int(n) for c, n in enumerate(counts) if n}


def plain_counts(rows: Rows) -> dict[str, dict]:
    aut = _counts(rows, "aut")
    aut.pop(None, None)  # a collective activity
    redirected = rows["redirige"] == rows.code_of("redirige", True)
    structure = _counts(rows, "structure", redirected)
    return {
        "band": _counts(rows, "band"),
        "aut": aut,
        "structure": structure,
        "satisfaction": _counts(rows, "satisfaction"),
        "source": _counts(rows, "source"),
        "redirige": int(redirected.sum()),
    }


def array_sets(rows: Rows) -> dict[str, dict]:
    result = {}
    for key in ("t", "d", "m"):
        # Few distinct sets of values: count rows per set, then add each set to its values.
        masks, times = _runs(np.sort(rows[key]))
        values, counts = rows.store.dictionaries[key].values, {}
        for mask, n in zip(masks.tolist(), times.tolist(), strict=True):
            for code, value in enumerate(values):
                if mask >> code & 1:
                    counts[value] = counts.get(value, 0) + n
        result[key] = counts
    return result


def _age_bands(store, persons: np.ndarray) -> dict[str, int]:
    """Unique usagers per age band (the band of the store's year, models.age_band_expression)."""
    counts = np.bincount(store.people["age"][persons].astype(np.int64))
    values = store.dictionaries["age"].values
    return {values[code]: int(n) for code, n in enumerate(counts) if n}


def publics_sets(rows: Rows) -> dict:
    store = rows.store
    persons = _unique(rows.person())
    persons = persons[(persons < len(store.people["present"]))]
    persons = persons[store.people["present"][persons]]
    result = {"genre": {}, "band": {}, "statut": {}, "quartier": [], "usagers": len(persons)}
    if not len(persons):
        return result
    for key, column in (("genre", "genre"), ("statut", "statut")):
        counts = np.bincount(store.people[column][persons].astype(np.int64))
        values = store.dictionaries[column].values
        result[key] = {values[c]: int(n) for c, n in enumerate(counts) if n}
    result["band"] = _age_bands(store, persons)
    found, counts = _runs(np.sort(store.people["quartier"][persons]))
    quartiers = {q.pk: q for q in Quartier.objects.filter(pk__in=[int(f) for f in found])}
    for pk, n in zip(found, counts, strict=True):
        quartier = quartiers.get(int(pk))
        result["quartier"].append(
            {
                "quartier_id": quartier.pk if quartier else None,
                "nom": quartier.nom if quartier else None,
                "qpv": quartier.qpv if quartier else None,
                "n": int(n),
            }
        )
    return result


def new_count(rows: Rows, start: datetime.date) -> int:
    """People of the scope whose first accompagnement ever (anyone's record, any viewer) is on or
    after `start`: those not seen on any row before it (the files' rows are sorted by day, so
    these are a prefix of them, and the rows read again)."""
    store = rows.store
    persons = rows.person()
    if not len(persons):
        return 0
    before = [store.facts["person"][: int(np.searchsorted(store.facts["day"], _day(start)))]]
    if store.kept is not None:
        before[0] = np.asarray(before[0])[store.kept[: len(before[0])]]
    if store.fresh:
        before.append(store.fresh["person"][store.fresh["day"] < _day(start)])
    size = max([int(persons.max()) + 1] + [int(b.max()) + 1 for b in before if len(b)])
    seen = np.zeros(size, dtype=bool)
    for part in before:
        seen[part] = True
    scope = np.zeros(size, dtype=bool)
    scope[persons] = True
    return int((scope & ~seen).sum())


def persons_seen(rows: Rows, persons: set[int]) -> set[int]:
    """aggregates.persons_seen from the store's people: the rows of the records that are these
    people or were merged into them, and those rows' persons. No list of ids sent to
    PostgreSQL (workshop participants are tens of thousands at national scale)."""
    people = rows.store.people
    merged, present = people["merged"], people["present"]
    wanted = np.array(sorted(persons), dtype=np.int64)
    size = max(len(present), int(wanted.max()) + 1)
    chosen = np.zeros(size, dtype=bool)
    chosen[wanted] = True
    records = np.zeros(size + 1, dtype=bool)  # the last entry: ids not in the people arrays
    into = np.asarray(merged)
    records[: len(present)] = present & (chosen[: len(present)] | ((into >= 0) & chosen[into]))
    usager = rows["usager"]
    found = records[np.where(usager < size, usager, size)]
    return set(_unique(rows.person()[found]).tolist())


def _among(values: np.ndarray, wanted: list[int]) -> np.ndarray:
    """np.isin for ids: a lookup table indexed by id, one pass."""
    if not wanted or not len(values):
        return np.zeros(len(values), dtype=bool)
    table = np.zeros(max(max(wanted), int(values.max())) + 2, dtype=bool)
    table[np.array(wanted, dtype=np.int64)] = True
    return table[values]  # -1 (no permanence) reads the last entry, False


def last_visit(permanences: list[int], today: datetime.date) -> datetime.date | None | bool:
    """The last day up to today with a médiation at one of these permanences (anyone's: the
    attendance period's end); False without a store. The files' rows are sorted by day: read
    backwards from today, a block at a time, until one is found."""
    store = store_module.current()
    if store is None:
        return False
    wanted = np.array(permanences, dtype=np.int64)
    last = None
    if store.fresh:
        fresh = store.fresh
        days = fresh["day"][np.isin(fresh["permanence"], wanted) & (fresh["day"] <= _day(today))]
        last = int(days.max()) if len(days) else None
    day, permanence = store.facts["day"], store.facts["permanence"]
    high = int(np.searchsorted(day, _day(today), "right"))
    block = 1 << 16
    while high > 0 and (last is None or int(day[high - 1]) > last):
        low = max(0, high - block)
        found = np.isin(permanence[low:high], wanted)
        if store.kept is not None:
            found &= store.kept[low:high]
        if found.any():
            hit = int(day[low + int(np.flatnonzero(found)[-1])])
            last = hit if last is None else max(last, hit)
            break
        high, block = low, block * 2
    return EPOCH + datetime.timedelta(days=last) if last is not None else None
