"""The médiation log's columnar figures store: every accompagnement as a row of small integers
(numpy files in FIGURES_STORE_DIR), so `engine` answers any dashboard filter exactly in a fraction
of a second at a million médiations, where the SQL passes over the joined tables take seconds.

Why columns and not roll-up tables: unique usagers (in all, per month, lieu, conseiller, per
public, new or returning) are not additive, so no table of pre-added counts answers them for an
arbitrary period × lieu × conseiller × type × thématique; they need the scope's person ids. A
scan of a few integer columns held in memory gives them (bench/README.md compares the options).

Freshness: `rebuild_figures_store` writes the store inside one REPEATABLE READ transaction and
records the PostgreSQL snapshot it read (table permanences_figures_store). Triggers (migration
0004) log every médiation, accompagnement and usager written afterwards, by any path. Each read
drops the store's rows of the médiations logged since and reads those médiations and usagers
again from PostgreSQL: the figures are the database's at the time of the request. The files are
read-only memory maps, shared by the web workers of a machine through the page cache.
"""

import contextlib
import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from poitiers_inclusion import changelog, figures
from poitiers_inclusion.models import Usager, age_band_expression
from poitiers_inclusion.replica import figures_connection

from . import index, writer

# One row per accompagnement; NULL ids become -1, dates are days since 1970-01-01, the duration
# band and the autonomy of individual help as aggregates computes them.
FACT_SQL = """
    SELECT a.mediation_id, a.usager_id, m.date - DATE '1970-01-01',
           COALESCE(m.lieu_id, -1), m.conseiller_id, COALESCE(m.permanence_id, -1),
           m.duree_minutes, m.type_activite, {band_and_autonomy},
           m.redirige, m.structure_redirection, m.satisfaction, m.source_connaissance,
           m.thematiques, m.thematiques_demarche, m.materiel
    FROM permanences_accompagnement a JOIN permanences_mediation m ON m.id = a.mediation_id"""


def _facts_query(where: str = "") -> tuple[str, list]:
    from .aggregates import BAND_AND_AUTONOMY, BAND_AND_AUTONOMY_PARAMS  # it imports this module

    return FACT_SQL.format(band_and_autonomy=BAND_AND_AUTONOMY) + where, BAND_AND_AUTONOMY_PARAMS


INTS = ("med", "usager", "day", "lieu", "conseiller", "permanence", "minutes")
CODES = ("type", "band", "aut", "redirige", "structure", "satisfaction", "source")
MASKS = ("t", "d", "m")  # thématiques, démarches, matériel: one bit per value present
FACT_COLUMNS = INTS + CODES + MASKS

# The people hold no birth year (identity, kept only with consent): their age band of the current
# year as aggregates computes it, so a store written in an earlier year is not read.
PEOPLE_INTS = ("merged", "quartier")
PEOPLE_CODES = ("genre", "age", "statut")


def _people_query(ids: list[int] | None = None) -> tuple[str, list]:
    people = Usager.objects.order_by().annotate(age=age_band_expression())
    if ids is not None:
        people = people.filter(pk__in=ids)
    values = people.values_list(
        "id", "merged_into_id", "quartier_id", "genre", "age", "statut_social"
    )
    return values.query.sql_with_params()


class Dictionary:
    """Values of one column and their small integer codes (None is a value of its own)."""

    def __init__(self, values=()):
        self.values = list(values)
        self.codes = {value: code for code, value in enumerate(self.values)}

    def code(self, value) -> int:
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
        return found

    def copy(self) -> "Dictionary":
        return Dictionary(self.values)


def _encode_facts(rows, dictionaries: dict[str, Dictionary]) -> dict[str, np.ndarray]:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(FACT_COLUMNS)
    out = {}
    for name, values in zip(INTS, columns[: len(INTS)], strict=True):
        out[name] = np.array(values, dtype=np.int64)
    for name, values in zip(CODES, columns[len(INTS) : len(INTS) + len(CODES)], strict=True):
        code = dictionaries[name].code
        out[name] = np.array([code(v) for v in values], dtype=np.int16)
    for name, values in zip(MASKS, columns[len(INTS) + len(CODES) :], strict=True):
        code, seen = dictionaries[name].code, {}
        masks = []
        for value in values:
            key = tuple(value or ())
            mask = seen.get(key)
            if mask is None:
                mask = 0
                for item in key:
                    mask |= 1 << code(item)
                seen[key] = mask
            masks.append(mask)
        if len(dictionaries[name].values) > 64:
            raise TooManyValues(name)
        out[name] = np.array(masks, dtype=np.uint64)
    return out


