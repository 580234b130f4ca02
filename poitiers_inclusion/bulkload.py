"""Bulk loading for the bench data (`generate_bench_data`): columns built as numpy arrays, written
with PostgreSQL COPY, the big tables' secondary indexes and foreign keys set aside meanwhile.

Each app's `bench_data` module builds its rows column by column (ids, codes looked up in small
tables of strings) rather than row by row: formatting is then one join per row, and COPY into a
table without indexes runs at PostgreSQL's parsing speed.
"""

import contextlib
import datetime
import io
import itertools
import time
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

NULL = r"\N"


@dataclass
class BenchPlan:
    """What every app's bench loader shares: the target size, the period, the random source."""

    mediations: int
    first_day: datetime.date
    last_day: datetime.date
    rng: np.random.Generator
    stdout: object
    national: bool = True
    batch: int = 500_000
    # Rows written per table (for the rows/s figure).
    written: dict = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def count(self, table: str, rows: int) -> None:
        self.written[table] = self.written.get(table, 0) + rows


def text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        return "{" + ",".join(f'"{v}"' for v in value) + "}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def lookup(table, codes) -> list[str]:
    """The strings of `table` (values, formatted for COPY) at `codes`: the same string objects
    repeated, so a column of a million codes costs a list of references."""
    formatted = np.array([text(v) for v in table], dtype=object)
    return formatted[np.asarray(codes)].tolist()


def numbers(values, null_below: int | None = None) -> list[str]:
    """Integers as COPY text; with null_below, values under it are NULL (an absent foreign key)."""
    values = np.asarray(values, dtype=np.int64)
    out = values.astype(str).astype(object)
    if null_below is not None:
        out[values < null_below] = NULL
    return out.tolist()


def day_strings(first_day: datetime.date, days: int, suffix: str = "") -> np.ndarray:
    """'YYYY-MM-DD' (plus suffix: a time of day) of each day of the period, by day number."""
    dates = np.datetime64(first_day) + np.arange(days)
    return np.array([f"{d}{suffix}" for d in dates.astype(str)], dtype=object)


def reserve_ids(model, count: int) -> int:
    """Reserve `count` ids from the model's sequence; return the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        first = cursor.fetchone()[0] + 1
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
            [table, first + max(count, 1) - 1],
        )
    return first


def copy_columns(model_or_table, columns: dict[str, list[str]], plan: BenchPlan | None = None):
    """COPY rows given as columns (lists of COPY text of equal length) into the model's table
    (or a table name: a many-to-many table). A model's other columns get their default; a unique
    column without one given is refused (one default for every row would break it)."""
    if isinstance(model_or_table, str):
        table, extra = model_or_table, {}
    else:
        table, extra = model_or_table._meta.db_table, {}
        for f in model_or_table._meta.concrete_fields:
            if f.column in columns or f.primary_key:
                continue
            if f.unique and not f.null:
                raise ValueError(f"{table}.{f.column} est unique : donnez ses valeurs.")
            default = f.get_default() if f.has_default() else ("" if not f.null else None)
            extra[f.column] = text(default)
    names = list(columns)
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"{table} : colonnes de longueurs différentes {lengths}.")
    rows = lengths.pop()
    if not rows:
        return
    values = list(columns.values())
    if extra:
        values.append(itertools.repeat("\t".join(extra.values()), rows))
    buffer = io.StringIO("\n".join(map("\t".join, zip(*values, strict=False))) + "\n")
    quoted = ", ".join(f'"{c}"' for c in names + list(extra))
    with connection.cursor() as cursor:
        cursor.copy_expert(f'COPY "{table}" ({quoted}) FROM STDIN WITH (FORMAT text)', buffer)
    if plan is not None:
        plan.count(table, rows)


@contextlib.contextmanager
def without_indexes(tables: list[str]):
    """The tables' secondary indexes, unique and foreign-key constraints dropped for a bulk load,
    then rebuilt (each index in one pass over the table: much faster than keeping them up to date
    row by row). Only inside a transaction: a failed load gives them back with the rollback."""
    if not connection.in_atomic_block:
        raise RuntimeError("without_indexes demande une transaction (transaction.atomic).")
    kept = []
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with deferred checks still pending in this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC",
                [table],
            )
            constraints = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = %s AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname"
                "  AND c.contype = 'p')",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            kept.append((table, constraints, indexes))
    yield
    with connection.cursor() as cursor:
        # More memory for the sorts of the index builds (this transaction only).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table, constraints, indexes in kept:
            for _name, definition in indexes:
                cursor.execute(definition)
            # Unique constraints first: the foreign keys of other tables may rest on them.
            for name, definition in sorted(constraints, key=lambda c: "FOREIGN" in c[1]):
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
