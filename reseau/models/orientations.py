"""Orientations: a professional refers a resident from one structure to another, with consent."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion.enums import Role

from ..enums import EtatOrientation, PreferenceContact, Service


def expiry_delay() -> datetime.timedelta:
    return datetime.timedelta(days=settings.ORIENTATION_EXPIRY_DAYS)


def retention_months() -> int:
    return settings.ORIENTATION_RETENTION_MONTHS


class OrientationQuerySet(models.QuerySet):
    def visible_for(self, user):
        """Coordinator and admin see all; a prescripteur their structure's (sent or received);
        a conseiller the ones they sent."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in (Role.ADMIN, Role.COORDINATEUR):
            return self
        if user.role == Role.PRESCRIPTEUR and user.structure_id:
            return self.filter(
                Q(structure_origine_id=user.structure_id)
                | Q(structure_destination_id=user.structure_id)
            )
        if user.role == Role.CONSEILLER:
            return self.filter(created_by=user)
        return self.none()

    def answerable_by(self, user):
        """Open orientations this user may validate or refuse: the receiving side's."""
        open_ = self.visible_for(user).filter(etat=EtatOrientation.OUVERTE)
        if user.role in (Role.ADMIN, Role.COORDINATEUR):
            return open_
        if user.role == Role.PRESCRIPTEUR:
            return open_.filter(structure_destination_id=user.structure_id)
        return open_.none()

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.filter(etat=EtatOrientation.OUVERTE, created_at__lte=now - expiry_delay())

    def to_anonymise(self, now=None):
        now = now or timezone.now()
        limit = now - datetime.timedelta(days=round(retention_months() * 30.44))
        return self.filter(anonymised_at__isnull=True).filter(
            Q(closed_at__lte=limit) | Q(closed_at__isnull=True, created_at__lte=limit)
        )


class Orientation(models.Model):
    structure_origine = models.ForeignKey(
        "reseau.Structure",
        verbose_name="structure qui oriente",
        on_delete=models.PROTECT,
        related_name="orientations_envoyees",
    )
    structure_destination = models.ForeignKey(
        "reseau.Structure",
        verbose_name="structure vers laquelle orienter",
        on_delete=models.PROTECT,
        related_name="orientations_recues",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="orientée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orientations_creees",
    )
    created_at = models.DateTimeField("envoyée le", default=timezone.now, db_index=True)
    # Statistical fields, kept after anonymisation.
    besoin = models.CharField("besoin", max_length=80, choices=Service.choices)
    preference_contact = models.CharField(
        "préférence de contact",
        max_length=20,
        choices=PreferenceContact.choices,
        default=PreferenceContact.TELEPHONE,
    )
    etat = models.CharField(
        "état", max_length=10, choices=EtatOrientation.choices, default=EtatOrientation.OUVERTE
    )
    # Personal fields: emptied by anonymisation (see PERSONAL_FIELDS).
    prenom = models.CharField("prénom de la personne", max_length=100)
    nom = models.CharField("nom de la personne", max_length=100)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField("e-mail", blank=True)
    situation = models.TextField(
        "situation",
        help_text="Ce que la structure d'accueil doit savoir ; rien de plus que nécessaire.",
    )
    consent_at = models.DateTimeField("consentement recueilli le", null=True, blank=True)
    piece_jointe = models.FileField(
        "pièce jointe", upload_to="reseau/orientations/%Y/", blank=True, max_length=200
    )
    # The answer.
    motif_refus = models.TextField("motif du refus", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="réponse de",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    reminded_at = models.DateTimeField("relance envoyée le", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymisée le", null=True, blank=True)

    objects = OrientationQuerySet.as_manager()

    PERSONAL_FIELDS = (
        "prenom",
        "nom",
        "telephone",
        "courriel",
        "situation",
        "motif_refus",
        "piece_jointe",
        "consent_at",
    )

    class Meta:
        verbose_name = "orientation"
        verbose_name_plural = "orientations"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(structure_origine=models.F("structure_destination")),
                name="orientation_between_two_structures",
                violation_error_message="Une orientation relie deux structures différentes.",
            ),
        ]

    def __str__(self):
        return f"Orientation n°{self.pk} vers {self.structure_destination}"

    @property
    def personne(self) -> str:
        if self.anonymised_at:
            return "Personne anonymisée"
        return f"{self.prenom} {self.nom}".strip()

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + expiry_delay()

    @property
    def is_open(self) -> bool:
        return self.etat == EtatOrientation.OUVERTE

    def accept(self, *, by):
        self._close(EtatOrientation.VALIDEE, by=by)

    def refuse(self, *, by, motif: str):
        self.motif_refus = motif
        self._close(EtatOrientation.REFUSEE, by=by)

    def expire(self):
        self._close(EtatOrientation.EXPIREE, by=None)

    def _close(self, etat, *, by):
        if not self.is_open:
            raise ValueError("Cette orientation a déjà reçu une réponse.")
        self.etat = etat
        self.answered_by = by
        self.closed_at = timezone.now()

    def anonymise(self):
        """Empty the personal fields (the attached file is deleted); keep the statistical ones."""
        if self.piece_jointe:
            self.piece_jointe.delete(save=False)
        for name in self.PERSONAL_FIELDS:
            field = self._meta.get_field(name)
            setattr(self, name, None if field.null else "")
        self.anonymised_at = timezone.now()