def _encode_people(rows, dictionaries: dict[str, Dictionary]) -> tuple[np.ndarray, dict]:
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    ids = np.array(columns[0], dtype=np.int64)
    out = {}
    for name, values in zip(PEOPLE_INTS, columns[1:3], strict=True):
        out[name] = np.array([-1 if v is None else v for v in values], dtype=np.int64)
    for name, values in zip(PEOPLE_CODES, columns[3:6], strict=True):
        code = dictionaries[name].code
        out[name] = np.array([code(v) for v in values], dtype=np.int16)
    return ids, out


class TooManyValues(Exception):
    """More than 64 distinct values in an array column (the store cannot hold it as bits), or
    an id past writer.ID_LIMIT."""


@dataclass
class Store:
    """The store as read: fact columns (the files, sorted by day), people columns indexed by
    usager id, and the overlay: which of the files' rows still hold, and the rows read again.
    The overlay never copies the files' columns, so every worker shares them whatever changed."""

    facts: dict[str, np.ndarray]
    people: dict[str, np.ndarray]  # index: usager id; "present" says the id exists
    dictionaries: dict[str, Dictionary]
    kept: np.ndarray | None = None  # over the files' rows; None: all of them
    fresh: dict[str, np.ndarray] = field(default_factory=dict)  # rows read again
    built_at: object = None
    # meta.json: whether the rows carry pair ids ("pairs"), the permanences' lieux ("perm_lieu").
    meta: dict = field(default_factory=dict)
    # Per pair column, the sorted keys of the pairs the files do not know (rows read again):
    # their ids follow the files' pairs.
    pair_extra: dict = field(default_factory=dict)
    # index.Index: the indexes of the files' rows (written with them, or derived at load).
    index: dict = field(default_factory=dict)
    # What the engine derives from this state of the store once (index.overlay).
    cache: dict = field(default_factory=dict)
    # With an overlay: the files' people, and the usager ids `people` reads again (sorted), so
    # what is derived from the people once is patched rather than derived again (engine).
    base_people: dict | None = None
    changed_people: np.ndarray | None = None

    def pair_count(self, name: str) -> int:
        return len(self.facts[f"pairkey_{name}"]) + len(self.pair_extra.get(name, ()))

    def pair_people(self, name: str, pairs: np.ndarray, low: int, size: int) -> np.ndarray:
        """Distinct pairs among `pairs` (pair ids of some rows) per group, indexed by group -
        `low` (groups from low to low + size - 1): one scatter, then a sum per group's run of
        ids (the files number the pairs group by group), and the few pairs read again."""
        known = len(self.facts[f"pairkey_{name}"])
        seen = np.zeros(self.pair_count(name), dtype=bool)
        seen[pairs] = True
        people = np.zeros(size, dtype=np.int64)
        values, starts = self.facts[f"pairgroups_{name}"]
        if known:
            # Only the groups asked for, each a count of its run of ids: a loop of fast counts
            # beats a reduceat over every pair (a year of a national store: 2 ms against 20).
            inside = np.flatnonzero((values >= low) & (values < low + size))
            ends = np.r_[starts[1:], known]
            runs = zip(
                (values[inside] - low).tolist(),
                starts[inside].tolist(),
                ends[inside].tolist(),
                strict=True,
            )
            for at, begin, end in runs:
                people[at] += np.count_nonzero(seen[begin:end])
        extra = np.flatnonzero(seen[known:])
        if len(extra):
            groups = writer.key_groups(self.pair_extra[name][extra]) - low
            people += np.bincount(groups.astype(np.intp), minlength=size)[:size]
        return people


# distinct_pairs' ways: sort the ids of a selection below 1/SORT_BELOW of the pairs, else mark
# them; count the marks of each of up to FEW_GROUPS groups in place (a loop of count_nonzero
# is ten times faster than finding the marks, at 8,000 groups), else find them in order.
SORT_BELOW = 8
FEW_GROUPS = 50_000


