"""The outboxes (e-mails with their attachments, text messages) and the people the staff must
call."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from ..enums import (
    EmailStatus,
)
from ..fields import PhoneNumberField


class QueuedMessageQuerySet(models.QuerySet):
    def due(self, now=None):
        """To send now: waiting, and its next attempt has come."""
        return self.filter(status=EmailStatus.PENDING, next_attempt_at__lte=now or timezone.now())

    def undelivered(self):
        """What the staff should see: given up, or still waiting after a failed attempt."""
        return self.exclude(status=EmailStatus.SENT).exclude(last_error="")


# Kept under its first name: migrations and callers know the e-mails' queryset by it.
OutgoingEmailQuerySet = QueuedMessageQuerySet


class QueuedMessage(models.Model):
    """A message of an outbox (e-mail, text message): written with the action it belongs to,
    sent after that action's transaction commits, retried until it goes (poitiers_inclusion/
    outbox.py). A server that refuses or does not answer never undoes the action."""

    template = models.CharField("message", max_length=200)
    body = models.TextField("texte")
    status = models.CharField(
        "état", max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    objects = QueuedMessageQuerySet.as_manager()

    class Meta:
        abstract = True


class OutgoingEmail(QueuedMessage):
    """An e-mail of the outbox (poitiers_inclusion/mail.py)."""

    subject = models.CharField("objet", max_length=998)
    from_email = models.CharField("expéditeur", max_length=254)
    to = ArrayField(models.CharField(max_length=254), verbose_name="destinataires")

    class Meta:
        verbose_name = "e-mail à envoyer"
        verbose_name_plural = "e-mails à envoyer"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoingemail_due")]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class OutgoingEmailAttachment(models.Model):
    """A file sent with an e-mail of the outbox (a certificate in PDF, say). Kept in the database
    with its e-mail so that a retry sends the same file, and deleted with it (outbox.purge)."""

    email = models.ForeignKey(
        OutgoingEmail,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name="e-mail",
    )
    filename = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type de fichier", max_length=100)
    content = models.BinaryField("contenu")

    class Meta:
        verbose_name = "pièce jointe d'un e-mail"
        verbose_name_plural = "pièces jointes des e-mails"
        ordering = ["pk"]

    def __str__(self):
        return self.filename


class OutgoingSms(QueuedMessage):
    """A text message of the outbox (poitiers_inclusion/sms.py), to a mobile phone. When it
    cannot be sent, its person goes to the list of people to call (`fallback` holds what that
    call needs besides the number and the text)."""

    to = PhoneNumberField("numéro", max_length=20)
    fallback = models.JSONField("appel si le SMS ne part pas", default=dict, blank=True)

    class Meta:
        verbose_name = "SMS à envoyer"
        verbose_name_plural = "SMS à envoyer"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoingsms_due")]

    def __str__(self):
        return f"SMS {self.template} → {self.to}"


class CallQuerySet(models.QuerySet):
    def pending(self, today=None):
        """Still to make: not done, and the day it is about has not passed."""
        return self.filter(done_at__isnull=True, due_by__gte=today or timezone.localdate())

    def about(self, targets):
        """The calls about the records of `targets` (a queryset scoped to what a user may see):
        a user sees the call about a registration exactly when they see the registration."""
        return self.filter(
            target_type=ContentType.objects.get_for_model(targets.model),
            target_id__in=targets.values("pk"),
        )


class CallToMake(models.Model):
    """A resident that no e-mail or text message reaches (none given, a landline, text messages
    not configured or refused): the staff phone them and say `message` (poitiers_inclusion/
    reach.py). Holds a name and a number: deleted a few days after its day (CALLS_KEPT_DAYS)."""

    app = models.CharField("application", max_length=50)
    reason = models.CharField("motif", max_length=200)
    name = models.CharField("nom", max_length=200, blank=True)
    phone = PhoneNumberField("téléphone", max_length=30)
    message = models.TextField("à lui dire")
    due_by = models.DateField("à appeler avant le")
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name="type d'objet"
    )
    target_id = models.PositiveBigIntegerField("identifiant de l'objet")
    created_at = models.DateTimeField("créé le", default=timezone.now)
    done_at = models.DateTimeField("appelé le", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="appelé par",
    )

    objects = CallQuerySet.as_manager()

    PERSONAL_FIELDS = ("name", "phone", "message")

    class Meta:
        verbose_name = "personne à appeler"
        verbose_name_plural = "personnes à appeler"
        ordering = ["due_by", "created_at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="calltomake_target")]

    def __str__(self):
        return f"Appel : {self.reason} (avant le {self.due_by:%d/%m/%Y})"
