"""The kernel's own scheduled jobs: the outbox's e-mails sent and retried, and the record of the
scheduled runs kept for a while only."""

import datetime

from django.utils import timezone

from . import scheduler, submissions
from .models import JobRun

# Long enough to see when a job started failing and how it went before.
KEEP_RUNS_DAYS = 90


def purge_job_runs() -> dict:
    limit = timezone.now() - datetime.timedelta(days=KEEP_RUNS_DAYS)
    deleted, _ = JobRun.objects.filter(started_at__lt=limit).delete()
    return {"passages effacés": deleted}


def purge_submission_tokens() -> dict:
    return {"jetons effacés": submissions.purge()}


scheduler.register(
    scheduler.Job(
        "send_outbox",
        "Envoi des e-mails en attente (nouvelles tentatives), effacement des anciens",
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
)
