"""Accounts and what guards them: users and their roles, API tokens, sign-in failures, the
public forms' rate limit, the one-time tokens of submitted forms."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..enums import (
    Role,
)
from ..perms import STAFF


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
