"""Booking a drop-in appointment: the slots a permanence offers and the appointments taken in
them (split from models.py, which re-exports them)."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.fields import PhoneNumberField

from .enums import STATUTS_ACTIFS, BesoinRendezVous, StatutRendezVous


class Creneau(models.Model):
    """One occurrence of a bookable permanence on a given day: the row locked while booking.

    Created on the first booking of that day; `select_for_update()` on it serialises concurrent
    bookings so that the capacity is never exceeded.
    """

    permanence = models.ForeignKey(
        "permanences.Permanence",
        verbose_name="permanence",
        on_delete=models.CASCADE,
        related_name="creneaux",
    )
    date = models.DateField("date")

    class Meta:
        verbose_name = "créneau"
        verbose_name_plural = "créneaux"
        constraints = [
            models.UniqueConstraint(fields=["permanence", "date"], name="one_creneau_per_day"),
        ]

    def __str__(self):
        return f"{self.permanence} — {self.date:%d/%m/%Y}"


class RendezVousQuerySet(models.QuerySet):
    def visible_for(self, user):
        """Coordinator and admin see every booking; a conseiller those of the desks they staff."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_city:
            return self
        if user.role == Role.CONSEILLER:
            from .models import Permanence  # models.py imports this module

            return self.filter(creneau__permanence__in=Permanence.objects.filter(conseillers=user))
        return self.none()

    def actifs(self):
        return self.filter(statut__in=STATUTS_ACTIFS)


def new_booking_token() -> str:
    return secrets.token_urlsafe(24)


class RendezVous(models.Model):
    """A resident's booking on a bookable slot. Personal fields are emptied 30 days after."""

    creneau = models.ForeignKey(
        Creneau, verbose_name="créneau", on_delete=models.PROTECT, related_name="rendez_vous"
    )
    heure = models.TimeField("heure")
    statut = models.CharField(
        "statut", max_length=10, choices=StatutRendezVous.choices, default=StatutRendezVous.CONFIRME
    )
    # Personal data: the least needed to receive the person and reach them (purged later).
    nom = models.CharField("nom", max_length=100, blank=True)
    telephone = PhoneNumberField("téléphone", blank=True)
    email = models.EmailField("e-mail", blank=True)
    besoin = models.CharField("besoin", max_length=20, choices=BesoinRendezVous.choices)
    precision = models.CharField("précision", max_length=200, blank=True)
    consent_at = models.DateTimeField("consentement à être contacté le", null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_booking_token, editable=False)
    created_at = models.DateTimeField("réservé le", auto_now_add=True)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    purged_at = models.DateTimeField("données personnelles effacées le", null=True, blank=True)
    mediation = models.ForeignKey(
        "permanences.Mediation",
        verbose_name="médiation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rendez_vous",
    )

    objects = RendezVousQuerySet.as_manager()

    # Emptied by the purge (a test checks every personal-looking field is listed here).
    PERSONAL_FIELDS = ("nom", "telephone", "email", "precision", "consent_at")

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        ordering = ["creneau__date", "heure"]
        constraints = [
            # Two active bookings never share a time on the same slot.
            models.UniqueConstraint(
                fields=["creneau", "heure"],
                condition=Q(statut__in=STATUTS_ACTIFS),
                name="one_active_booking_per_time",
            ),
        ]

    def __str__(self):
        return f"Rendez-vous du {self.creneau.date:%d/%m/%Y} à {self.heure:%H:%M}"

    @property
    def date(self):
        return self.creneau.date

    @property
    def is_active(self) -> bool:
        return self.statut in STATUTS_ACTIFS

    def purge(self):
        for name in self.PERSONAL_FIELDS:
            field = self._meta.get_field(name)
            setattr(self, name, None if field.null else "")
        self.purged_at = timezone.now()


# --- Synchronisation with La Coop's API --------------------------------------------------------
