"""The workshops' columnar figures store: every session, facilitator and registration as rows of
integers (numpy files), so that `figures` answers any dashboard filter from memory. At national
scale (200,000 sessions, 1.3 million registrations) reading the registrations from PostgreSQL
takes more than a second for each view; the arrays answer in tens of milliseconds.

Files (FIGURES_STORE_DIR/<database>.ateliers/<token>/): `sessions` (id, day, module, lieu,
places, cancelled, and its registrations counted as `figures_data.FLAGS` says, sorted by id),
`leads` (session, facilitator), `presences` (session, usager record). People are resolved
through merges when read, so that a merge made afterwards counts at once.

Freshness, as for the médiation store: `rebuild` writes the files inside one REPEATABLE READ
transaction and records the PostgreSQL snapshot it read (table ateliers_figures_store).
Triggers (migration ateliers 0004) log the session of every session, registration and
facilitator written afterwards, by any path. Each read drops the files' rows of the sessions
logged since and reads those sessions again from PostgreSQL. It is rewritten with the médiation
store (`rebuild_figures_store`, `refresh_figures`), through `figures.register_store_part`.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from poitiers_inclusion import changelog, columns

SESSION_FIELDS = ["id", "day", "module", "lieu", "places", "cancelled"]


def parts(counts: dict[str, str]) -> dict[str, list[str]]:
    """Each file's columns; `counts`: the per-session counts of registrations (name: the SQL
    condition a registration of table ateliers_inscription meets to count)."""
    return {
        "sessions": [*SESSION_FIELDS, *counts],
        "leads": ["seance", "user"],
        "presences": ["seance", "usager"],
    }


def _queries(counts: dict[str, str], present: str, where: str) -> dict[str, str]:
    """Each part's query; `where` filters on the session's id (`{id}` names its column)."""
    counted = ", ".join(
        f"(count(ateliers_inscription.id) FILTER (WHERE {condition}))::int8"
        for condition in counts.values()
    )
    return {
        "sessions": f"""SELECT s.id::int8, (s.date - DATE '1970-01-01')::int8, s.module_id::int8,
                              s.lieu_id::int8, s.capacite::int8,
                              (s.cancelled_at IS NOT NULL)::int::int8, {counted}
                       FROM ateliers_seance s
                       LEFT JOIN ateliers_inscription ON ateliers_inscription.seance_id = s.id
                       {where.format(id="s.id")} GROUP BY s.id ORDER BY s.id""",
        "leads": f"""SELECT seance_id::int8, user_id::int8 FROM ateliers_seance_animateurs
                    {where.format(id="seance_id")}""",
        "presences": f"""SELECT seance_id::int8, usager_id::int8 FROM ateliers_inscription
                        WHERE {present} {where.replace("WHERE", "AND").format(id="seance_id")}""",
    }


@dataclass
class Store:
    sessions: dict[str, np.ndarray]
    leads: dict[str, np.ndarray]
    presences: dict[str, np.ndarray]


def root() -> Path:
    # Beside the médiation store's folder (which holds its tokens' folders only).
    return Path(settings.FIGURES_STORE_DIR) / f"{connection.settings_dict['NAME']}.ateliers"


def _read(counts, present, where: str = "", params=()) -> dict[str, dict[str, np.ndarray]]:
    names = parts(counts)
    return {
        part: columns.int_columns(sql, params, names[part])
        for part, sql in _queries(counts, present, where).items()
    }


def rebuild(counts: dict[str, str], present: str) -> dict:
    """Write a new store from the database and make it the current one; returns its counts."""
    with changelog.writing(root(), "ateliers_figures") as written:
        found = _read(counts, present)
        for part, arrays in found.items():
            for name, values in arrays.items():
                np.save(written.folder / f"{part}_{name}.npy", values)
    return {"seances": len(found["sessions"]["id"]), "presences": len(found["presences"]["seance"])}


def forget() -> str | None:
    """After a restore: figures are computed live until the next rebuild."""
    return (
        "Entrepôt des chiffres des ateliers oublié."
        if changelog.forget("ateliers_figures")
        else None
    )


_LOADED: dict[str, Store] = {}
_OVERLAID: dict = {}


def _load(token: str, counts: dict[str, str]) -> Store | None:
    folder = root() / token
    if str(folder) in _LOADED:
        return _LOADED[str(folder)]
    files = {
        part: {name: folder / f"{part}_{name}.npy" for name in names}
        for part, names in parts(counts).items()
    }
    if not all(path.exists() for paths in files.values() for path in paths.values()):
        return None  # written on another machine, removed, or by an older version: live
    store = Store(
        **{
            part: {name: np.load(path, mmap_mode="r") for name, path in paths.items()}
            for part, paths in files.items()
        }
    )
    _LOADED.clear()  # one store at a time in memory
    _LOADED[str(folder)] = store
    return store


def current(counts: dict[str, str], present: str) -> Store | None:
    """The store with the sessions logged since it was written read again; None without one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token, snapshot FROM ateliers_figures_store")
        row = cursor.fetchone()
        if row is None:
            return None
        token, snapshot = row
        base = _load(token, counts)
        if base is None:
            return None
        cursor.execute(
            "SELECT count(*), max(id) FROM ateliers_figures_change "
            "WHERE NOT pg_visible_in_snapshot(xid, %s::pg_snapshot)",
            [snapshot],
        )
        count, last = cursor.fetchone()
        if not count:
            return base
        # The log only grows until the next rebuild: its length and last id name its state.
        state = (token, count, last)
        if _OVERLAID.get("state") == state:
            return _OVERLAID["store"]
        cursor.execute(
            "SELECT DISTINCT seance_id FROM ateliers_figures_change "
            "WHERE NOT pg_visible_in_snapshot(xid, %s::pg_snapshot) AND id <= %s",
            [snapshot, last],
        )
        changed = np.array(sorted(r[0] for r in cursor.fetchall()), dtype=np.int64)
    fresh = _read(counts, present, "WHERE {id} = ANY(%s)", [changed.tolist()])
    found = {}
    for part in fresh:
        arrays = getattr(base, part)
        key = arrays["id"] if part == "sessions" else arrays["seance"]
        kept = ~np.isin(np.asarray(key), changed)
        found[part] = {
            name: np.concatenate([np.asarray(values)[kept], fresh[part][name]])
            for name, values in arrays.items()
        }
    order = np.argsort(found["sessions"]["id"], kind="stable")
    found["sessions"] = {name: values[order] for name, values in found["sessions"].items()}
    overlaid = Store(**found)
    _OVERLAID.update(state=state, store=overlaid)
    return overlaid
