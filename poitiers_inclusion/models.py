"""Kernel records: accounts, the usager (a resident helped), the append-only audit log, the runs
of the scheduled jobs, the outboxes (e-mails, text messages) and the people to call.

Accounts and usagers point to the territory's referential by name ("reseau.Structure",
"reseau.Quartier"): at the data level the kernel and the referential are one layer (their
migrations interleave); in code the kernel imports no app (README, « Organisation du code »).
"""

import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .enums import (
    AGE_BAND_LOWER_BOUNDS,
    EmailStatus,
    Genre,
    JobOutcome,
    Role,
    StatutSocial,
    TrancheAge,
)
from .perms import STAFF
from .text import fold, folded, national_digits, phone_digits


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.ADMIN)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    structure = models.ForeignKey(
        "reseau.Structure",
        verbose_name="structure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="Structure partenaire d'un prescripteur.",
    )
    is_active = models.BooleanField("actif", default=True)
    # Links a conseiller to their account on La Coop (its utilisateur or médiateur id), when their
    # e-mail address differs there; the Coop sync matches by either.
    coop_id = models.CharField(
        "identifiant La Coop", max_length=64, null=True, blank=True, unique=True
    )
    is_staff = models.BooleanField("accès à l'administration Django", default=False)
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "compte"
        verbose_name_plural = "comptes"
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="prescripteur") | Q(structure__isnull=False),
                name="prescripteur_has_structure",
                violation_error_message="Un prescripteur doit être rattaché à une structure.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    def has_role(self, *roles) -> bool:
        return self.is_active and self.role in roles

    @property
    def is_conseiller(self):
        return self.role == Role.CONSEILLER

    @property
    def is_coordinateur(self):
        return self.role == Role.COORDINATEUR

    @property
    def is_technicien(self):
        return self.role == Role.TECHNICIEN

    @property
    def is_prescripteur(self):
        return self.role == Role.PRESCRIPTEUR

    @property
    def is_admin_role(self):
        return self.role == Role.ADMIN

    @property
    def sees_whole_city(self) -> bool:
        """Coordinator and admin see the whole city's data, identified usagers included."""
        return self.role in STAFF


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def user_for(self, raw: str):
        token = self.select_related("user").filter(key_hash=_hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        return token.user


class ApiToken(models.Model):
    """An API token: only its SHA-256 hash is stored; the raw value is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self):
        return f"Jeton de {self.user} créé le {self.created_at:%d/%m/%Y}"

    @classmethod
    def issue(cls, user) -> str:
        raw = secrets.token_urlsafe(32)
        cls.objects.create(user=user, key_hash=_hash_token(raw))
        return raw


class LoginFailure(models.Model):
    """A failed sign-in, kept for the throttle's window only (poitiers_inclusion/throttle.py)."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # The known-device id when the attempt came from a browser where this account signed in
    # before; blank otherwise. Failures are counted apart so an attacker cannot block the owner.
    device = models.CharField(max_length=32, blank=True, default="")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="loginfailure_ip_at")]

    def __str__(self):
        return f"Échec de connexion {self.email} le {self.at:%d/%m/%Y %H:%M}"


class RateLimitHit(models.Model):
    """One counted submission of a public form by a client, kept for the rate window only."""

    scope = models.CharField(max_length=50)
    client = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "client", "at"], name="ratelimithit_scope_client")]

    def __str__(self):
        return f"Envoi {self.scope} le {self.at:%d/%m/%Y %H:%M}"


def age_band_expression(reference_year: int | None = None, prefix: str = ""):
    """SQL expression giving a usager's age band: from the birth year when known, else stored."""
    year = reference_year or timezone.localdate().year
    birth = f"{prefix}birth_year"
    whens = [
        When(**{f"{birth}__lte": year - lower}, then=Value(band.value))
        for lower, band in AGE_BAND_LOWER_BOUNDS
    ]
    return Case(
        When(**{f"{birth}__isnull": True}, then=Coalesce(f"{prefix}tranche_age", Value(""))),
        *whens,
        default=Value(TrancheAge.NON_COMMUNIQUE.value),
        output_field=models.CharField(),
    )


SEARCH_MIN_LENGTH = 2
SEARCH_MAX_WORDS = 6
SEARCH_RECORD_NUMBER = re.compile(r"(?:n[°º]|no\.?|#)?\s*(\d{1,9})", flags=re.IGNORECASE)
# Digits with the separators people type, at least four digits (shorter is a record number).
SEARCH_PHONE_NUMBER = re.compile(r"\+?(?:[\s.\-()]*\d){4,}[\s.\-()]*")


