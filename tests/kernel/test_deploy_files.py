"""The deployment examples in deploy/ (systemd units and timers, the container recipe and its
compose file): each one parses, starts what `make prod` starts, and names only management
commands, files and settings that exist."""

import configparser
import json
import os
import re
import subprocess

import pytest
import yaml
from django.core.management import get_commands

from tests.production import ROOT

DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
MANAGE_COMMAND = re.compile(r"manage\.py\s+([a-z_][a-z0-9_]*)")
UNITS = sorted(SYSTEMD.glob("*.service")) + sorted(SYSTEMD.glob("*.timer"))
TIMERS = sorted(SYSTEMD.glob("*.timer"))


def _unit(path) -> configparser.ConfigParser:
    # systemd's syntax is an ini file where keys may repeat and % starts a specifier.
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string(path.read_text(), source=str(path))
    return parser


def _instructions(containerfile) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", containerfile.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def _settings_read_from_environment() -> set[str]:
    settings = (ROOT / "poitiers_inclusion" / "settings.py").read_text()
    serve = (DEPLOY / "serve.sh").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|required)\(\s*"([A-Z_]+)"', settings)) | set(
        re.findall(r"\$\{([A-Z_]+)", serve)
    )


def _env_file(path) -> dict:
    pairs = [line.split("=", 1) for line in path.read_text().splitlines()]
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2 and not pair[0].startswith("#")}


def test_there_is_a_service_and_a_timer_for_the_scheduled_jobs():
    assert (SYSTEMD / "inclusion-numerique.service").exists()
    assert [t.name for t in TIMERS] == ["inclusion-numerique-scheduled.timer"]
    assert (SYSTEMD / "inclusion-numerique-scheduled.service").exists()


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_every_systemd_unit_parses(path):
    unit = _unit(path)
    kind = path.suffix.lstrip(".").capitalize()
    assert unit.has_section("Unit") and unit["Unit"].get("Description")
    assert unit.has_section(kind), f"{path.name} n'a pas de section [{kind}]"
    if kind == "Service":
        assert unit["Service"]["ExecStart"].startswith("/")  # systemd wants absolute paths
        assert unit["Service"]["EnvironmentFile"] == "/etc/inclusion-numerique/env"
    else:
        assert unit["Timer"]["OnCalendar"] and unit["Install"]["WantedBy"] == "timers.target"


def test_the_service_the_container_and_make_prod_start_the_same_command():
    serve = DEPLOY / "serve.sh"
    assert os.access(serve, os.X_OK)
    assert subprocess.run(["sh", "-n", str(serve)]).returncode == 0
    service = _unit(SYSTEMD / "inclusion-numerique.service")["Service"]
    assert service["ExecStart"] == "/srv/inclusion-numerique/deploy/serve.sh"
    assert service["WorkingDirectory"] == "/srv/inclusion-numerique"
    cmd = dict(_instructions(DEPLOY / "Containerfile"))["CMD"]
    assert json.loads(cmd) == ["deploy/serve.sh"]
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nprod:", 1)[1].split("\n\n", 1)[0]
    assert "exec deploy/serve.sh" in recipe
    # serve.sh: the deployment check, the migrations, the static files, then gunicorn.
    steps = MANAGE_COMMAND.findall(serve.read_text())
    assert steps == ["check", "migrate", "collectstatic"]
    assert "gunicorn poitiers_inclusion.wsgi" in serve.read_text()


def test_each_timer_starts_a_real_management_command():
    commands = get_commands()
    for timer in TIMERS:
        service = _unit(timer.with_suffix(".service"))["Service"]
        assert service["Type"] == "oneshot"
        [command] = MANAGE_COMMAND.findall(service["ExecStart"])
        assert command in commands, f"{timer.name} : la commande {command} n'existe pas"


