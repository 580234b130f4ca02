"""Donors and their donations: a *Don* is a batch offered by a *Donateur* (a company)."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from poitiers_inclusion.fields import PhoneNumberField

from ..enums import (
    StatutDon,
)
from ..perms import WORKSHOP_ROLES


def new_token() -> str:
    return secrets.token_urlsafe(24)


class StaffOnlyQuerySet(models.QuerySet):
    def visible_for(self, user):
        if user.is_authenticated and user.is_active and user.role in WORKSHOP_ROLES:
            return self
        return self.none()


class Donateur(models.Model):
    """A company (or body) giving computers."""

    nom = models.CharField("nom de l'entreprise ou de l'organisme", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    contact_nom = models.CharField("personne à contacter", max_length=150, blank=True)
    email = models.EmailField("e-mail", blank=True)
    telephone = PhoneNumberField("téléphone", blank=True)
    adresse = models.CharField("adresse", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "donateur"
        verbose_name_plural = "donateurs"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Don(models.Model):
    """A batch offered, collected, then confirmed by the donor (what was received)."""

    donateur = models.ForeignKey(
        Donateur, verbose_name="donateur", on_delete=models.PROTECT, related_name="dons"
    )
    statut = models.CharField(
        "statut", max_length=20, choices=StatutDon.choices, default=StatutDon.PROPOSE
    )
    offered_on = models.DateField("proposé le", default=timezone.localdate)
    nb_annonce = models.PositiveIntegerField("appareils annoncés")
    description = models.TextField("description du lot", blank=True)
    collection_planned_on = models.DateField("collecte prévue le", null=True, blank=True)
    collected_on = models.DateField("collecté le", null=True, blank=True)
    nb_recus = models.PositiveIntegerField("appareils reçus", null=True, blank=True)
    poids_kg = models.DecimalField(
        "poids (kg)", max_digits=8, decimal_places=1, null=True, blank=True
    )
    confirmed_at = models.DateTimeField("réception confirmée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    en_ligne = models.BooleanField("proposé en ligne", default=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    # Claimed once by the job that e-mails the donor their batch's erasure certificate
    # (donor_certificates.py): set, the certificate was sent and is never sent again.
    certificate_sent_at = models.DateTimeField(
        "certificat d'effacement envoyé le", null=True, blank=True
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "don"
        verbose_name_plural = "dons"
        ordering = ["-offered_on", "-pk"]

    def __str__(self):
        return f"Don de {self.donateur} du {self.offered_on:%d/%m/%Y}"

    def link_expired(self, now) -> bool:
        """The donor's link stops working DON_CONFIRMATION_DAYS after the donation is closed
        (confirmed or cancelled): it shows the donor's details to whoever holds it."""
        closed_at = {StatutDon.CONFIRME: self.confirmed_at, StatutDon.ANNULE: self.cancelled_at}
        if self.statut not in closed_at:
            return False
        if closed_at[self.statut] is None:  # cancelled before the date was kept
            return True
        return now > closed_at[self.statut] + datetime.timedelta(
            days=settings.DON_CONFIRMATION_DAYS
        )
