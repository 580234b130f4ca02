"""The médiation log's aggregates computed from the columnar store (`store`), with the meaning
`aggregates` gives them: `aggregates` reads these when a store exists and the viewer's rows can
be selected from it, else runs its SQL. Same inputs, same outputs (tests/permanences/
test_figures_store.py compares both for random filters after random writes)."""

import datetime

import numpy as np

from reseau.models import Quartier

from ..enums import TypeActivite
from . import index, writer
from . import store as store_module
from .index import distinct, unique
from .rows import EPOCH, Rows, search
from .rows import day_number as _day
from .selection import rows_for, viewer_allows

__all__ = ["Rows", "distinct", "rows_for", "viewer_allows"]


def people_sets(rows: Rows) -> dict:
    types = rows.code_counts("type")
    total = {
        "n": len(rows),
        "people": int(np.count_nonzero(rows.persons())),
        "individuels": _at(types, rows.code_of("type", TypeActivite.INDIVIDUEL.value)),
        "collectifs": _at(types, rows.code_of("type", TypeActivite.COLLECTIF.value)),
        "activites": rows.med_count(),
    }
    result = {"total": total, "month": [], "lieu": [], "conseiller": []}
    for group, n, people in rows.group_counts("month"):
        month = datetime.date(1970 + group // 12, group % 12 + 1, 1)
        result["month"].append({"month": month, "n": n, "people": people})
    for group, n, people in rows.group_counts("lieu"):
        result["lieu"].append({"lieu_id": None if group < 0 else group, "n": n, "people": people})
    for group, n, people in rows.group_counts("conseiller"):
        result["conseiller"].append({"conseiller_id": group, "n": n, "people": people})
    return result


def _at(counts: np.ndarray, code: int) -> int:
    """The count of a code in Rows.code_counts (codes at code + 1); 0 for a code not seen."""
    return int(counts[code + 1]) if 0 <= code + 1 < len(counts) and code >= 0 else 0


def _decoded(rows: Rows, column: str, counts: np.ndarray) -> dict:
    return {rows.decode(column, c - 1): int(counts[c]) for c in np.flatnonzero(counts) if c}


def plain_counts(rows: Rows) -> dict[str, dict]:
    counts = rows.codes_counts(("aut", "rstruct", "band", "satisfaction", "source"))
    aut = _decoded(rows, "aut", counts["aut"])
    aut.pop(None, None)  # a collective activity
    redirected = counts["rstruct"]  # bin 0: not redirected
    return {
        "band": _decoded(rows, "band", counts["band"]),
        "aut": aut,
        "structure": _decoded(rows, "structure", redirected),
        "satisfaction": _decoded(rows, "satisfaction", counts["satisfaction"]),
        "source": _decoded(rows, "source", counts["source"]),
        "redirige": int(redirected[1:].sum()),
    }


def array_sets(rows: Rows) -> dict[str, dict]:
    result = {}
    for key in ("t", "d", "m"):
        counts = rows.bit_counts(key)
        values = rows.store.dictionaries[key].values
        result[key] = {values[c]: int(counts[c]) for c in range(len(values)) if counts[c]}
    return result


_PUBLICS: dict = {}


def _publics_code(store):
    """Each person's genre, statut, age band and quartier as one code (one count per code
    gives the four breakdowns), 0 for an id that is no usager; computed once for the files'
    people, and for an overlay's people patched at the usagers it read again."""
    people = store.people
    known = _PUBLICS.get("current")
    if known is not None and known[0] is people["present"]:
        return known[1]
    base = store.base_people
    code = None
    if base is not None and store.changed_people is not None:
        code = _patched_code(_people_code(base, "base"), people, store.changed_people)
    if code is None:
        code = _people_code(people, "current" if base is not None else "base")
    _PUBLICS["current"] = (people["present"], code)
    return code


def warm() -> None:
    """The store loaded, and what each process derives from it once (the people's codes): a new
    web worker does it before its first visitor (figures.warm_stores)."""
    store = store_module.current()
    if store is not None:
        _publics_code(store)


def _people_code(people: dict, slot: str):
    known = _PUBLICS.get(slot)
    if known is not None and known[0] is people["present"]:
        return known[1]
    # Quartier ids are small: their distinct values and each person's rank among them by a
    # count and a lookup table (a sort of ten million people took half a second).
    quartier = people["quartier"].astype(np.int64) + 1  # -1 (none) at 0
    seen = np.bincount(quartier) if len(quartier) else np.zeros(0, dtype=np.int64)
    quartiers = np.flatnonzero(seen) - 1
    rank = np.zeros(len(seen), dtype=np.int64)
    rank[quartiers + 1] = np.arange(len(quartiers))
    sizes = [int(people[n].max()) + 2 if len(people[n]) else 1 for n in ("genre", "statut", "age")]
    shape = (len(quartiers), *sizes)
    narrow = np.prod(shape) < 2**31 - 1  # half the bytes for the count of millions of people
    kind = np.int32 if narrow else np.int64
    code = _combined(rank[quartier], [people[n] for n in ("genre", "statut", "age")], sizes, kind)
    code += 1
    code[~people["present"]] = 0
    _PUBLICS[slot] = (people["present"], (code, quartiers, shape))
    return _PUBLICS[slot][1]


def _combined(quartier: np.ndarray, columns: list, sizes: list, kind=np.int64) -> np.ndarray:
    code = np.asarray(quartier).reshape(-1).astype(kind)
    for values, size in zip(columns, sizes, strict=True):
        code *= size
        code += np.asarray(values).astype(kind)
        code += 1
    return code


def _patched_code(base_code, people: dict, changed: np.ndarray):
    """The files' people's codes with those of the `changed` ids computed again; None when
    one of them has a quartier or a code the files' people do not (the codes' shape moves)."""
    code, quartiers, shape = base_code
    changed = changed[changed < len(people["present"])]
    values = [people[n][changed] for n in ("genre", "statut", "age")]
    wanted = people["quartier"][changed]
    at = np.minimum(np.searchsorted(quartiers, wanted), max(len(quartiers) - 1, 0))
    if len(changed) and (
        not len(quartiers)
        or (quartiers[at] != wanted).any()
        or any(int(v.max()) + 2 > size for v, size in zip(values, shape[1:], strict=True))
    ):
        return None
    grown = np.zeros(len(people["present"]), dtype=code.dtype)
    grown[: len(code)] = code[: len(grown)]
    new = _combined(at, values, list(shape[1:]), code.dtype.type) + 1
    grown[changed] = np.where(people["present"][changed], new, 0).astype(code.dtype)
    return grown, quartiers, shape


def age_bands_of(persons: np.ndarray) -> dict[str, int] | None:
    """figures.age_bands from the store's people (None without a store, or when one of these
    people is not in it)."""
    store = store_module.current()
    if store is None or not len(persons):
        return None
    present = store.people["present"]
    if int(persons[-1]) >= len(present) or not present[persons].all():
        return None
    counts = np.bincount(store.people["age"][persons].astype(np.int64))
    values = store.dictionaries["age"].values
    return {values[code]: int(n) for code, n in enumerate(counts) if n}


def publics_sets(rows: Rows) -> dict:
    store = rows.store
    code, quartiers, shape = _publics_code(store)
    seen = rows.persons()
    size = min(len(seen), len(code))
    counts = np.bincount(code[:size][seen[:size]], minlength=int(np.prod(shape)) + 1)
    table = counts[1:].reshape(shape)  # quartier, genre, statut, age (each code + 1)
    result = {"genre": {}, "band": {}, "statut": {}, "quartier": [], "usagers": int(table.sum())}
    if not result["usagers"]:
        return result
    for key, column, axes in (
        ("genre", "genre", (0, 2, 3)),
        ("statut", "statut", (0, 1, 3)),
        ("band", "age", (0, 1, 2)),
    ):
        values = store.dictionaries[column].values
        sums = table.sum(axis=axes)
        result[key] = {values[c - 1]: int(sums[c]) for c in np.flatnonzero(sums)}
    per_quartier = table.sum(axis=(1, 2, 3))
    found = quartiers[np.flatnonzero(per_quartier)]
    counts = per_quartier[np.flatnonzero(per_quartier)]
    named = {q.pk: q for q in Quartier.objects.filter(pk__in=[int(f) for f in found if f >= 0])}
    for pk, n in zip(found.tolist(), counts.tolist(), strict=True):
        quartier = named.get(pk)
        result["quartier"].append(
            {
                "quartier_id": quartier.pk if quartier else None,
                "nom": quartier.nom if quartier else None,
                "qpv": quartier.qpv if quartier else None,
                "n": n,
            }
        )
    return result


def new_count(rows: Rows, start: datetime.date) -> int:
    """People of the scope whose first accompagnement ever (anyone's record, any viewer) is on or
    after `start`: each person's first day is an index of the store (patched by the overlay)."""
    seen = rows.persons()
    overlay = index.overlay(rows.store)
    if overlay is None:
        return _new_count_scanned(rows, start)
    firsts = overlay.first_days()
    size = min(len(seen), len(firsts))
    later = np.count_nonzero(seen[:size] & (firsts[:size] >= _day(start)))
    return int(later) + int(np.count_nonzero(seen[size:]))


def _new_count_scanned(rows: Rows, start: datetime.date) -> int:
    """new_count for a store with a mass of changes overlaid: the persons not seen on any row
    before `start` (the files' rows are sorted by day: a prefix of them, and rows read again)."""
    store = rows.store
    persons = rows.person()
    if not len(persons):
        return 0
    before = [store.facts["person"][: search(store.facts["day"], _day(start))]]
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


def persons_seen(rows: Rows, persons) -> set[int]:
    """aggregates.persons_seen from the store's people (see `seen_among`)."""
    return set(seen_among(rows, persons).tolist())


def seen_among(rows: Rows, persons) -> np.ndarray:
    """aggregates.persons_seen as a sorted array. A record merged into nobody is seen when a row
    of the scope has it as its person (Rows.persons, the mask the unique usagers count): its
    rows are its own and those of the records merged into it, whose person it is. A record that
    was itself merged away (rare) is met through its records' rows (`_seen_through_records`)."""
    if isinstance(persons, np.ndarray):  # sorted and distinct (aggregates.persons_seen)
        wanted = persons.astype(np.int64, copy=False)
    else:
        wanted = np.sort(np.fromiter(persons, dtype=np.int64, count=len(persons)))
    merged = np.asarray(rows.store.people["merged"])
    known = wanted[wanted < len(merged)]
    away = known[merged[known] >= 0]
    if len(away):
        wanted = wanted[~index.member(wanted, away)]
    seen = rows.persons()
    wanted = wanted[wanted < len(seen)]
    found = wanted[seen[wanted]]
    if len(away):
        found = unique(np.concatenate([found, _seen_through_records(rows, away)]))
    return found


def _seen_through_records(rows: Rows, wanted: np.ndarray) -> np.ndarray:
    """The persons of the scope's rows whose record is one of `wanted` (sorted, distinct ids)
    or was merged into one of them. No list of ids sent to PostgreSQL."""
    people = rows.store.people
    merged, present = people["merged"], people["present"]
    size = max(len(present), int(wanted.max()) + 1)
    chosen = np.zeros(size, dtype=bool)
    chosen[wanted] = True
    records = np.zeros(size + 1, dtype=bool)  # the last entry: ids not in the people arrays
    records[: len(present)] = present & chosen[: len(present)]
    into = np.asarray(merged)
    absorbed = _merged_records(people)
    records[absorbed[chosen[into[absorbed]] & present[absorbed]]] = True
    candidates = np.flatnonzero(records[: len(present)])
    if rows.is_selection() and len(rows) < 4 * len(candidates):
        usager = rows["usager"]
        found = records[np.where(usager < size, usager, size)]
        return unique(rows.person()[found])
    # Fewer records than rows: their rows through the person permutation. A kept row's person
    # is its record's after merges (a record written since has its rows read again), so the
    # persons of the records hold their rows.
    store = rows.store
    file_rows, _owners = store.index.person_rows(index.uniq(writer.resolve(into, candidates)))
    file_rows = file_rows[rows.contains(file_rows)]
    usager = np.asarray(store.facts["usager"])[file_rows]
    file_rows = file_rows[records[np.where(usager < size, usager, size)]]
    usager = rows.fresh("usager")
    found = np.concatenate(
        [
            np.asarray(store.facts["person"])[file_rows],
            rows.fresh("person")[records[np.where(usager < size, usager, size)]],
        ]
    )
    return unique(found)


_MERGED: dict = {}


def _merged_records(people: dict) -> np.ndarray:
    """The ids of the records merged into another, once per state of the people."""
    if _MERGED.get("of") is not people["merged"]:
        _MERGED.update(of=people["merged"], ids=np.flatnonzero(np.asarray(people["merged"]) >= 0))
    return _MERGED["ids"]


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
        at = index.member(fresh["permanence"], index.uniq(wanted))
        days = fresh["day"][at & (fresh["day"] <= _day(today))]
        last = int(days.max()) if len(days) else None
    day, permanence = store.facts["day"], store.facts["permanence"]
    high = search(day, _day(today), "right")
    block = 1 << 16
    while high > 0 and (last is None or int(day[high - 1]) > last):
        low = max(0, high - block)
        found = index.member(permanence[low:high], index.uniq(wanted))
        if store.kept is not None:
            found &= store.kept[low:high]
        if found.any():
            hit = int(day[low + int(np.flatnonzero(found)[-1])])
            last = hit if last is None else max(last, hit)
            break
        high, block = low, block * 2
    return EPOCH + datetime.timedelta(days=last) if last is not None else None
