"""Helpers for tests that run `make prod` for real: a copy of the project in a temporary folder,
the production environment of the README, plain HTTP requests as the reverse proxy sends them."""

import http.client
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
SITE = "inclusion.ville.example"
# What a deployment's key looks like (secrets.token_urlsafe(50)): long and random.
PRODUCTION_KEY = "q3V8kZ0rN-2mX7pL4tH9wB1yC6sD5fG8jK0aE3uR7iO2nM4vT9xZ1cQ5bW8hJ6lP"
# Variables of this test run that must not leak into the production server.
_NOT_INHERITED = ("SECURE_", "SESSION_", "CSRF_", "ALLOWED_", "TRUSTED_PROXY_", "EMBEDDED_DB")
_NOT_INHERITED_NAMES = {
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "DATABASE_TEST_NAME",
    "SECRET_KEY",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "MEDIA_ROOT",
    "PORT",
    "HOST",
    "WORKERS",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
}


def copy_project(target: Path) -> Path:
    """The project's files (tracked or new, never ignored ones such as .data/) in target, with
    the shared virtualenv linked: static files and an embedded database land in the copy."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    (target / ".venv").symlink_to((ROOT / ".venv").resolve())
    return target


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (the test database)."""
    credentials = f"{quote(settings_dict['USER'] or '', safe='')}:"
    credentials += f"{quote(settings_dict['PASSWORD'] or '', safe='')}@"
    host = settings_dict["HOST"] or ""
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    query = urlencode({k: str(v) for k, v in (settings_dict.get("OPTIONS") or {}).items()})
    url = f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"
    return f"{url}?{query}" if query else url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(port: int, media: Path, **extra) -> dict:
    """The README's production configuration, behind one reverse proxy."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_NOT_INHERITED) and k not in _NOT_INHERITED_NAMES
    }
    env = {
        **base,
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": SITE,
        "CSRF_TRUSTED_ORIGINS": f"https://{SITE}",
        "TRUSTED_PROXY_COUNT": "1",
        "PORT": str(port),
        "WORKERS": "2",
        "MEDIA_ROOT": str(media),
        **extra,
    }
    return {k: v for k, v in env.items() if v is not None}


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def start_make_prod(project: Path, env: dict, *, timeout: float = 300) -> Server:
    """`make prod` in project; returns once it answers HTTP (its own process group, so that
    stop() ends make, gunicorn and its workers together)."""
    log = project / "make-prod.log"
    with open(log, "wb") as out:
        # -o .venv/.installed: the packages already installed are used as they are; the test
        # must never reinstall them (an editable install from the copy would move the shared
        # environment into a temporary folder).
        process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "prod"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, int(env["PORT"]), log)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AssertionError(
                f"make prod s'est arrêté ({process.returncode}) :\n{server.output()}"
            )
        try:
            fetch(server.port, "/sante/", https=False, timeout=5)
            return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise AssertionError(f"make prod ne répond pas :\n{server.output()}")
        time.sleep(0.25)  # polling for a state (the port answers), not waiting for a duration


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def cookies(self) -> dict:
        jar = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            jar[name] = rest.split(";", 1)[0]
        return jar


def fetch(
    port: int,
    path: str,
    *,
    method: str = "GET",
    headers: dict | None = None,
    body: bytes | None = None,
    https: bool = True,
    host: str = SITE,
    timeout: float = 30,
) -> Response:
    """One request as the reverse proxy passes it on: the site's Host header and, for a request
    that reached the proxy over HTTPS, X-Forwarded-Proto: https."""
    sent = {"Host": host, **(headers or {})}
    if https:
        sent["X-Forwarded-Proto"] = "https"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=sent)
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


def gunicorn_settings():
    """deploy/gunicorn.conf.py as gunicorn reads it (its hooks, called by the tests)."""
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", ROOT / "deploy" / "gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
