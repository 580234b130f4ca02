"""What happened, kept as it happened: the append-only audit log and the scheduled jobs' runs."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ..enums import (
    JobOutcome,
)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    """A bulk update or delete of append-only records is refused as one record's is."""

    def update(self, **kwargs):
        raise AppendOnlyError(self.model.CHANGE_REFUSED)

    def delete(self):
        raise AppendOnlyError(self.model.DELETE_REFUSED)


class AppendOnlyModel(models.Model):
    """Records written once, never changed nor deleted: the audit journal, the evidence of the
    workshop. (A database trigger of each table refuses too, whatever the code does.)"""

    CHANGE_REFUSED = "Cet enregistrement ne peut pas être modifié."
    DELETE_REFUSED = "Cet enregistrement ne peut pas être supprimé."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(self.CHANGE_REFUSED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.DELETE_REFUSED)


class AuditEventQuerySet(AppendOnlyQuerySet):
    def for_object(self, obj):
        return self.filter(
            target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
        )


class AuditEvent(AppendOnlyModel):
    """Who did what to which record, and who viewed identified data. Append-only."""

    CHANGE_REFUSED = "Le journal d'audit ne peut pas être modifié."
    DELETE_REFUSED = "Le journal d'audit ne peut pas être supprimé."

    at = models.DateTimeField("date", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name="auteur",
    )
    action = models.CharField("action", max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name="type d'objet"
    )
    target_id = models.CharField("identifiant de l'objet", max_length=64)
    changes = models.JSONField("champs modifiés", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} #{self.target_id}"


class JobRun(models.Model):
    """One run of a scheduled job (poitiers_inclusion/scheduler.py): when, where, how it ended.

    `error` holds the exception's type and the place in the code, never its message: a message
    can quote the data it failed on (an address, a name). The full error goes to the log."""

    job = models.CharField("tâche", max_length=100)
    started_at = models.DateTimeField("début", default=timezone.now)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    outcome = models.CharField(
        "résultat", max_length=20, choices=JobOutcome.choices, default=JobOutcome.RUNNING
    )
    counts = models.JSONField("comptes", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)
    host = models.CharField("instance", max_length=200, blank=True)
    forced = models.BooleanField("lancée à la main", default=False)

    class Meta:
        verbose_name = "passage d'une tâche planifiée"
        verbose_name_plural = "passages des tâches planifiées"
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_started")]

    def __str__(self):
        return f"{self.job} le {timezone.localtime(self.started_at):%d/%m/%Y %H:%M}"

    @property
    def failed(self) -> bool:
        return self.outcome == JobOutcome.FAILED

    @property
    def running(self) -> bool:
        return self.outcome == JobOutcome.RUNNING

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
