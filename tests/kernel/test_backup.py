"""`make backup` and `make restore`: the demo, backed up with its uploaded files and restored into
a fresh database, has the same rows in every table and gives the same statistics."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.production import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)
PERIOD = {"du": "2000-01-01", "au": "2099-12-31"}

STATISTICS = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poitiers_inclusion.settings")
django.setup()
from django.test import Client
response = Client().get(
    "/api/v1/statistiques", json.loads(sys.argv[2]),
    HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer " + sys.argv[1],
)
print(response.status_code)
print(response.content.decode())
"""


def _row_counts(cursor) -> dict:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _env(database: str, media, **extra) -> dict:
    url = database_url({**connection.settings_dict, "NAME": database})
    drop = ("DATABASE_URL", "SECRET_KEY", "MEDIA_ROOT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, "DATABASE_URL": url, "DEBUG": "1", "MEDIA_ROOT": str(media), **extra}


def _make(target: str, env: dict, *args: str, answer: str = "") -> subprocess.CompletedProcess:
    # -o .venv/.installed: the installed packages are used as they are, never reinstalled.
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", target, *args],
        cwd=ROOT,
        env=env,
        input=answer,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restauration"
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def _statistics(token: str, env: dict | None) -> dict:
    if env is None:
        response = Client().get(
            "/api/v1/statistiques", PERIOD, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        status, body = response.status_code, response.content.decode()
    else:
        result = subprocess.run(
            [sys.executable, "-c", STATISTICS, token, json.dumps(PERIOD)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        status, body = result.stdout.split("\n", 1)
    assert int(status) == 200, body
    answer = json.loads(body)
    answer.pop("calcule_le")  # when it was computed, not what
    return answer


def test_the_demo_backed_up_and_restored_gives_the_same_rows_and_statistics(
    tmp_path, fresh_database
):
    call_command("demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_api_token", "coordination@demo.example", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    media = tmp_path / "media"
    (media / "pieces").mkdir(parents=True)
    (media / "pieces" / "attestation.pdf").write_bytes(b"%PDF-1.4 effacement certifie")

    backups = tmp_path / "sauvegardes"
    source = _env(connection.settings_dict["NAME"], media)
    made = _make("backup", source, f"BACKUP_DIR={backups}")
    assert made.returncode == 0, made.stdout + made.stderr
    dumps = sorted(backups.glob("inclusion-*.dump"))
    assert len(dumps) == 1 and dumps[0].read_bytes()[:5] == b"PGDMP"  # pg_dump, compressed
    assert len(list(backups.glob("inclusion-*-fichiers.tar.gz"))) == 1
    assert oct(dumps[0].stat().st_mode & 0o777) == oct(0o600)  # personal data inside
    with connection.cursor() as cursor:
        before = _row_counts(cursor)
    assert before["permanences_mediation"] > 0 and before["reseau_lieu"] > 0

    restored_media = tmp_path / "media-restauree"
    target = _env(fresh_database, restored_media)
    refused = _make("restore", target, f"FILE={dumps[0]}", answer="non\n")
    assert refused.returncode != 0 and "rien n'a été modifié" in refused.stderr
    restored = _make("restore", target, f"FILE={dumps[0]}", answer="oui\n")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    import psycopg2

    with psycopg2.connect(target["DATABASE_URL"]) as db, db.cursor() as cursor:
        after = _row_counts(cursor)
    # The figures store and its change log describe the server that wrote them: a restore
    # forgets them (figures are live until the next rebuild). Every other table comes back whole.
    derived = (
        "permanences_figures_store",
        "permanences_figures_change",
        "ateliers_figures_store",
        "ateliers_figures_change",
    )
    assert [after.pop(table) for table in derived] == [0, 0, 0, 0]
    assert after == {k: v for k, v in before.items() if k not in derived}
    assert (restored_media / "pieces" / "attestation.pdf").read_bytes() == (
        media / "pieces" / "attestation.pdf"
    ).read_bytes()

    # A second restoration into the same (now full) database is refused: nothing is overwritten.
    again = _make("restore", target, f"FILE={dumps[0]}", answer="oui\n")
    assert again.returncode != 0 and "n'est pas vide" in again.stderr

    statistics = _statistics(token, None)
    assert statistics["ateliers"]["seances"] > 0
    assert _statistics(token, target) == statistics
