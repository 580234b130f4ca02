"""Starts (or joins) the embedded PostgreSQL server used when no DATABASE_URL is given."""

import fcntl
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"


def embedded_database_url(data_dir: Path = DATA_DIR, database: str = "postgres") -> str:
    """Return a connection URL to the embedded server, starting it if needed.

    A file lock serialises the start, so two processes launched at once (the test runner and
    the development server, say) share one server instead of racing on the same data folder.
    pgserver keeps the server running while any process that asked for it is alive.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as under root or CI): harmless here.
        warnings.simplefilter("ignore")
        import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "pgserver.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            server = pgserver.get_server(data_dir / "pg", cleanup_mode="stop")
            if database != "postgres":
                _create_database(server.get_uri(), database)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return server.get_uri(database)


def _create_database(url: str, name: str) -> None:
    """Create a second database on the embedded server (the benchmarks use their own)."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
