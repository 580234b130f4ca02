"""bench_load: the load test of issue 14 (`make load`), locust against `make prod`'s gunicorn.

Meant for a database of its own (`make load` sets EMBEDDED_DB_NAME=bench):

1. tops the database up to N médiations (`generate_bench_data`), then makes the load's accounts
   (`load_accounts`): 50 conseillers and 5 coordinateurs on a password drawn for this run, the
   conseillers on drop-in slots and each given a past of about HISTORY generated médiations
   (« Mon activité » then has pages to browse, as a conseiller's years of work have);
   rewrites the figures store when it is missing or due;
2. starts `make prod` (deploy/serve.sh: deployment check, migrations, static files, gunicorn with
   DEBUG off on the embedded database) on 127.0.0.1 and a free port, and waits for /sante/;
3. runs bench/locustfile.py headless — fixed users, spawn rate and duration, so the load is
   bounded in count and time — and stops the server whatever happens;
4. deletes the médiations the load logged, locks the accounts again (unusable password), then
   prints one line per request kind, p95 against the 300 ms target and failures against 0
   (bench/results.json), and fails when any request failed.
"""

import csv
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from permanences.bench_data import BENCH_TAG
from permanences.figures import store
from permanences.models import Accompagnement, Mediation, Permanence
from poitiers_inclusion.benchmarks import record
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager, User
from reporting.models import FiguresSnapshot

CONSEILLERS, COORDINATEURS = 50, 5
# About this many generated médiations become each load conseiller's own past.
HISTORY = 3000
TARGET_P95_MS = 300
# Request kinds (bench/locustfile.py's names) measured without the target: checking a password is
# slow on purpose (Argon2 at Django's settings, about half a second of one core), once a session.
WITHOUT_TARGET = {"connexion : envoi"}
EMAIL = "charge-{role}-{n:02d}@banc-essai.invalid"
LOCUSTFILE = settings.BASE_DIR / "bench" / "locustfile.py"
SERVER_START_SECONDS = 180
# locust's own hard limit beyond the timed load: signing everyone in (bench/locustfile.py's
# SIGN_IN_LIMIT, 180 s at most) and stopping.
SIGN_IN_SECONDS = 240


def load_accounts(conseillers: int = CONSEILLERS, coordinateurs: int = COORDINATEURS) -> dict:
    """The load's accounts, created once and reused; a new random password for all of them at
    each call (nobody knows it after the run). Refused on a database without generated bench
    médiations: accounts with a password a script knows belong on a bench database only.
    Returns {"conseillers": [emails], "coordinateurs": [emails], "password": …}."""
    if not Mediation.objects.filter(source_donnee=BENCH_TAG).exists():
        raise CommandError(
            "Cette base n'a pas de médiations de banc d'essai (generate_bench_data) : les comptes "
            "du test de charge ne se créent que sur une base de banc d'essai."
        )
    password = secrets.token_urlsafe(24)
    hashed = make_password(password)  # hashed once: the same for every account
    wanted = {
        Role.CONSEILLER: [EMAIL.format(role="conseiller", n=n) for n in range(1, conseillers + 1)],
        Role.COORDINATEUR: [
            EMAIL.format(role="coordinateur", n=n) for n in range(1, coordinateurs + 1)
        ],
    }
    with transaction.atomic():
        for role, emails in wanted.items():
            existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
            User.objects.bulk_create(
                User(
                    email=email,
                    role=role,
                    first_name="Charge",
                    last_name=email.split("@")[0].rsplit("-", 1)[1],
                )
                for email in emails
                if email not in existing
            )
            User.objects.filter(email__in=emails).update(password=hashed, role=role, is_active=True)
        _on_drop_in_slots(User.objects.filter(email__in=wanted[Role.CONSEILLER]).order_by("pk"))
    return {
        "conseillers": wanted[Role.CONSEILLER],
        "coordinateurs": wanted[Role.COORDINATEUR],
        "password": password,
    }


def _on_drop_in_slots(conseillers) -> None:
    """Each conseiller on a few recurring slots, in turn, as a team shares a city's desks."""
    slots = list(Permanence.objects.filter(is_one_off=False).order_by("pk"))
    if not slots:
        return
    through = Permanence.conseillers.through
    conseillers = list(conseillers)
    links = {(p.pk, c.pk) for i, c in enumerate(conseillers) for p in slots[i % 3 :: 3]}
    present = set(
        through.objects.filter(user__in=conseillers).values_list("permanence_id", "user_id")
    )
    through.objects.bulk_create(
        through(permanence_id=p, user_id=c) for p, c in sorted(links - present)
    )