def distinct_pairs(store, pair: str, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(groups, distinct pairs per group) among the store's pair ids `pairs`, groups in order.
    The files number the pairs group by group: once the distinct ids are in order, a group's
    count is where its first id falls among them (no pass per group)."""
    from . import slots  # slots reads the permanences' models

    known = len(store.facts[f"pairkey_{pair}"])
    total = store.pair_count(pair)
    values, starts = (np.asarray(a) for a in store.facts[f"pairgroups_{pair}"])
    bounds = np.r_[starts, known]
    if len(pairs) * SORT_BELOW < total:  # a small selection sorts faster than it scans all
        ids = slots.distinct(pairs)
        split = int(np.searchsorted(ids, known))
        counts = np.diff(np.searchsorted(ids[:split], bounds))
        extra_ids = ids[split:]
    else:
        seen = np.zeros(total, dtype=bool)
        seen[pairs] = True
        if len(starts) <= FEW_GROUPS:
            edges = bounds.tolist()
            counts = np.array(
                [np.count_nonzero(seen[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)],
                dtype=np.int64,
            )
        else:
            counts = np.diff(np.searchsorted(np.flatnonzero(seen[:known]), bounds))
        extra_ids = np.flatnonzero(seen[known:]) + known
    if not len(extra_ids):
        return values, counts
    extra, times = slots.counted(writer.key_groups(store.pair_extra[pair][extra_ids - known]))
    groups = slots.distinct(np.r_[values, extra])
    people = np.zeros(len(groups), dtype=np.int64)
    people[np.searchsorted(groups, values)] += counts
    people[np.searchsorted(groups, extra)] += times
    return groups, people


# --- Writing ----------------------------------------------------------------------------------


def root() -> Path:
    return Path(settings.FIGURES_STORE_DIR) / connection.settings_dict["NAME"]


def rebuild() -> dict:
    """Write a new store from the database and make it the current one (kernel changelog: one
    REPEATABLE READ transaction, its snapshot recorded, the changes it holds leave the log);
    then the other apps' stores (figures.register_store_part). Returns their counts."""
    from . import writer

    dictionaries = {name: Dictionary() for name in CODES + MASKS + PEOPLE_CODES}
    with changelog.writing(root(), "permanences_figures") as written:
        with connection.cursor() as cursor:
            counts = writer.write(cursor, written.folder, dictionaries)
        (written.folder / "dictionaries.json").write_text(
            json.dumps({name: d.values for name, d in dictionaries.items()})
        )
        (written.folder / "year").write_text(str(timezone.localdate().year))
    for part in figures.store_parts():
        counts |= part()
    return counts


CHANGE_LOGGED_TABLES = ("permanences_mediation", "permanences_accompagnement", "kernel_usager")


@contextlib.contextmanager
def without_change_log(*, forget_store: bool = False):
    """The change log's triggers (migration permanences 0007) off for a bulk load or a measure,
    then on again. With forget_store, the store is dropped: what is loaded meanwhile is not
    logged, so the store must be rewritten (rebuild_figures_store)."""
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with deferred checks still pending in this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in CHANGE_LOGGED_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        if forget_store:
            cursor.execute("DELETE FROM permanences_figures_store")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in CHANGE_LOGGED_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def forget() -> str | None:
    """After a restore: the store and its change log describe the database as it was on the
    server that wrote them (their transaction ids mean nothing here); figures are computed
    live until the next rebuild (refresh_figures, or rebuild_figures_store)."""
    if changelog.forget("permanences_figures"):
        return "Entrepôt des chiffres oublié : lancez rebuild_figures_store (ou attendez refresh_figures)."
    return None


def rebuild_due() -> bool:
    """Whether `refresh_figures` should rewrite the store: none yet on a large database, or one
    a day old, or a long change log to overlay at each read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT built_at, token FROM permanences_figures_store")
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM permanences_accompagnement LIMIT %s) rows",
                [settings.FIGURES_STORE_MIN_ROWS],
            )
            return cursor.fetchone()[0] >= settings.FIGURES_STORE_MIN_ROWS
        if row[0] < timezone.now() - datetime.timedelta(days=1):
            return True  # also at new year, when the age bands move
        if timezone.localtime(row[0]).year != timezone.localdate().year:
            return True
        folder = root() / row[1]
        if (folder / "meta.json").exists() and not (folder / "prow_run_day.npy").exists():
            return True  # written before attendance's rows (attendance_rows): live till then
        if (folder / "meta.json").exists() and not (folder / "prow_month_new.npy").exists():
            return True  # before attendance's counts per run: its pairs scattered till then
        if (folder / "meta.json").exists() and not all(
            (folder / f"index_{name}.npy").exists() for name in index.LATER_NAMES
        ):
            return True  # before the indexes of médiations and thématiques: scans till then
        later = ("prow_tbit_rows.npy", "prow_keyruns_tb.npy", "prow_keyruns_ty.npy")
        if (folder / "meta.json").exists() and not all((folder / n).exists() for n in later):
            return True  # before attendance's rows per thématique and type: tested till then
        if not figures.store_parts_ready():
            return True  # another app's store missing (written before it existed): live till then
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM permanences_figures_change LIMIT %s) changes",
            [settings.FIGURES_STORE_MAX_CHANGES],
        )
        return cursor.fetchone()[0] >= settings.FIGURES_STORE_MAX_CHANGES


# --- Reading ----------------------------------------------------------------------------------

_LOADED: dict[str, Store] = {}
_OVERLAID: dict = {}


def _load(token: str, built_at) -> Store | None:
    folder = root() / token
    if str(folder) in _LOADED:
        return _LOADED[str(folder)]
    if not (folder / "year").exists() or not (folder / "meta.json").exists():
        return None  # written on another machine, removed, or by an older version: live
    if (folder / "year").read_text() != str(timezone.localdate().year):
        return None  # its age bands are last year's: live until refresh_figures rewrites it
    if not all((folder / f"fact_{n}.npy").exists() for n in FACT_COLUMNS):
        return None  # written by an earlier version with fewer columns: live until rewritten
    meta = json.loads((folder / "meta.json").read_text())
    if not meta.get("fits", True):
        return None  # ids past int32 (writer.ID_LIMIT): the figures are computed live
    dictionaries = {
        name: Dictionary(values)
        for name, values in json.loads((folder / "dictionaries.json").read_text()).items()
    }
    facts = {
        path.stem.removeprefix("fact_"): np.load(path, mmap_mode="r")
        for path in folder.glob("fact_*.npy")
    }
    for pattern in ("pairkey_*.npy", "pairgroups_*.npy", "prow_*.npy"):
        facts |= {path.stem: np.load(path, mmap_mode="r") for path in folder.glob(pattern)}
    ids = np.load(folder / "people_ids.npy")
    people = _people_by_id(
        ids, {n: np.load(folder / f"people_{n}.npy") for n in PEOPLE_INTS + PEOPLE_CODES}
    )
    indexes = index.load(folder)
    if indexes is None:  # written by an earlier version: derived here, once per process
        indexes = index.Index(index.build(facts, dictionaries))
    _LOADED.clear()  # one store at a time in memory
    _LOADED[str(folder)] = store = Store(
        facts, people, dictionaries, built_at=built_at, meta=meta, index=indexes
    )
    return store


def _people_by_id(ids: np.ndarray, columns: dict[str, np.ndarray], size: int = 0) -> dict:
    size = max(size, int(ids.max()) + 1 if len(ids) else 0)
    people = {"present": np.zeros(size, dtype=bool)}
    people["present"][ids] = True
    for name, values in columns.items():
        array = np.full(size, -1, dtype=values.dtype)
        array[ids] = values
        people[name] = array
    return people


def current() -> Store | None:
    """The store with the changes logged since it was written; None without a store (the
    figures are then computed live)."""
    from . import overlay  # it reads this module's Store and encoders

    with figures_connection().cursor() as cursor:
        cursor.execute("SELECT token, snapshot, built_at FROM permanences_figures_store")
        row = cursor.fetchone()
        if row is None:
            return None
        token, snapshot, built_at = row
        base = _load(token, built_at)
        if base is None:
            return None
        cursor.execute(
            "SELECT id, mediation_id, usager_id FROM permanences_figures_change "
            "WHERE NOT pg_visible_in_snapshot(xid, %s::pg_snapshot) ORDER BY id",
            [snapshot],
        )
        changes = cursor.fetchall()
        if not changes:
            return base
        # The log only grows until the next rebuild: its length and last id name its state, so
        # the overlay is computed once for all the reads (and the requests) that see that state.
        state = (token, len(changes), changes[-1][0])
        if _OVERLAID.get("state") == state:
            return _OVERLAID["store"]
        # From the previous state, only the changes logged since are applied (médiations logged
        # every second by a whole programme's conseillers make a new state about that often).
        previous, applied = _OVERLAID.get("store"), _OVERLAID.get("applied", frozenset())
        if _OVERLAID.get("base") is base and previous is not None:
            new = [change for change in changes if change[0] not in applied]
            if len(applied) + len(new) != len(changes):  # not a longer log: all again
                previous, applied, new = None, frozenset(), changes
        else:
            previous, applied, new = None, frozenset(), changes
        try:
            overlaid = overlay.apply(cursor, base, [(m, u) for _id, m, u in new], previous)
        except TooManyValues:  # a new value in an array column: live until the next rebuild
            return None
    _OVERLAID.update(
        state=state,
        store=overlaid,
        base=base,
        applied=applied | {change[0] for change in new},
    )
    return overlaid


def parts(store: Store, name: str) -> list[np.ndarray]:
    """A column of every current row, in two parts: the files' rows still holding, those read
    again."""
    column = np.asarray(store.facts[name])
    head = column if store.kept is None else column[store.kept]
    return [head, store.fresh[name]] if store.fresh else [head]
