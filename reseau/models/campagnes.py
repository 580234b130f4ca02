"""Update campaigns: twice a year each structure confirms or corrects its record through a link."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from poitiers_inclusion.perms import STAFF

from ..enums import EtatVerification


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CampagneQuerySet(models.QuerySet):
    def visible_for(self, user):
        if user.is_authenticated and user.has_role(*STAFF):
            return self
        return self.none()


class Campagne(models.Model):
    titre = models.CharField("titre", max_length=150)
    message = models.TextField(
        "message aux structures",
        blank=True,
        help_text="Quelques mots ajoutés à l'e-mail envoyé à chaque structure.",
    )
    opened_at = models.DateTimeField("ouverte le", default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ouverte par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField("close le", null=True, blank=True)

    objects = CampagneQuerySet.as_manager()

    class Meta:
        verbose_name = "campagne de mise à jour"
        verbose_name_plural = "campagnes de mise à jour"
        ordering = ["-opened_at"]

    def __str__(self):
        return self.titre

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class VerificationQuerySet(models.QuerySet):
    def with_state(self, state: str):
        answered = {EtatVerification.CONFIRMEE, EtatVerification.MISE_A_JOUR}
        if state in answered:
            return self.filter(resultat=state)
        pending = self.filter(resultat="")
        if state == EtatVerification.RELANCEE:
            return pending.filter(reminded_at__isnull=False)
        return pending.filter(reminded_at__isnull=True)


class Verification(models.Model):
    """One structure's part in a campaign: the link sent to its contact and what they answered."""

    campagne = models.ForeignKey(
        Campagne, verbose_name="campagne", on_delete=models.CASCADE, related_name="verifications"
    )
    structure = models.ForeignKey(
        "reseau.Structure",
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    destinataire = models.EmailField("envoyé à", blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    reminded_at = models.DateTimeField("relancé le", null=True, blank=True)
    reminders = models.PositiveSmallIntegerField("relances", default=0)
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)
    resultat = models.CharField(
        "résultat",
        max_length=20,
        blank=True,
        choices=[
            (EtatVerification.CONFIRMEE.value, EtatVerification.CONFIRMEE.label),
            (EtatVerification.MISE_A_JOUR.value, EtatVerification.MISE_A_JOUR.label),
        ],
    )
    changed_fields = models.JSONField("champs modifiés", default=list, blank=True)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        verbose_name = "vérification de fiche"
        verbose_name_plural = "vérifications de fiches"
        ordering = ["structure__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["campagne", "structure"], name="verification_one_per_structure"
            )
        ]

    def __str__(self):
        return f"{self.structure} — {self.campagne}"

    @property
    def state(self) -> EtatVerification:
        if self.resultat:
            return EtatVerification(self.resultat)
        if self.reminded_at:
            return EtatVerification.RELANCEE
        return EtatVerification.A_FAIRE

    def get_state_display(self) -> str:
        return self.state.label

    @property
    def is_answered(self) -> bool:
        return bool(self.resultat)
