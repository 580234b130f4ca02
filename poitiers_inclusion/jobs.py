"""The kernel's own scheduled jobs: the outboxes' e-mails and text messages sent and retried, the
record of the scheduled runs, the submission tokens and the calls to make kept for a while only."""

import datetime

from django.conf import settings
from django.utils import timezone

from . import reach, scheduler, submissions
from .models import JobRun

# Long enough to see when a job started failing and how it went before.
KEEP_RUNS_DAYS = 90


def purge_job_runs() -> dict:
    limit = timezone.now() - datetime.timedelta(days=KEEP_RUNS_DAYS)
    deleted, _ = JobRun.objects.filter(started_at__lt=limit).delete()
    return {"passages effacés": deleted}


def purge_submission_tokens() -> dict:
    return {"jetons effacés": submissions.purge()}


def purge_calls() -> dict:
    return {"appels effacés": reach.purge_calls()}


scheduler.register(
    scheduler.Job(
        "send_outbox",
        "Envoi des e-mails et des SMS en attente (nouvelles tentatives), effacement des anciens",
        scheduler.every(minutes=5),
        command="send_outbox",
    ),
    scheduler.Job(
        "purge_job_runs",
        f"Effacement des passages des tâches planifiées de plus de {KEEP_RUNS_DAYS} jours",
        scheduler.daily("03:30"),
        function=purge_job_runs,
    ),
    scheduler.Job(
        "purge_submission_tokens",
        f"Effacement des jetons d'envoi de formulaire de plus de {submissions.TOKEN_DAYS} jours",
        scheduler.daily("03:40"),
        function=purge_submission_tokens,
    ),
    scheduler.Job(
        "purge_calls",
        f"Effacement des appels à passer {settings.CALLS_KEPT_DAYS} jours après leur date",
        scheduler.daily("03:50"),
        function=purge_calls,
    ),
)
