"""Writing the figures store (`store.rebuild`): PostgreSQL encodes every column as integers and
sends them with a binary COPY, numpy reads them as fixed-size records and sorts them by day.

Why not a Python loop over the rows: at ten million accompagnements a loop encoding each value
takes about eight minutes and holds every row as Python objects; here PostgreSQL does the
dictionary encoding (the few values of each column are read first, in one pass), the rows never
become Python objects and the memory is a few arrays of the store's size.

Besides the columns read, the store holds what the engine derives from them once for all:
each row's person (after merges), its month, and for each grouping whose unique people are
counted (per month, lieu, conseiller; at permanences per month, permanence and lieu) the id of
its (group, person) pair, numbered in the order of the sorted pair keys (`PAIRS`). Counting the
unique people of any selection per group is then one scatter of those ids, never a sort.
"""

import json
import os
from pathlib import Path

import numpy as np
from psycopg2.extras import execute_values

from poitiers_inclusion.models import Usager, age_band_expression

from ..models import Permanence
from . import index

# Each store column's SQL over the médiations (alias m, with band and aut computed).
CODE_SQL = {
    "type": "m.type_activite",
    "band": "m.band",
    "aut": "m.aut",
    "redirige": "m.redirige",
    "structure": "m.structure_redirection",
    "satisfaction": "m.satisfaction",
    "source": "m.source_connaissance",
}
MASK_SQL = {"t": "m.thematiques", "d": "m.thematiques_demarche", "m": "m.materiel"}
PEOPLE_CODE_SQL = {"genre": "p.genre", "age": "p.age", "statut": "p.statut_social"}

# (group column, person column) of each pair id column "pair_<name>": the people per month, lieu
# and conseiller are merged people; attendance counts records (usager) at permanences, whose
# lieu ("plieu") is the permanence's lieu when the store was written (`meta["perm_lieu"]`).
PAIRS = {
    "month": ("month", "person"),
    "lieu": ("lieu", "person"),
    "conseiller": ("conseiller", "person"),
    "pmonth": ("month", "usager"),
    "pperm": ("permanence", "usager"),
    "plieu": ("plieu", "usager"),
}
SHIFT = 32  # a pair's key: (group + 1) << SHIFT | person; groups from -1, people below 2**31
# The store holds ids below 2**31 (int32 columns, arrays indexed by id); a database with larger
# ids has its figures computed live.
ID_LIMIT = 2**31


def pair_keys(groups: np.ndarray, ids: np.ndarray) -> np.ndarray:
    return ((groups.astype(np.int64) + 1) << SHIFT) | ids.astype(np.int64)


def key_groups(keys: np.ndarray) -> np.ndarray:
    return (keys >> SHIFT) - 1


