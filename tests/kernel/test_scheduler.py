"""run_scheduled: each job at its time, once; each run recorded; a failure recorded without
personal data and tried again; never two instances on the same job; the loop; the registry."""

import datetime
import io
import logging
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import OperationalError
from django.utils import timezone

from poitiers_inclusion import scheduler
from poitiers_inclusion.enums import JobOutcome
from poitiers_inclusion.management.commands.run_scheduled import loop
from poitiers_inclusion.models import JobRun

pytestmark = pytest.mark.django_db


def _at(day: datetime.date, hh_mm: str) -> datetime.datetime:
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))


DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test's own jobs; the apps' jobs are left out."""
    jobs = {}
    monkeypatch.setattr(scheduler, "_JOBS", jobs)
    monkeypatch.setattr(scheduler, "_discovered", True)
    return jobs


def _job(registry, name="compter", schedule="07:15", function=None):
    calls = []

    def count():
        calls.append(timezone.now())
        return {"traités": len(calls)}

    count.calls = calls
    job = scheduler.Job(
        name,
        "Une tâche d'essai",
        scheduler.daily(schedule) if isinstance(schedule, str) else schedule,
        function=function or count,
    )
    scheduler.register(job)
    return job


def test_it_runs_a_due_job_and_records_the_run(registry):
    job = _job(registry)
    [run] = scheduler.run_due(now=_at(DAY, "07:15"))
    run.refresh_from_db()
    assert run.job == "compter" and run.outcome == JobOutcome.SUCCEEDED
    assert run.started_at == _at(DAY, "07:15") and run.finished_at >= run.started_at
    assert run.counts == {"traités": 1}
    assert run.host and run.error == "" and not run.forced
    assert len(job.function.calls) == 1


def test_a_daily_job_runs_once_a_day_from_its_time(registry):
    job = _job(registry)
    JobRun.objects.create(
        job=job.name, started_at=_at(DAY, "07:16") - datetime.timedelta(days=1),
        outcome=JobOutcome.SUCCEEDED,
    )  # fmt: skip
    assert scheduler.run_due(now=_at(DAY, "07:14")) == []
    assert len(scheduler.run_due(now=_at(DAY, "07:15"))) == 1
    for later in ("07:16", "12:00", "23:59"):
        assert scheduler.run_due(now=_at(DAY, later)) == []
    assert len(scheduler.run_due(now=_at(DAY + datetime.timedelta(days=1), "07:15"))) == 1
    assert len(job.function.calls) == 2


def test_a_run_missed_while_nothing_ran_happens_at_the_next_start(registry):
    job = _job(registry)
    JobRun.objects.create(
        job=job.name, started_at=_at(DAY, "07:15") - datetime.timedelta(days=3),
        outcome=JobOutcome.SUCCEEDED,
    )  # fmt: skip
    # The machine was off at yesterday's 07:15: the job runs this morning, before its time.
    assert len(scheduler.run_due(now=_at(DAY, "06:00"))) == 1
    assert scheduler.run_due(now=_at(DAY, "06:01")) == []


def test_a_job_every_ten_minutes_runs_on_each_mark(registry):
    job = _job(registry, schedule=scheduler.every(minutes=10))
    assert len(scheduler.run_due(now=_at(DAY, "10:03"))) == 1
    assert scheduler.run_due(now=_at(DAY, "10:09")) == []
    assert len(scheduler.run_due(now=_at(DAY, "10:10"))) == 1
    assert len(scheduler.run_due(now=_at(DAY, "10:25"))) == 1
    assert len(job.function.calls) == 3


@pytest.mark.parametrize("day", [datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)])
def test_the_times_hold_on_the_days_the_clocks_change(registry, day):
    ten_minutes = scheduler.every(minutes=10)
    for hh_mm, mark in (("01:05", "01:00"), ("04:03", "04:00"), ("10:09", "10:00")):
        now = _at(day, hh_mm).astimezone(datetime.UTC)  # as timezone.now() gives it
        assert ten_minutes.last_slot(now) == _at(day, mark)
    now = _at(day, "08:00").astimezone(datetime.UTC)
    assert scheduler.daily("07:15").last_slot(now) == _at(day, "07:15")


def test_a_failure_is_recorded_without_its_message_and_tried_again_later(registry, caplog):
    def fails():
        raise ValueError("Adresse refusée : jeanne.dupont@example.fr")

    _job(registry, function=fails)
    with caplog.at_level(logging.ERROR, logger="poitiers_inclusion.scheduler"):
        [run] = scheduler.run_due(now=_at(DAY, "07:15"))
    run.refresh_from_db()
    assert run.outcome == JobOutcome.FAILED and run.finished_at is not None
    # The type and the place in the code: enough to find it, and no personal data.
    assert run.error.startswith("ValueError dans tests/kernel/test_scheduler.py, ligne ")
    assert run.error.endswith("(fails)")
    assert "jeanne" not in run.error and "example.fr" not in run.error
    # The operator's log has the whole error.
    assert "compter" in caplog.text and "jeanne.dupont" in caplog.text

    assert scheduler.run_due(now=_at(DAY, "07:29")) == []
    [again] = scheduler.run_due(now=_at(DAY, "07:30"))
    assert again.outcome == JobOutcome.FAILED


def test_a_run_left_running_by_a_stopped_process_is_marked_failed_and_done_again(registry):
    job = _job(registry)
    stopped = JobRun.objects.create(job=job.name, started_at=_at(DAY, "07:15"))
    assert scheduler.run_due(now=_at(DAY, "07:16")) == []
    stopped.refresh_from_db()
    assert stopped.outcome == JobOutcome.FAILED and "Interrompue" in stopped.error
    # Like any failure, tried again a quarter of an hour after it started.
    [run] = scheduler.run_due(now=_at(DAY, "07:30"))
    assert run.outcome == JobOutcome.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_two_instances_never_run_the_same_job_at_once(registry):
    inside, release = threading.Event(), threading.Event()

    def slow():
        inside.set()
        assert release.wait(10)
        return {"traités": 1}

    job = _job(registry, function=slow)
    now = _at(DAY, "07:15")
    first = {}

    def instance_one():
        from django.db import connection

        try:
            first["run"] = scheduler.run_job(job, now=now)
        finally:
            connection.close()

    thread = threading.Thread(target=instance_one)
    thread.start()
    try:
        assert inside.wait(10)
        # A second instance, on its own database session, at the same minute, even forced.
        assert scheduler.run_job(job, now=now) is None
        assert scheduler.run_job(job, now=now, forced=True) is None
        assert JobRun.objects.filter(job=job.name).count() == 1
    finally:
        release.set()
        thread.join(10)
    assert first["run"].outcome == JobOutcome.SUCCEEDED
    # Once the first is over, the second finds the job done for this time.
    assert scheduler.run_job(job, now=now + datetime.timedelta(seconds=30)) is None
    assert JobRun.objects.filter(job=job.name).count() == 1


def test_the_command_runs_the_due_jobs_and_says_what_they_did(registry):
    _job(registry, name="premiere")
    _job(registry, name="seconde", schedule="23:59")
    JobRun.objects.create(job="seconde", outcome=JobOutcome.SUCCEEDED)
    out = io.StringIO()
    call_command("run_scheduled", stdout=out)
    assert "premiere : réussie en " in out.getvalue() and "(traités : 1)" in out.getvalue()
    assert "seconde" not in out.getvalue()
    quiet = io.StringIO()
    call_command("run_scheduled", "--job", "seconde", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""  # cron mails only what goes wrong
    assert JobRun.objects.get(job="seconde", forced=True).outcome == JobOutcome.SUCCEEDED


def test_the_command_fails_when_a_job_fails(registry):
    def fails():
        raise RuntimeError("boom")

    _job(registry, function=fails)
    err = io.StringIO()
    with pytest.raises(CommandError, match="Échec de : compter"):
        call_command("run_scheduled", stdout=io.StringIO(), stderr=err)
    assert "compter : échec en" in err.getvalue() and "RuntimeError" in err.getvalue()


def test_the_command_refuses_an_unknown_job(registry):
    _job(registry)
    with pytest.raises(CommandError, match="Tâche inconnue : rappels.*compter"):
        call_command("run_scheduled", "--job", "rappels")


def test_the_command_lists_the_jobs(registry):
    _job(registry)
    out = io.StringIO()
    call_command("run_scheduled", "--list", stdout=out)
    assert "compter (chaque jour à 07:15) — jamais lancée ; à lancer maintenant" in out.getvalue()


def test_the_loop_looks_each_minute_and_stops_when_asked(registry, monkeypatch):
    clock = [_at(DAY, "07:14").timestamp() + 30]
    passes, stop = [], []

    def sleep(seconds):
        clock[0] += seconds

    def run_due():
        passes.append(clock[0])
        if len(passes) == 3:
            stop.append("SIGTERM")
        return []

    monkeypatch.setattr(scheduler, "run_due", run_due)
    loop(stop=stop, on_runs=lambda runs: None, log_error=print, sleep=sleep, clock=lambda: clock[0])
    assert len(passes) == 3
    # After the first pass, each one starts on the minute.
    assert [round(t - passes[0]) for t in passes] == [0, 30, 90]


def test_the_loop_outlives_a_database_outage(registry, monkeypatch):
    errors, passes, stop = [], [], []

    def run_due():
        passes.append(1)
        if len(passes) == 1:
            raise OperationalError("connection refused")
        stop.append("done")
        return []

    monkeypatch.setattr(scheduler, "run_due", run_due)
    clock = [0.0]
    loop(
        stop=stop,
        on_runs=lambda runs: None,
        log_error=errors.append,
        sleep=lambda s: clock.__setitem__(0, clock[0] + s),
        clock=lambda: clock[0],
    )
    assert len(passes) == 2 and "Base de données injoignable" in errors[0]


def test_two_jobs_cannot_share_a_name(registry):
    _job(registry)
    with pytest.raises(ImproperlyConfigured):
        scheduler.register(
            scheduler.Job("compter", "Autre", scheduler.daily("08:00"), command="demo")
        )


def test_every_app_declares_its_jobs_with_real_commands():
    jobs = {job.name: job for job in scheduler.jobs()}
    assert set(jobs) == {
        "send_reminders",
        "anonymise_usagers",
        "send_workshop_reminders",
        "orientations_reminders",
        "ordinateurs_housekeeping",
        "send_donor_certificates",
        "refresh_figures",
        "purge_job_runs",
        "send_outbox",
        "purge_submission_tokens",
        "sync_coop",
        "purge_calls",
    }
    commands = get_commands()
    for job in jobs.values():
        assert job.command is None or job.command in commands, job.name