def test_the_scheduled_jobs_run_every_minute_from_systemd_cron_or_the_container():
    """run_scheduled knows each job's time; whatever starts it does so every minute."""
    timer = _unit(SYSTEMD / "inclusion-numerique-scheduled.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* *:*:00"
    service = _unit(SYSTEMD / "inclusion-numerique-scheduled.service")["Service"]
    assert service["ExecStart"] == (
        "/srv/inclusion-numerique/.venv/bin/python manage.py run_scheduled"
    )
    assert service["EnvironmentFile"] == "/etc/inclusion-numerique/env"
    blocks = (ROOT / "README.md").read_text().split("```")[1::2]
    cron = [line for block in blocks for line in block.splitlines() if "run_scheduled" in line]
    assert any(line.strip().startswith("* * * * * ") for line in cron), cron
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    scheduler, app = compose["scheduler"], compose["app"]
    assert scheduler["command"] == ["python", "manage.py", "run_scheduled", "--loop"]
    assert scheduler["build"] == app["build"] and scheduler["environment"] == app["environment"]
    assert scheduler["volumes"] == app["volumes"]  # anonymising deletes attached files
    # The application's start applies the migrations first.
    assert scheduler["depends_on"]["app"]["condition"] == "service_healthy"


def test_every_registered_job_is_in_the_readme_with_its_time():
    from poitiers_inclusion import scheduler

    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n### Tâches planifiées\n", 1)[1].split("\n#", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)` \| ", section, re.M))
    jobs = scheduler.jobs()
    assert listed == {job.name for job in jobs}
    for job in jobs:
        assert f"| `{job.name}` | {job.schedule} |" in section, job.name


def test_every_management_command_named_for_operators_exists():
    commands = get_commands()
    files = [p for p in DEPLOY.rglob("*") if p.is_file()]
    files += [ROOT / "Makefile", ROOT / "README.md"]
    named = {(p.name, c) for p in files for c in MANAGE_COMMAND.findall(p.read_text())}
    assert named, "aucune commande trouvée"
    unknown = sorted((file, c) for file, c in named if c not in commands)
    assert unknown == []


def test_the_container_recipe_builds_from_the_project():
    instructions = _instructions(DEPLOY / "Containerfile")
    assert instructions[0][0] == "FROM" and instructions[0][1].startswith("python:3.11")
    for kind, args in instructions:
        if kind == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert source == "." or (ROOT / source).exists(), source
    assert ("USER", "inclusion") in instructions  # never runs as root
    # `COPY . .` takes the project folder: never the local database, the virtualenv or git.
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".data", ".venv", ".git"} <= set(ignored)


def test_the_compose_file_runs_the_application_with_postgresql():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert "postgres" in db["image"] and "pg_isready" in " ".join(db["healthcheck"]["test"])
    build = app["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == (
        DEPLOY / "Containerfile"
    ).resolve()
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "@db:5432/" in app["environment"]["DATABASE_URL"]
    assert "/sante/" in " ".join(app["healthcheck"]["test"])
    # Published on the host's loopback only: the reverse proxy is the way in.
    assert all(str(port).startswith("127.0.0.1:") for port in app["ports"])
    # Every variable the compose file asks for is in its example file, and the application
    # reads every setting given to it.
    asked = set(re.findall(r"\$\{([A-Z_]+)", (DEPLOY / "compose.yaml").read_text()))
    example = _env_file(DEPLOY / "compose.env.example")
    assert asked <= set(example), asked - set(example)
    assert set(app["environment"]) <= _settings_read_from_environment()


def test_the_environment_examples_name_only_real_settings():
    known = _settings_read_from_environment()
    for path in (SYSTEMD / "env.example", DEPLOY / "compose.env.example"):
        names = set(_env_file(path)) - {"POSTGRES_PASSWORD"}  # the compose file's own
        assert names and names <= known, (path.name, names - known)
    systemd_env = _env_file(SYSTEMD / "env.example")
    assert {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "TRUSTED_PROXY_COUNT"} <= set(
        systemd_env
    )