def months(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of days since 1970-01-01."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64).astype(np.int32)


def narrow(values: np.ndarray) -> np.ndarray:
    """int32 when every value fits (half the memory and bandwidth of int64)."""
    if not len(values) or (int(values.min()) >= -ID_LIMIT and int(values.max()) < ID_LIMIT):
        return values.astype(np.int32)
    return values.astype(np.int64)


def narrow_mask(masks: np.ndarray) -> np.ndarray:
    """The narrowest unsigned type holding every mask: a dashboard's thématique filter takes
    its rows' masks, a quarter of the bytes when fourteen thématiques are used (the rows read
    again keep uint64; numpy widens where they meet)."""
    top = int(np.bitwise_or.reduce(masks)) if len(masks) else 0
    for kind in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(kind).max:
            return masks.astype(kind)
    return masks


def _mogrified(cursor, sql: str, params: list) -> str:
    return cursor.mogrify(sql, params).decode()


def _binary_copy(cursor, sql: str, fields: list[tuple[str, str]], path: Path) -> np.ndarray:
    """The rows of `sql` (no NULL, fixed-size fields: (name, '>i2'|'>i4'|'>i8')) as a record
    array over a temporary file: binary COPY writes a 2-byte field count, then a 4-byte length
    before each field."""
    with open(path, "wb") as out:
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT (FORMAT binary)", out)
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(raw[:11]) != b"PGCOPY\n\xff\r\n\x00":
        raise ValueError("Unexpected COPY header")
    start = 19 + int.from_bytes(bytes(raw[15:19]), "big")
    layout = [("count", ">i2")]
    for name, kind in fields:
        layout += [(f"{name}_length", ">i4"), (name, kind)]
    dtype = np.dtype(layout)
    size = len(raw) - start - 2  # the trailer: a field count of -1
    rows, rest = divmod(size, dtype.itemsize)
    if rest:
        raise ValueError("COPY rows are not of the expected size (a NULL value?)")
    return np.memmap(path, dtype=dtype, mode="r", offset=start, shape=(rows,))


def _distinct_values(cursor, source: str, params: list, columns: dict[str, str]) -> dict:
    """Every value of each column, in one pass (hashed GROUPING SETS)."""
    names = list(columns)
    exprs = [columns[n] for n in names]
    cursor.execute(
        f"SELECT GROUPING({', '.join(exprs)}), {', '.join(exprs)} FROM {source} "
        f"GROUP BY GROUPING SETS ({', '.join(f'({e})' for e in exprs)})",
        params,
    )
    found = {name: [] for name in names}
    full = (1 << len(names)) - 1
    for row in cursor.fetchall():
        index = len(names) - 1 - (full ^ row[0]).bit_length() + 1
        found[names[index]].append(row[1 + index])
    return found


def _sorted_values(values: list) -> list:
    return sorted(values, key=lambda v: (v is None, str(v)))


def write(cursor, folder: Path, dictionaries: dict) -> dict:
    """Write the store's files into `folder` (inside the caller's REPEATABLE READ transaction)
    and fill `dictionaries`; returns the counts and the meta data (meta.json)."""
    from .aggregates import BAND_AND_AUTONOMY, BAND_AND_AUTONOMY_PARAMS  # it imports store

    cursor.execute("SET LOCAL work_mem = '64MB'")
    mediations = f"(SELECT m.*, {BAND_AND_AUTONOMY} FROM permanences_mediation m) m"
    found = _distinct_values(cursor, mediations, BAND_AND_AUTONOMY_PARAMS, {**CODE_SQL, **MASK_SQL})
    params, codes = [], []  # the SELECT list's, then the FROM's
    for name, expr in CODE_SQL.items():
        dictionary = dictionaries[name]
        for value in _sorted_values(found[name]):
            dictionary.code(value)
        cast = "boolean" if name == "redirige" else "text"
        codes.append(f"(array_position(%s::{cast}[], {expr}) - 1)::int2")
        params.append(dictionary.values)
    # Each distinct array of values gets its mask of bits; a temporary table joins them back.
    cursor.execute(
        "CREATE TEMPORARY TABLE figures_sets (kind text, value text[], mask int8) ON COMMIT DROP"
    )
    sets = []
    for name in MASK_SQL:
        masks = {}
        for value in found[name]:
            key = tuple(value or ())
            mask = 0
            for item in key:
                mask |= 1 << dictionaries[name].code(item)
            masks[key] = mask
        if len(dictionaries[name].values) > 64:
            from .store import TooManyValues

            raise TooManyValues(name)
        # Stored as PostgreSQL's signed bigint; read back as uint64.
        sets += [(name, list(key), mask - (mask >> 63 << 64)) for key, mask in masks.items()]
    execute_values(cursor, "INSERT INTO figures_sets VALUES %s", sets, page_size=1000)
    cursor.execute("ANALYZE figures_sets")
    joins = " ".join(
        f"LEFT JOIN figures_sets s_{name} ON s_{name}.kind = '{name}' "
        f"AND s_{name}.value = COALESCE({expr}, '{{}}')::text[]"
        for name, expr in MASK_SQL.items()
    )
    sql = f"""
        SELECT a.mediation_id::int8, a.usager_id::int8, (m.date - DATE '1970-01-01')::int4,
               COALESCE(m.lieu_id, -1)::int8, m.conseiller_id::int8,
               COALESCE(m.permanence_id, -1)::int8, m.duree_minutes::int2, {", ".join(codes)},
               {", ".join(f"COALESCE(s_{name}.mask, 0)" for name in MASK_SQL)}
        FROM permanences_accompagnement a JOIN {mediations} ON m.id = a.mediation_id {joins}"""
    fields = [(n, ">i8") for n in ("med", "usager")] + [("day", ">i4")]
    fields += [(n, ">i8") for n in ("lieu", "conseiller", "permanence")] + [("minutes", ">i2")]
    fields += [(n, ">i2") for n in CODE_SQL] + [(n, ">i8") for n in MASK_SQL]
    spool = folder / "copy.tmp"
    try:
        sql = _mogrified(cursor, sql, params + BAND_AND_AUTONOMY_PARAMS)
        records = _binary_copy(cursor, sql, fields, spool)
        facts = _columns(records)
        del records
    finally:
        os.unlink(spool)
    ids, people = _people(cursor, folder, dictionaries)
    if not all(array.dtype != np.int64 for array in (*facts.values(), ids, *people.values())):
        # Arrays indexed by id (people, seen sets) would not fit in memory: no store, the
        # figures are computed live (`store._load` reads fits: false).
        (folder / "meta.json").write_text(json.dumps({"fits": False}))
        return {"accompagnements": len(facts["usager"]), "usagers": len(ids)}
    return _derive_and_save(folder, facts, ids, people, dictionaries)


def _columns(records) -> dict[str, np.ndarray]:
    """The record array's columns, native and narrow, sorted by day."""
    order = np.argsort(np.asarray(records["day"]), kind="stable")
    out = {}
    for name in records.dtype.names:
        if name == "count" or name.endswith("_length"):
            continue
        column = np.asarray(records[name])[order]
        if name in MASK_SQL:
            out[name] = narrow_mask(column.astype(np.int64).view(np.uint64))
        elif column.dtype.itemsize == 2:
            out[name] = column.astype(np.int16)
        else:
            out[name] = narrow(column)
    return out


def _people(cursor, folder: Path, dictionaries) -> tuple[np.ndarray, dict]:
    people = Usager.objects.order_by().annotate(age=age_band_expression())
    people = people.values("id", "merged_into_id", "quartier_id", "genre", "age", "statut_social")
    source_sql, source_params = people.query.sql_with_params()
    source = f"({source_sql}) p"
    found = _distinct_values(cursor, source, list(source_params), PEOPLE_CODE_SQL)
    params, codes = [], []
    for name, expr in PEOPLE_CODE_SQL.items():
        for value in _sorted_values(found[name]):
            dictionaries[name].code(value)
        codes.append(f"(array_position(%s::text[], {expr}) - 1)::int2")
        params.append(dictionaries[name].values)
    sql = f"""SELECT p.id::int8, COALESCE(p.merged_into_id, -1)::int8,
                     COALESCE(p.quartier_id, -1)::int8, {", ".join(codes)} FROM {source}"""
    fields = [("id", ">i8"), ("merged", ">i8"), ("quartier", ">i8")]
    fields += [(n, ">i2") for n in PEOPLE_CODE_SQL]
    spool = folder / "copy.tmp"
    try:
        sql = _mogrified(cursor, sql, params + list(source_params))
        records = _binary_copy(cursor, sql, fields, spool)
        ids = narrow(np.asarray(records["id"]))
        columns = {
            "merged": narrow(np.asarray(records["merged"])),
            "quartier": narrow(np.asarray(records["quartier"])),
        }
        for name in PEOPLE_CODE_SQL:
            columns[name] = np.asarray(records[name]).astype(np.int16)
        del records
    finally:
        os.unlink(spool)
    return ids, columns


def resolve(merged: np.ndarray, usagers: np.ndarray) -> np.ndarray:
    """The person of each usager record: the record it was merged into (`merged`, indexed by
    id, -1: none), else itself; one level, as aggregates.PERSON."""
    inside = usagers < len(merged)
    into = np.full(len(usagers), -1, dtype=np.int64)
    into[inside] = merged[usagers[inside]]
    return np.where(into >= 0, into, usagers)


def _derive_and_save(
    folder: Path, facts: dict, ids: np.ndarray, people: dict, dictionaries: dict
) -> dict:
    merged = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, dtype=np.int64)
    merged[ids] = people["merged"]
    usager = facts["usager"]
    facts["person"] = narrow(resolve(merged, usager))
    facts["month"] = months(facts["day"])
    perm_lieu = dict(Permanence.objects.values_list("pk", "lieu_id"))
    facts["plieu"] = plieu(facts["permanence"], perm_lieu)
    pairs = True  # every id fits in int32 (write), so every pair key fits in int64
    if pairs:
        for name, (group, person) in PAIRS.items():
            facts[f"pair_{name}"], keys = _pair_ids(facts[group], facts[person])
            np.save(folder / f"pairkey_{name}.npy", keys)
            # The pairs are numbered group by group: each group's value and first pair id.
            groups = key_groups(keys)
            starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(keys) else []
            np.save(folder / f"pairgroups_{name}.npy", np.array([groups[starts], starts]))
            del keys, groups
        from . import attendance_rows  # it reads the store through engine, which imports us

        attendance_rows.write(folder, facts)  # the rows at permanences, by permanence and day
    for name, array in facts.items():
        np.save(folder / f"fact_{name}.npy", array)
    index.save(folder, index.build(facts, dictionaries))
    for name, array in people.items():
        np.save(folder / f"people_{name}.npy", array)
    np.save(folder / "people_ids.npy", ids)
    meta = {"pairs": pairs, "perm_lieu": {str(k): v for k, v in perm_lieu.items()}}
    (folder / "meta.json").write_text(json.dumps(meta))
    return {"accompagnements": len(usager), "usagers": len(ids)}


def plieu(permanences: np.ndarray, perm_lieu: dict) -> np.ndarray:
    """The lieu of each row's permanence (-1: none, or a permanence not in `perm_lieu`)."""
    if not perm_lieu or not len(permanences):
        return np.full(len(permanences), -1, dtype=np.int32)
    table = np.full(max(perm_lieu) + 2, -1, dtype=np.int64)
    for pk, lieu in perm_lieu.items():
        table[int(pk)] = -1 if lieu is None else lieu
    index = np.where((permanences >= 0) & (permanences < len(table) - 1), permanences, -1)
    return narrow(table[index])


def _pair_ids(groups: np.ndarray, persons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (group, person) pair id and the pairs' sorted keys."""
    keys = pair_keys(groups, persons)
    order = np.argsort(keys)
    keys = keys[order]
    starts = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    ids = np.empty(len(keys), dtype=np.int32)
    ids[order] = np.cumsum(starts) - 1
    return ids, keys[starts]