def give_history(conseiller_emails: list[str]) -> int:
    """Deal one generated médiation in `step` to the load's conseillers, in turn by id, so that
    each has about HISTORY of them, and the other generated ones to the other conseillers (the
    generator may have spread them over the load's conseillers too, when they existed before a
    top-up). Idempotent: rows already where they belong are left. The store's change log is off
    meanwhile and the store forgotten (it is rewritten afterwards); the table is vacuumed after, as
    autovacuum would, so that the moved rows do not slow the measure. Returns the rows moved."""
    ids = list(
        User.objects.filter(email__in=conseiller_emails)
        .order_by("email")
        .values_list("pk", flat=True)
    )
    others = list(
        User.objects.filter(role=Role.CONSEILLER)
        .exclude(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    generated = Mediation.objects.filter(source_donnee=BENCH_TAG).count()
    if not ids or not generated:
        return 0
    step = max(1, generated // (len(ids) * HISTORY))
    theirs = "(%s::bigint[])[(id / %s) %% %s + 1]"
    owner = f"CASE WHEN id %% %s = 0 THEN {theirs} ELSE (%s::bigint[])[id %% %s + 1] END"
    params = [step, ids, step, len(ids), others or ids, max(1, len(others))]
    if not others:  # nobody to hand the rest to: only the load's share is dealt
        owner = f"CASE WHEN id %% %s = 0 THEN {theirs} ELSE conseiller_id END"
        params = params[:4]
    where = f"source_donnee = %s AND conseiller_id <> {owner}"
    moved = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM permanences_mediation WHERE {where}", [BENCH_TAG, *params]
        )
        if cursor.fetchone()[0]:
            with transaction.atomic(), store.without_change_log(forget_store=True):
                cursor.execute(
                    f"UPDATE permanences_mediation SET conseiller_id = {owner} WHERE {where}",
                    [*params, BENCH_TAG, *params],
                )
                moved = cursor.rowcount
            if not connection.in_atomic_block:  # VACUUM refuses a transaction (the tests')
                cursor.execute("VACUUM (ANALYZE) permanences_mediation")
    return moved


def clean_up(conseiller_emails: list[str]) -> int:
    """Delete what the load logged (its médiations and their anonymous usagers); the audit log,
    append-only, keeps their trace. Returns the médiations deleted."""
    logged = Mediation.objects.filter(conseiller__email__in=conseiller_emails).exclude(
        source_donnee=BENCH_TAG
    )
    ids = list(logged.values_list("pk", flat=True))
    usager_ids = list(
        Accompagnement.objects.filter(mediation_id__in=ids).values_list("usager_id", flat=True)
    )
    Accompagnement.objects.filter(mediation_id__in=ids).delete()
    Mediation.objects.filter(pk__in=ids).delete()
    Usager.objects.filter(
        pk__in=usager_ids, consent_at__isnull=True, accompagnements__isnull=True
    ).delete()
    return len(ids)


def lock_accounts(emails: list[str]) -> None:
    """After the run nobody signs in with the load's password."""
    User.objects.filter(email__in=emails).update(password=make_password(None))


class Command(BaseCommand):
    help = "Test de charge : locust contre le gunicorn de `make prod` (make load)."

    def add_arguments(self, parser):
        parser.add_argument("--mediations", type=int, default=1_000_000)
        parser.add_argument("--duration", type=int, default=60, help="secondes de charge")
        # People arrive over a minute (one a second), as at the start of a day: 55 sign-ins at
        # once (half a second of one core each, on purpose) would queue every request behind them.
        parser.add_argument("--spawn-rate", type=float, default=1)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("LOAD_WORKERS") or 5))

    def handle(self, mediations, duration, spawn_rate, workers, **options):
        if not 1 <= duration <= 600:
            raise CommandError("--duration : entre 1 et 600 secondes.")
        call_command("generate_bench_data", mediations=mediations, stdout=self.stdout)
        accounts = load_accounts()
        everyone = accounts["conseillers"] + accounts["coordinateurs"]
        moved = give_history(accounts["conseillers"])
        self.stdout.write(
            f"Comptes du test de charge : {len(accounts['conseillers'])} conseillers, "
            f"{len(accounts['coordinateurs'])} coordinateurs ; {moved} médiations données en "
            "historique aux conseillers."
        )
        if store.current() is None or store.rebuild_due():
            call_command("rebuild_figures_store", stdout=self.stdout)
        # Every run starts from the same figures: no dashboard view stored by an earlier one.
        FiguresSnapshot.objects.all().delete()
        folder = Path(settings.BASE_DIR) / ".data" / "load"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            stats = self._run(accounts, folder, duration, spawn_rate, workers)
        finally:
            removed = clean_up(accounts["conseillers"])
            lock_accounts(everyone)
        self.stdout.write(
            f"{removed} médiations saisies par le test supprimées (le journal d'audit les garde) ; "
            "comptes du test verrouillés."
        )
        self._report(stats, folder, mediations)

    def _run(self, accounts, folder: Path, duration, spawn_rate, workers) -> Path:
        port = _free_port()
        server = _start_server(port, workers, folder / "gunicorn.log")
        try:
            _wait_for(server, port, folder / "gunicorn.log")
            self.stdout.write(
                f"Serveur : make prod sur 127.0.0.1:{port}, {workers} processus gunicorn ; "
                f"charge {CONSEILLERS + COORDINATEURS} utilisateurs pendant {duration} s "
                f"(charge de la machine avant : {_load_average()})."
            )
            prefix = folder / "locust"
            for old in folder.glob("locust_*.csv"):
                old.unlink()
            env = {
                **os.environ,
                "BENCH_LOAD_PASSWORD": accounts["password"],
                "BENCH_LOAD_CONSEILLERS": ",".join(accounts["conseillers"]),
                "BENCH_LOAD_COORDINATEURS": ",".join(accounts["coordinateurs"]),
                "BENCH_LOAD_SECONDS": str(duration),
            }
            command = [
                *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
                *("-u", str(CONSEILLERS + COORDINATEURS), "-r", str(spawn_rate)),
                *("-t", f"{duration + SIGN_IN_SECONDS}s", "--stop-timeout", "10"),
                *("--host", f"http://127.0.0.1:{port}", "--only-summary", "--csv", str(prefix)),
            ]
            try:
                subprocess.run(
                    command, env=env, timeout=duration + SIGN_IN_SECONDS + 60, check=False
                )
            except subprocess.TimeoutExpired:
                raise CommandError("locust ne s'est pas arrêté à temps.") from None
            self.stdout.write(f"Charge de la machine après : {_load_average()}.")
            stats = Path(f"{prefix}_stats.csv")
            if not stats.exists():
                raise CommandError("locust n'a pas écrit ses statistiques (voir ci-dessus).")
            return stats
        finally:
            _stop(server)

    def _report(self, stats: Path, folder: Path, size: int) -> None:
        with open(stats, newline="") as f:
            rows = [row for row in csv.DictReader(f) if row["Name"] != "Aggregated"]
        failures = 0
        for row in sorted(rows, key=lambda r: r["Name"]):
            count, failed = int(row["Request Count"]), int(row["Failure Count"])
            failures += failed
            record(
                self.stdout,
                f"load_p95_{row['Name']}",
                f"Charge, {row['Name']} ({count} req., {failed} échecs) : p95",
                float(row["95%"]),
                "ms",
                target=None if row["Name"] in WITHOUT_TARGET else TARGET_P95_MS,
                size=size,
            )
        total = sum(int(row["Request Count"]) for row in rows)
        record(self.stdout, "load_requests", "Charge : requêtes", total, "req", size=size)
        record(
            self.stdout,
            "load_failures",
            "Charge : requêtes en échec",
            failures,
            "req",
            target=1,
            size=size,
        )
        if failures:
            self.stdout.write((folder / "locust_failures.csv").read_text())
            raise CommandError(f"{failures} requêtes en échec pendant le test de charge.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _start_server(port: int, workers: int, log: Path) -> subprocess.Popen:
    """`make prod` as a city's IT starts it, on this database; its own process group, so that
    _stop ends make, gunicorn and its workers together."""
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # locust reaches gunicorn directly, as the reverse proxy would (X-Forwarded-Proto).
        "TRUSTED_PROXY_COUNT": "0",
    }
    for name in ("DEBUG", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    with open(log, "wb") as out:
        return subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "prod"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if server.poll() is not None:
            raise CommandError(f"make prod s'est arrêté :\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise CommandError(f"make prod ne répond pas :\n{log.read_text()[-3000:]}")
        time.sleep(0.25)  # polling for a state (the port answers), not waiting for a duration


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
