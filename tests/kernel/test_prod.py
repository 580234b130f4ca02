"""`make prod`: the production start a city's IT department runs (deploy/serve.sh behind it),
proven by starting it in a temporary copy of the project and asking it what a browser and a
monitor ask, through a reverse proxy that ends HTTPS and sends X-Forwarded-Proto: https."""

import gzip
import json
import re
import socket
import stat

import psutil
import pytest
from django.db import connection

from tests.production import (
    SITE,
    copy_project,
    database_url,
    fetch,
    free_port,
    production_env,
    start_make_prod,
)

from .test_settings import _load_settings

HASHED_CSS = re.compile(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"')


@pytest.fixture
def project(open_tmp_path):
    return copy_project(open_tmp_path / "projet")


def test_make_prod_serves_the_test_database_as_in_production(django_db_setup, project, tmp_path):
    # The notification socket systemd gives a Type=notify service (deploy/systemd/).
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    systemd.bind(str(tmp_path / "notify"))
    systemd.settimeout(30)
    env = production_env(
        free_port(),
        tmp_path / "media",
        DATABASE_URL=database_url(connection.settings_dict),
        NOTIFY_SOCKET=str(tmp_path / "notify"),
    )
    server = start_make_prod(project, env)
    try:
        assert b"READY=1" in systemd.recv(4096)  # systemd learns that it listens
        health = fetch(server.port, "/sante/")
        assert health.status == 200, server.output()
        assert json.loads(health.body) == {"base": "ok", "migrations": "ok"}

        page = fetch(server.port, "/connexion/")
        assert page.status == 200
        assert '<html lang="fr">' in page.text and "Se connecter" in page.text
        # The security settings are on: HSTS, secure cookies, DEBUG off.
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "Secure" in " ".join(page.headers.get_all("Set-Cookie"))
        missing = fetch(server.port, "/nexiste-pas/")
        assert missing.status == 404 and "Page introuvable" in missing.text
        assert "URLconf" not in missing.text  # not Django's debug page
        # Plain HTTP (the proxy said so) is sent to HTTPS; an unknown host name is refused.
        plain = fetch(server.port, "/connexion/", https=False)
        assert plain.status == 301
        assert plain.headers["Location"] == f"https://{SITE}/connexion/"
        assert fetch(server.port, "/connexion/", host="ailleurs.example").status == 400
        # ...but a load balancer probing an instance over plain HTTP gets the health answer.
        assert fetch(server.port, "/sante/", https=False).status == 200

        # Static files: whitenoise serves the collected, hashed, compressed copies for years.
        css = HASHED_CSS.search(page.text)
        assert css, "la feuille de style n'a pas de nom versionné"
        static = fetch(server.port, css.group(1), headers={"Accept-Encoding": "gzip"})
        assert static.status == 200
        assert static.headers["Content-Encoding"] == "gzip"
        cache = static.headers["Cache-Control"]
        assert "immutable" in cache
        assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
        assert gzip.decompress(static.body).startswith(b"/* Project styles")
    finally:
        server.stop()
        systemd.close()
    assert server.process.poll() is not None


def _embedded_servers(data_dir):
    return [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres" and str(data_dir) in " ".join(p.info["cmdline"] or [])
    ]


@pytest.mark.slow_start
def test_make_prod_without_database_url_runs_on_the_embedded_database(project, tmp_path):
    env = production_env(free_port(), tmp_path / "media", SECRET_KEY=None)
    server = start_make_prod(project, env)
    try:
        health = fetch(server.port, "/sante/")
        assert health.status == 200, server.output()
        assert json.loads(health.body) == {"base": "ok", "migrations": "ok"}
        assert fetch(server.port, "/ateliers/programme/").status == 200
    finally:
        server.stop()
    # A key was generated once, readable by its owner only, and the next start keeps it (the
    # sessions and links it signed stay valid).
    key_file = project / ".data" / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 50 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The embedded server stops with the application (pgserver stops it after its last user).
    psutil.wait_procs(_embedded_servers(project / ".data" / "pg"), timeout=30)
    assert _embedded_servers(project / ".data" / "pg") == []

    server = start_make_prod(project, env)
    try:
        assert fetch(server.port, "/sante/").status == 200, server.output()
    finally:
        server.stop()
    assert key_file.read_text().strip() == key


def test_the_embedded_database_in_production_still_needs_a_strong_key():
    result = _load_settings({"DEBUG": "0", "EMBEDDED_DB": "1", "SECRET_KEY": "court"})
    assert result.returncode != 0
    assert "SECRET_KEY est trop courte" in result.stderr
