"""Scheduled jobs: the registry where each app declares its periodic jobs, and the runner behind
`python manage.py run_scheduled` that runs those due, one instance at a time, and records each run.

An app declares its jobs in a `jobs.py` module, found by `autodiscover_modules` (the kernel
imports no app):

    from poitiers_inclusion import scheduler

    scheduler.register(
        scheduler.Job(
            "send_reminders",
            "Rappels des rendez-vous de demain et d'après-demain",
            scheduler.daily("07:15"),
            command="send_reminders",
        )
    )

A job is a management command (it may leave its counts in `self.counts`) or a function returning
its counts. Either must be idempotent: a second run the same day finds nothing left to do.

When is a job due? At the last moment of its schedule that has passed (today 07:15, or the last
ten-minute mark), when no run has succeeded or is running since then: a run missed while nothing
ran the scheduler happens at its next start, like systemd's Persistent=true. A failed run is tried
again after RETRY_AFTER. Two instances never run the same job at once: each run holds a
PostgreSQL advisory lock named after its job, and checks again under the lock whether the job is
still due, so the instance that comes second finds the run already recorded.
"""

import contextlib
import datetime
import io
import logging
import os
import socket
import time
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command, get_commands, load_command_class
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .enums import JobOutcome
from .models import JobRun

log = logging.getLogger(__name__)

# A failed run is tried again this long after it started (a database restart, a mail server
# that did not answer), until the job succeeds or its next time comes.
RETRY_AFTER = datetime.timedelta(minutes=15)
# First key of the scheduler's advisory locks (the second is the job's); a constant of our own.
LOCK_NAMESPACE = 72_012_023


