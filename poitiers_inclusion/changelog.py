"""Columnar figures stores kept exact by a change log: the parts every app's store shares.

A store is a folder of numpy files written from the database inside one REPEATABLE READ
transaction; a table `<prefix>_store` (one row) names the folder and the PostgreSQL snapshot the
files were read in; statement-level triggers log into `<prefix>_change` the keys of every row
written afterwards, by any path, with the writing transaction's id. A reader overlays the keys
logged since the snapshot (`pg_visible_in_snapshot`), so its figures are the database's at the
time of the request. Used by the médiation log's store (permanences/figures/store.py) and the
workshops' (ateliers/figures_store.py).
"""

import contextlib
import secrets
import shutil
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

OPERATIONS = (
    ("INSERT", "NEW TABLE AS new_rows"),
    ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
    ("DELETE", "OLD TABLE AS old_rows"),
)


def trigger_sql(triggers: list[tuple[str, str]], forget_function: str) -> str:
    """CREATE TRIGGER statements: each (table, function) on insert, update and delete, one
    INSERT … SELECT per statement (transition tables), so a bulk update or a COPY of thousands
    of rows costs one statement; a TRUNCATE runs `forget_function` (it logs no row: the store
    no longer describes the table and must be forgotten)."""
    parts = []
    for table, function in triggers:
        for op, tables in OPERATIONS:
            parts.append(
                f"CREATE TRIGGER {table}_figures_{op.lower()} AFTER {op} ON {table} "
                f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
        parts.append(
            f"CREATE TRIGGER {table}_figures_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {forget_function}();"
        )
    return "\n".join(parts)


def drop_sql(triggers: list[tuple[str, str]], functions: list[str], tables: list[str]) -> str:
    """The reverse of a migration that created these triggers, functions and tables."""
    lines = [
        f"DROP TRIGGER IF EXISTS {table}_figures_{op} ON {table};"
        for table, _ in triggers
        for op in ("insert", "update", "delete", "truncate")
    ]
    lines += [f"DROP FUNCTION IF EXISTS {function}();" for function in functions]
    lines += [f"DROP TABLE IF EXISTS {table};" for table in tables]
    return "\n".join(lines)


class Written:
    """What `writing` yields: the new store's folder, and the snapshot its reads see."""

    def __init__(self, folder: Path, snapshot: str):
        self.folder, self.snapshot = folder, snapshot


@contextlib.contextmanager
def writing(root: Path, prefix: str):
    """Write a new store under `root` and make it the current one: the body reads the database
    and saves its files in `written.folder`; then `<prefix>_store` names it, the changes it
    holds leave `<prefix>_change`, and the older folders are removed (workers still reading one
    keep their memory maps: unlinked files live on)."""
    token = secrets.token_hex(8)
    folder = root / token
    folder.mkdir(parents=True, exist_ok=True)
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                if outermost:  # one consistent view of the tables and of the snapshot below
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_current_snapshot()::text")
                written = Written(folder, cursor.fetchone()[0])
            yield written
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""INSERT INTO {prefix}_store (id, token, snapshot, built_at)
                        VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE
                        SET token = EXCLUDED.token, snapshot = EXCLUDED.snapshot,
                            built_at = EXCLUDED.built_at""",
                    [token, written.snapshot, timezone.now()],
                )
                cursor.execute(
                    f"DELETE FROM {prefix}_change "
                    "WHERE pg_visible_in_snapshot(xid, %s::pg_snapshot)",
                    [written.snapshot],
                )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    for old in root.iterdir():
        if old.is_dir() and old.name != token:
            shutil.rmtree(old, ignore_errors=True)


def forget(prefix: str) -> bool:
    """After a restore: the store and its change log describe the server that wrote them (their
    transaction ids mean nothing here). Returns whether there was a store."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {prefix}_store")
        forgotten = cursor.rowcount
        cursor.execute(f"DELETE FROM {prefix}_change")
    return bool(forgotten)
