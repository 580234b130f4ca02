"""The embedded PostgreSQL server: starts from a fresh folder, and two processes share one."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from poitiers_inclusion.embedded_db import embedded_database_url
import psycopg2
url = embedded_database_url(Path(sys.argv[1]))
with psycopg2.connect(url) as conn, conn.cursor() as cur:
    cur.execute("select pg_postmaster_start_time(), current_setting('server_version_num')")
    start, version = cur.fetchone()
print(start.isoformat(), version, flush=True)
# Stay until the test says both have connected (it closes our input): the server stops when its
# last user exits, and on a loaded machine the two could otherwise run one after the other.
sys.stdin.read()
"""


@pytest.mark.slow_start
def test_two_processes_starting_at_once_share_one_server(tmp_path):
    data = tmp_path / "data"
    script = SCRIPT.format(root=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(data)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    lines = [p.stdout.readline() for p in procs]  # both connected, both still running
    outputs = [p.communicate(input="", timeout=120) for p in procs]
    outputs = [(line + out, err) for line, (out, err) in zip(lines, outputs, strict=True)]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    starts = {out.split()[0] for out, _ in outputs}
    versions = {int(out.split()[1]) for out, _ in outputs}
    # One server (same postmaster start time) answered both, and it is a real PostgreSQL.
    assert len(starts) == 1
    assert min(versions) >= 150000
    assert (data / "pg" / "PG_VERSION").exists()