@dataclass(frozen=True)
class Daily:
    """Every day at a local time (Europe/Paris, TIME_ZONE)."""

    at: datetime.time

    def last_slot(self, now: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(now)
        day = local.date()
        slot = _local(day, self.at)
        if slot > now:
            slot = _local(day - datetime.timedelta(days=1), self.at)
        return slot

    def __str__(self):
        return f"chaque jour à {self.at:%H:%M}"


@dataclass(frozen=True)
class Every:
    """Every N minutes, on the marks counted from local midnight (like cron's */N)."""

    minutes: int

    def last_slot(self, now: datetime.datetime) -> datetime.datetime:
        # On the clock's face: the day the clocks go back has 25 hours, not 25 hours of marks.
        local = timezone.localtime(now)
        minutes = local.hour * 60 + local.minute
        minutes -= minutes % self.minutes
        return _local(local.date(), datetime.time(minutes // 60, minutes % 60))

    def __str__(self):
        return f"toutes les {self.minutes} minutes"


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


def daily(hh_mm: str) -> Daily:
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    return Daily(datetime.time(hours, minutes))


def every(*, minutes: int) -> Every:
    if not 1 <= minutes <= 24 * 60:
        raise ValueError(f"Intervalle invalide : {minutes} minutes.")
    return Every(minutes)


@dataclass(frozen=True)
class Job:
    name: str  # stable identifier, recorded with each run; a command's own name
    label: str  # what it does, in French, for the administrator's page
    schedule: Daily | Every
    command: str | None = None
    function: Callable[[], dict | None] | None = None

    def __post_init__(self):
        if (self.command is None) == (self.function is None):
            raise ImproperlyConfigured(f"La tâche {self.name} : une commande ou une fonction.")

    def execute(self) -> dict:
        """Run the job; return its counts ({"rappels": 3, …})."""
        if self.function is not None:
            return self.function() or {}
        command = load_command_class(get_commands()[self.command], self.command)
        output = io.StringIO()
        call_command(command, stdout=output)
        for line in output.getvalue().splitlines():
            log.info("%s : %s", self.name, line)
        return getattr(command, "counts", {})


_JOBS: dict[str, Job] = {}
_discovered = False


def register(*jobs: Job) -> None:
    for job in jobs:
        known = _JOBS.get(job.name)
        if known is not None and known != job:
            raise ImproperlyConfigured(f"Deux tâches planifiées s'appellent {job.name}.")
        _JOBS[job.name] = job


def jobs() -> list[Job]:
    """Every registered job, by name (the apps' jobs.py modules are imported on first call)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True
    return sorted(_JOBS.values(), key=lambda job: job.name)


def get(name: str) -> Job:
    found = {job.name: job for job in jobs()}
    if name not in found:
        raise KeyError(name)
    return found[name]


# --- When a job is due ---


def is_due(job: Job, now: datetime.datetime) -> bool:
    since = JobRun.objects.filter(job=job.name, started_at__gte=job.schedule.last_slot(now))
    if since.exclude(outcome=JobOutcome.FAILED).exists():
        return False
    last_failure = since.order_by("-started_at").values_list("started_at", flat=True).first()
    return last_failure is None or last_failure <= now - RETRY_AFTER


def is_late(job: Job, last_success: datetime.datetime | None, now: datetime.datetime) -> bool:
    """No success since a time that passed more than a grace period ago: the scheduler does not
    run, or the job keeps failing."""
    grace = (
        datetime.timedelta(hours=1)
        if isinstance(job.schedule, Daily)
        else datetime.timedelta(minutes=3 * job.schedule.minutes)
    )
    slot = job.schedule.last_slot(now - grace)
    return last_success is None or last_success < slot


# --- Running ---


def _lock_key(name: str) -> int:
    """The job's name as a signed 32-bit key for pg_try_advisory_lock(namespace, key)."""
    return zlib.crc32(name.encode()) - 2**31


@contextlib.contextmanager
def exclusive(name: str):
    """Hold the job's advisory lock while the block runs; yield whether it was taken (False: an
    instance is running the job). The lock belongs to the database session, so it is freed even
    when the process dies."""
    key = [LOCK_NAMESPACE, _lock_key(name)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except DatabaseError:
                pass  # the session is gone, and its locks with it


def describe_error(error: BaseException) -> str:
    """The type of the error and where the project's code raised it; never its message."""
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    root = Path(settings.BASE_DIR).resolve()
    place = None
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(root) and ".venv" not in path.parts:
            place = f"{path.relative_to(root)}, ligne {frame.lineno} ({frame.name})"
    return f"{name} dans {place}" if place else name


def _clean_counts(counts) -> dict:
    return {str(key): int(value) for key, value in dict(counts).items()}


def _instance() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(
    job: Job, *, now: datetime.datetime | None = None, forced: bool = False
) -> JobRun | None:
    """Run the job if it is due (or `forced`) and no instance runs it; return the recorded run,
    None when there was nothing to do."""
    with exclusive(job.name) as acquired:
        if not acquired:
            log.info("%s : déjà en cours sur une autre instance.", job.name)
            return None
        # Under the lock no run of this job can be going on: one still marked running was
        # stopped (process killed, machine restarted).
        JobRun.objects.filter(job=job.name, outcome=JobOutcome.RUNNING).update(
            outcome=JobOutcome.FAILED,
            finished_at=timezone.now(),
            error="Interrompue : le processus s'est arrêté pendant la tâche.",
        )
        started = now or timezone.now()
        if not forced and not is_due(job, started):
            return None
        run = JobRun.objects.create(
            job=job.name, started_at=started, host=_instance(), forced=forced
        )
        clock = time.perf_counter()
        try:
            run.counts = _clean_counts(job.execute())
            run.outcome = JobOutcome.SUCCEEDED
        except BaseException as error:
            # The whole error (message, traceback) goes to the log and to Sentry, not the page.
            log.exception("La tâche planifiée %s a échoué.", job.name)
            run.outcome = JobOutcome.FAILED
            run.error = describe_error(error)
            if not isinstance(error, Exception):
                _finish(run, clock)
                raise  # KeyboardInterrupt, SystemExit: recorded, then stop
        _finish(run, clock)
        return run


def _finish(run: JobRun, clock: float) -> None:
    run.finished_at = run.started_at + datetime.timedelta(seconds=time.perf_counter() - clock)
    run.save()


def run_due(*, now: datetime.datetime | None = None, only: list[str] | None = None) -> list[JobRun]:
    """One pass: run each due job (or, with `only`, those jobs now, whatever their schedule), in
    the order of their times. Returns the runs made."""
    now = now or timezone.now()
    if only:
        selected = [get(name) for name in only]
    else:
        selected = sorted(jobs(), key=lambda job: (job.schedule.last_slot(now), job.name))
    runs = []
    for job in selected:
        run = run_job(job, now=now, forced=bool(only))
        if run is not None:
            runs.append(run)
    return runs
