"""The figures store's overlay: the files' rows with the médiations and usagers logged since the
store was written (its change log) read again from PostgreSQL, so that the figures are the
database's at the time of the request (`store.current`).

Each state of the log is overlaid once per process; from the previous state, only the changes
logged since are applied (the log only grows until the next rebuild)."""

import numpy as np

from . import index, writer
from .store import (
    FACT_COLUMNS,
    Store,
    TooManyValues,
    _encode_facts,
    _encode_people,
    _facts_query,
    _people_query,
)


def apply(cursor, base: Store, changes, previous: Store | None = None) -> Store:
    """The base store with the logged médiations and usagers read again; with `previous` (the
    overlay of an earlier state of the log), that overlay with these further changes.

    The files' rows kept are those whose médiation and usager were not logged: their person
    (after merges) and pair ids are still right. The rows of a logged usager (a merge, say)
    move to the rows read again with the médiations' rows, where they are derived anew."""
    mediations = index.uniq(np.array([m for m, _ in changes if m is not None], dtype=np.int64))
    usagers = index.uniq(np.array([u for _, u in changes if u is not None], dtype=np.int64))
    start = previous or base
    dictionaries = {name: d.copy() for name, d in start.dictionaries.items()}
    size = len(base.facts["med"])
    kept = np.ones(size, dtype=bool) if start.kept is None else start.kept.copy()
    parts = []
    if previous is not None and previous.fresh:
        earlier = {name: previous.fresh[name] for name in FACT_COLUMNS}
        # The rows read again of a médiation logged since are read again once more.
        still = ~index.member(earlier["med"], mediations)
        parts.append({name: values[still] for name, values in earlier.items()})
    if len(mediations):
        sql, params = _facts_query(" WHERE m.id = ANY(%s)")
        cursor.execute(sql, [*params, mediations.tolist()])
        parts.append(_encode_facts(cursor.fetchall(), dictionaries))
        kept[_mediation_rows(base, mediations)] = False
    people = start.people
    if len(usagers) and usagers[-1] >= writer.ID_LIMIT:
        raise TooManyValues("usager")  # its arrays are indexed by id: live until a rebuild
    if len(usagers):
        moved = _usager_rows(base, usagers)
        moved = moved[kept[moved]]
        if len(moved):
            parts.append({name: np.asarray(base.facts[name])[moved] for name in FACT_COLUMNS})
            kept[moved] = False
        cursor.execute(*_people_query(usagers.tolist()))
        ids, columns = _encode_people(cursor.fetchall(), dictionaries)
        people = _patched(start.people, usagers, ids, columns)
    changed = usagers
    if start.changed_people is not None:
        changed = index.uniq(np.concatenate([start.changed_people, usagers]))
    kept = None if kept.all() else kept
    store = Store(
        base.facts,
        people,
        dictionaries,
        kept,
        {},
        base.built_at,
        base.meta,
        index=base.index,
        base_people=base.people,
        changed_people=changed,
    )
    if parts:
        store.fresh = _derived(
            store, {name: np.concatenate([part[name] for part in parts]) for name in FACT_COLUMNS}
        )
    return store


def _mediation_rows(base: Store, mediations: np.ndarray) -> np.ndarray:
    """The files' rows of these médiations (sorted, distinct ids)."""
    rows = base.index.mediation_rows(mediations)
    if rows is None:  # a store written before that index: a scan of the rows
        rows = np.flatnonzero(index.member(base.facts["med"], mediations))
    return rows


def _usager_rows(base: Store, usagers: np.ndarray) -> np.ndarray:
    """The files' rows of these usager records (sorted, distinct ids): among the rows of the
    persons they made when the files were written (index of persons)."""
    persons = index.uniq(writer.resolve(base.people["merged"], usagers))
    rows, _owner = base.index.person_rows(persons)
    return rows[index.member(np.asarray(base.facts["usager"])[rows], usagers)]


def _derived(store: Store, fresh: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rows read again with what the writer derives for the files' rows."""
    usager = fresh["usager"]
    fresh["person"] = writer.resolve(store.people["merged"], usager)
    fresh["month"] = writer.months(fresh["day"])
    perm_lieu = {int(k): v for k, v in store.meta.get("perm_lieu", {}).items()}
    fresh["plieu"] = writer.plieu(fresh["permanence"], perm_lieu)
    for name in ("med", "usager", "person", "lieu", "conseiller", "permanence"):
        if len(usager) and int(fresh[name].max()) >= writer.ID_LIMIT:
            raise TooManyValues(name)  # ids past int32: live until a rebuild says so
    if not store.meta.get("pairs"):
        return fresh
    for name, (group, person) in writer.PAIRS.items():
        keys = writer.pair_keys(fresh[group], fresh[person])
        base = store.facts[f"pairkey_{name}"]
        at = np.minimum(np.searchsorted(base, keys), max(len(base) - 1, 0))
        known = (at < len(base)) & (np.asarray(base[at]) == keys) if len(base) else at < 0
        extra = index.uniq(keys[~known])
        ids = np.where(known, at, len(base) + np.searchsorted(extra, keys))
        fresh[f"pair_{name}"] = ids.astype(np.int64)
        store.pair_extra[name] = extra
    return fresh


def _patched(people: dict, changed: np.ndarray, ids: np.ndarray, columns: dict) -> dict:
    size = max(len(people["present"]), int(changed.max()) + 1)
    out = {}
    for name, array in people.items():
        grown = np.full(size, False if name == "present" else -1, dtype=array.dtype)
        grown[: len(array)] = array
        out[name] = grown
    out["present"][changed] = False  # deleted unless read again below
    out["present"][ids] = True
    for name, values in columns.items():
        out[name][ids] = values
    return out
