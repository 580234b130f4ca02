"""Network meetings: invitations with an RSVP link, attendance, minutes and the report presented."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q

from poitiers_inclusion.perms import STAFF

from ..enums import Reponse, TypeReunion
from .campagnes import new_token


class ReunionQuerySet(models.QuerySet):
    def visible_for(self, user):
        if user.is_authenticated and user.has_role(*STAFF):
            return self
        return self.none()

    def with_counts(self):
        present = Q(invitations__present=True)
        return self.annotate(
            nb_invites=Count("invitations", distinct=True),
            nb_presents=Count("invitations", filter=present, distinct=True),
            nb_structures_presentes=Count(
                "invitations__contact__structure", filter=present, distinct=True
            ),
            nb_oui=Count("invitations", filter=Q(invitations__reponse=Reponse.OUI), distinct=True),
        )


class Reunion(models.Model):
    type = models.CharField("type", max_length=30, choices=TypeReunion.choices)
    titre = models.CharField("titre", max_length=200)
    date = models.DateTimeField("date et heure")
    lieu = models.ForeignKey(
        "reseau.Lieu",
        verbose_name="lieu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reunions",
    )
    lieu_precision = models.CharField(
        "précision sur le lieu",
        max_length=200,
        blank=True,
        help_text="Salle, ou lien de visioconférence pour un webinaire.",
    )
    ordre_du_jour = models.TextField("ordre du jour", blank=True)
    compte_rendu = models.TextField("compte rendu", blank=True)
    rapport = models.FileField(
        "rapport présenté", upload_to="reseau/reunions/%Y/", blank=True, max_length=200
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReunionQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion du réseau"
        verbose_name_plural = "réunions du réseau"
        ordering = ["-date"]

    def __str__(self):
        return f"{self.titre} ({self.date:%d/%m/%Y})"


class Invitation(models.Model):
    reunion = models.ForeignKey(
        Reunion, verbose_name="réunion", on_delete=models.CASCADE, related_name="invitations"
    )
    contact = models.ForeignKey(
        "reseau.Contact",
        verbose_name="contact",
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField("invitation envoyée le", null=True, blank=True)
    reponse = models.CharField("réponse", max_length=5, choices=Reponse.choices, blank=True)
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)
    present = models.BooleanField("présent(e)", default=False)

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["contact__structure__nom", "contact__nom"]
        constraints = [
            models.UniqueConstraint(fields=["reunion", "contact"], name="invitation_unique")
        ]

    def __str__(self):
        return f"{self.contact} — {self.reunion}"