class UsagerQuerySet(models.QuerySet):
    def visible_for(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        active = self.filter(merged_into__isnull=True)
        if user.sees_whole_city:
            return active
        if user.role == Role.CONSEILLER:
            return active.filter(conseillers=user).distinct()
        return self.none()

    def identified(self):
        return self.filter(consent_at__isnull=False, anonymised_at__isnull=True)

    def search(self, text: str, user):
        """The usagers this user may see that match what was typed, by name unless the caller
        ordered them otherwise:

        - a record number ("n°12", "no 12", "#12", "12"): that record, or the phone numbers
          holding those digits;
        - a phone number however written ("06 12 34 56 78", "+33 6 12 34 56 78"): the phone
          numbers holding its digits;
        - words: each one in the first name, last name, e-mail or phone number, whatever the case
          and the accents, so that first and last names come in any order.

        A single letter finds nothing: nearly everyone would match."""
        text = " ".join((text or "").split())
        found = self.visible_for(user).alias(
            search_first_name=folded("first_name"),
            search_last_name=folded("last_name"),
            search_phone=phone_digits("phone"),
        )
        if not found.ordered:
            found = found.order_by("last_name", "first_name", "pk")
        number = SEARCH_RECORD_NUMBER.fullmatch(text)
        if number:
            return found.filter(Q(pk=int(number[1])) | Q(search_phone__contains=number[1]))
        if SEARCH_PHONE_NUMBER.fullmatch(text):
            return found.filter(search_phone__contains=national_digits(text))
        if len(text) < SEARCH_MIN_LENGTH:
            return found.none()
        for word in text.split()[:SEARCH_MAX_WORDS]:
            matches = (
                Q(search_first_name__contains=fold(word))
                | Q(search_last_name__contains=fold(word))
                | Q(email__icontains=word)
            )
            if word.isdigit():
                matches |= Q(search_phone__contains=word)
            found = found.filter(matches)
        return found


class Usager(models.Model):
    """A resident helped. Anonymous by default; identified only with a recorded consent."""

    # Identity: filled only when the person consented to be identified.
    first_name = models.CharField("prénom", max_length=100, blank=True)
    last_name = models.CharField("nom", max_length=100, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    birth_year = models.PositiveSmallIntegerField("année de naissance", null=True, blank=True)
    consent_at = models.DateTimeField("consentement recueilli le", null=True, blank=True)
    # Statistical fields: kept after anonymisation.
    genre = models.CharField(
        "genre", max_length=20, choices=Genre.choices, default=Genre.NON_COMMUNIQUE
    )
    tranche_age = models.CharField(
        "tranche d'âge",
        max_length=20,
        choices=TrancheAge.choices,
        default=TrancheAge.NON_COMMUNIQUE,
    )
    statut_social = models.CharField(
        "statut social",
        max_length=40,
        choices=StatutSocial.choices,
        default=StatutSocial.NON_COMMUNIQUE,
    )
    quartier = models.ForeignKey(
        "reseau.Quartier",
        verbose_name="quartier de résidence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="usagers",
    )
    commune = models.CharField("commune de résidence", max_length=100, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    code_insee = models.CharField("code INSEE", max_length=5, blank=True)
    conseillers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="conseillers qui l'ont accompagné",
        blank=True,
        related_name="usagers_suivis",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_seen_on = models.DateField("dernière venue", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name="fusionné dans",
    )

    objects = UsagerQuerySet.as_manager()

    # Every field is classified (a guard test fails on a field missing from these lists).
    # Personal data: emptied by anonymisation.
    PERSONAL_FIELDS = ("first_name", "last_name", "phone", "email", "birth_year", "consent_at")
    # Statistical fields: kept after anonymisation (coarse enough not to identify a person).
    STATISTICAL_FIELDS = (
        "genre",
        "tranche_age",
        "statut_social",
        "quartier",
        "commune",
        "code_postal",
        "code_insee",
    )
    # Bookkeeping of the record itself.
    RECORD_FIELDS = (
        "id",
        "conseillers",
        "created_at",
        "last_seen_on",
        "anonymised_at",
        "merged_into",
    )

    class Meta:
        verbose_name = "usager"
        verbose_name_plural = "usagers"
        indexes = [models.Index(fields=["last_name", "first_name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_at__isnull=False)
                | (
                    Q(first_name="")
                    & Q(last_name="")
                    & Q(phone="")
                    & Q(email="")
                    & Q(birth_year__isnull=True)
                ),
                name="usager_identity_requires_consent",
                violation_error_message="Identifier un usager demande son consentement.",
            ),
        ]

    def __str__(self):
        if self.is_identified:
            return self.full_name or f"Usager n°{self.pk}"
        return f"Usager anonyme n°{self.pk}"

    @property
    def is_identified(self) -> bool:
        return self.consent_at is not None and self.anonymised_at is None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def age_band(self) -> str:
        """The age band: derived from the birth year when known (so it moves with time)."""
        if self.birth_year:
            return TrancheAge.for_age(timezone.localdate().year - self.birth_year).value
        return self.tranche_age

    def get_age_band_display(self) -> str:
        return TrancheAge(self.age_band).label

    def anonymise(self):
        """Empty every personal field, keeping the statistical ones (age band frozen)."""
        self.tranche_age = self.age_band
        for name in self.PERSONAL_FIELDS:
            field = self._meta.get_field(name)
            setattr(self, name, None if field.null else "")
        self.anonymised_at = timezone.now()


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


class OutgoingSms(QueuedMessage):
    """A text message of the outbox (poitiers_inclusion/sms.py), to a mobile phone. When it
    cannot be sent, its person goes to the list of people to call (`fallback` holds what that
    call needs besides the number and the text)."""

    to = models.CharField("numéro", max_length=20)
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
    phone = models.CharField("téléphone", max_length=30)
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


class SubmissionToken(models.Model):
    """A form's one-time token, recorded when its POST arrives (poitiers_inclusion/submissions.py):
    the same form sent again (a double tap, the back button, a retry after a timeout) is not
    processed twice; it leads where the first sending led. Kept a few days, then purged."""

    token = models.UUIDField("jeton", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    path = models.CharField("adresse du formulaire", max_length=500)
    created_at = models.DateTimeField("reçu le", default=timezone.now, db_index=True)
    # Empty while the first sending is being processed.
    completed_at = models.DateTimeField("traité le", null=True, blank=True)
    redirect_to = models.CharField("page où il a mené", max_length=2000, blank=True)

    class Meta:
        verbose_name = "envoi de formulaire"
        verbose_name_plural = "envois de formulaires"

    def __str__(self):
        return f"{self.path} {self.token}"
