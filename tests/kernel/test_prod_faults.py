"""The database goes away under the production server, for real: `make prod` (gunicorn) on a
PostgreSQL of its own, started by the test in a temporary folder, then stopped and started again.

While it is stopped every page answers the French 503 page with Retry-After (a form sent then
says nothing was saved); when it is back, the same server serves again, without a restart, and
the people signed in before are still signed in.
"""

import json
import re
import subprocess
import warnings
from urllib.parse import urlencode

import pytest

from tests.production import (
    SITE,
    Response,
    copy_project,
    fetch,
    free_port,
    production_env,
    start_make_prod,
)

EMAIL = "conseil@ville.example"
PASSWORD = "une-phrase-de-passe-solide"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UNAVAILABLE = "Le service est momentanément indisponible"


@pytest.fixture
def postgresql(open_tmp_path):
    """A PostgreSQL server of this test alone: the shared test database is never stopped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
        from pgserver._commands import pg_ctl

    server = pgserver.get_server(open_tmp_path / "pg", cleanup_mode="stop")

    def stop():
        # "fast": the connections the workers keep are cut, as when a server goes down.
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)

    def start():
        # Same data folder, same socket: the application's DATABASE_URL stays right.
        with server._lock:
            server.ensure_postgres_running()

    server.stop_now, server.start_again = stop, start
    yield server
    server.cleanup()


class Browser:
    """Cookies and CSRF token of one person, as a browser keeps them."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, path, data=None) -> Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            headers["Origin"] = f"https://{SITE}"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode({"csrfmiddlewaretoken": self.token, **data}).encode()
        response = fetch(
            self.port,
            path,
            method="POST" if data is not None else "GET",
            headers=headers,
            body=body,
        )
        self.cookies.update(response.cookies())
        token = CSRF_INPUT.search(response.text)
        if token:
            self.token = token.group(1)
        return response


def _assert_unavailable(response: Response):
    assert response.status == 503, (response.status, response.text[:500])
    assert UNAVAILABLE in response.text and '<html lang="fr">' in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert "Traceback" not in response.text and "psycopg" not in response.text


@pytest.mark.slow_start
def test_pages_answer_503_while_postgresql_is_stopped_and_serve_again_when_it_returns(
    postgresql, open_tmp_path
):
    project = copy_project(open_tmp_path / "projet")
    # One worker: every request meets the connection the previous one left, which is the case
    # a restart of PostgreSQL breaks.
    env = production_env(
        free_port(), open_tmp_path / "media", DATABASE_URL=postgresql.get_uri(), WORKERS="1"
    )
    server = start_make_prod(project, env)
    try:
        subprocess.run(
            [".venv/bin/python", "manage.py", "createuser", EMAIL, "--role", "conseiller"],
            cwd=project,
            env={**env, "DEBUG": "0", "DJANGO_USER_PASSWORD": PASSWORD},
            check=True,
            capture_output=True,
        )
        person = Browser(server.port)
        person.request("/connexion/")
        signed_in = person.request("/connexion/", {"username": EMAIL, "password": PASSWORD})
        assert signed_in.status == 302, signed_in.text[:2000]
        assert person.request("/permanences/saisir/").status == 200

        # PostgreSQL restarts between two requests: the next one is served, on a new connection.
        postgresql.stop_now()
        postgresql.start_again()
        assert person.request("/permanences/saisir/").status == 200, server.output()

        postgresql.stop_now()
        _assert_unavailable(person.request("/permanences/saisir/"))
        sent = person.request("/permanences/saisir/", {"date": "2025-01-06", "duree": "30"})
        _assert_unavailable(sent)
        assert "n’a pas été enregistré" in sent.text
        _assert_unavailable(Browser(server.port).request("/ateliers/programme/"))
        health = fetch(server.port, "/sante/", https=False)
        assert health.status == 503
        assert json.loads(health.body) == {"base": "erreur", "migrations": "inconnu"}

        postgresql.start_again()
        page = person.request("/permanences/saisir/")
        assert page.status == 200 and "Se connecter" not in page.text
        assert json.loads(fetch(server.port, "/sante/").body) == {"base": "ok", "migrations": "ok"}
    finally:
        server.stop()
