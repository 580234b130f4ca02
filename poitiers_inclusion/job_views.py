"""The scheduled jobs, read by the administrator: each job's last run and failure, then every run,
filtered and paged."""

import django_filters
from django.shortcuts import render
from django.utils import timezone

from . import scheduler
from .enums import JobOutcome, Role
from .filters import StyledFilterSet, date_filter
from .models import JobRun
from .paging import paginate
from .perms import role_required


def _job_choices():
    return [(job.name, job.label) for job in scheduler.jobs()]


class JobRunFilter(StyledFilterSet):
    tache = django_filters.ChoiceFilter(
        field_name="job", label="Tâche", choices=_job_choices, empty_label="Toutes"
    )
    resultat = django_filters.ChoiceFilter(
        field_name="outcome", label="Résultat", choices=JobOutcome.choices, empty_label="Tous"
    )
    du = date_filter("Du", "started_at", "date__gte")
    au = date_filter("Au", "started_at", "date__lte")

    class Meta:
        model = JobRun
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("du", "au"):
            self.form.fields[name].error_messages["invalid"] = "Saisissez une date valide."


def _last_by_job(runs) -> dict[str, JobRun]:
    """The latest of `runs` for each job, in one query (PostgreSQL's DISTINCT ON)."""
    latest = runs.order_by("job", "-started_at", "-pk").distinct("job")
    return {run.job: run for run in latest}


def _summary(now):
    last = _last_by_job(JobRun.objects.all())
    succeeded = _last_by_job(JobRun.objects.filter(outcome=JobOutcome.SUCCEEDED))
    failed = _last_by_job(JobRun.objects.filter(outcome=JobOutcome.FAILED))
    rows = []
    for job in scheduler.jobs():
        success = succeeded.get(job.name)
        rows.append(
            {
                "job": job,
                "last": last.get(job.name),
                "success": success,
                "failure": failed.get(job.name),
                "late": scheduler.is_late(job, success and success.started_at, now),
            }
        )
    return rows


@role_required(Role.ADMIN)
def job_runs(request):
    labels = dict(_job_choices())
    runs = JobRun.objects.all()
    filtered = JobRunFilter(request.GET or None, queryset=runs)
    runs = filtered.qs if filtered.is_bound and filtered.is_valid() else runs
    page, querystring = paginate(request, runs, 50)
    for run in page:
        run.label = labels.get(run.job, run.job)
    return render(
        request,
        "kernel/job_runs.html",
        {
            "summary": _summary(timezone.now()),
            "filter": filtered,
            "page": page,
            "querystring": querystring,
            "failed_outcome": JobOutcome.FAILED.value,
        },
    )
