"""The workshop path: parcours of modules, sessions (séances) at a Lieu, registrations.

A *séance* is one workshop session; it is *held* once its date has come and it was not
cancelled. An *inscription* ties a usager to a séance: registered (within capacity), on the
waiting list, or cancelled; attendance (présent / absent) is taken on the day. The figures
(sessions held, unique participants, fill and attendance rates) live in `ateliers/figures.py`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from poitiers_inclusion.concurrency import Versioned
from poitiers_inclusion.enums import Role
from poitiers_inclusion.fields import ChoiceArrayField
from poitiers_inclusion.perms import conseillers_own_or_citywide

from .enums import CompetencePix, Niveau, Origine, Presence, StatutInscription


class Parcours(models.Model):
    """A path of modules offered together (e.g. "Premiers pas avec le numérique")."""

    nom = models.CharField("nom", max_length=150, unique=True)
    description = models.TextField("description", blank=True)
    ordre = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    actif = models.BooleanField("proposé", default=True)

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        ordering = ["ordre", "nom"]

    def __str__(self):
        return self.nom


class Module(models.Model):
    """One workshop topic, with its level and the PIX competences it works on."""

    parcours = models.ForeignKey(
        Parcours,
        verbose_name="parcours",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="modules",
    )
    titre = models.CharField("titre", max_length=150)
    description = models.TextField("description", blank=True)
    niveau = models.CharField("niveau", max_length=15, choices=Niveau.choices)
    competences_pix = ChoiceArrayField(
        models.CharField(max_length=3, choices=CompetencePix.choices),
        verbose_name="compétences PIX",
        default=list,
        blank=True,
    )
    duree_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=120)
    ordre = models.PositiveSmallIntegerField("ordre dans le parcours", default=0)
    actif = models.BooleanField("proposé", default=True)

    class Meta:
        verbose_name = "module"
        verbose_name_plural = "modules"
        ordering = ["parcours__ordre", "ordre", "titre"]

    def __str__(self):
        return self.titre


class SeanceQuerySet(models.QuerySet):
    def visible_for(self, user):
        """Sessions are public information (the programme); who may change them is in perms."""
        return self

    def for_figures(self, user):
        """The sessions whose figures `user` reads (those a conseiller facilitates)."""
        return conseillers_own_or_citywide(self, user, "animateurs")

    def upcoming(self, today=None):
        return self.filter(date__gte=today or timezone.localdate(), cancelled_at__isnull=True)

    def held(self, today=None):
        """Sessions whose day has come and that were not cancelled."""
        return self.filter(date__lte=today or timezone.localdate(), cancelled_at__isnull=True)

    def with_counts(self):
        return self.annotate(
            nb_inscrits=Count(
                "inscriptions", filter=Q(inscriptions__statut=StatutInscription.INSCRIT)
            ),
            nb_attente=Count(
                "inscriptions", filter=Q(inscriptions__statut=StatutInscription.ATTENTE)
            ),
            nb_presents=Count("inscriptions", filter=Q(inscriptions__presence=Presence.PRESENT)),
        )


class Seance(Versioned):
    """One workshop session: a module at a lieu on a day, with its capacity and facilitators."""

    module = models.ForeignKey(
        Module, verbose_name="module", on_delete=models.PROTECT, related_name="seances"
    )
    lieu = models.ForeignKey(
        "reseau.Lieu", verbose_name="lieu", on_delete=models.PROTECT, related_name="seances"
    )
    date = models.DateField("date", db_index=True)
    start_time = models.TimeField("début")
    end_time = models.TimeField("fin")
    capacite = models.PositiveSmallIntegerField("places")
    animateurs = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="animé par", blank=True, related_name="seances"
    )
    inscription_en_ligne = models.BooleanField(
        "inscription en ligne ouverte",
        default=True,
        help_text="Les habitants peuvent s'inscrire depuis le programme public.",
    )
    notes = models.TextField("notes", blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    motif_annulation = models.CharField("motif de l'annulation", max_length=200, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = SeanceQuerySet.as_manager()

    class Meta:
        verbose_name = "séance"
        verbose_name_plural = "séances"
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="seance_ends_after_start",
                violation_error_message="L'heure de fin doit suivre l'heure de début.",
            ),
            models.CheckConstraint(
                condition=Q(capacite__gte=1),
                name="seance_has_places",
                violation_error_message="Une séance compte au moins une place.",
            ),
        ]

    def __str__(self):
        return f"{self.module} — {self.date:%d/%m/%Y} {self.start_time:%H:%M}, {self.lieu}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def editable_by(self, user) -> bool:
        """The coordinator and admin change every session; a conseiller those they facilitate."""
        if not user.is_authenticated:
            return False
        if user.sees_whole_city:
            return True
        return user.role == Role.CONSEILLER and self.animateurs.filter(pk=user.pk).exists()


def new_inscription_token() -> str:
    return secrets.token_urlsafe(24)


class InscriptionQuerySet(models.QuerySet):
    def visible_for(self, user):
        """Registrations name people: the coordinator and admin see all; a conseiller those of
        the sessions they facilitate and of the people they follow."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_city:
            return self
        if user.role == Role.CONSEILLER:
            return self.filter(Q(seance__animateurs=user) | Q(usager__conseillers=user)).distinct()
        return self.none()

    def actives(self):
        return self.exclude(statut=StatutInscription.ANNULE)


class Inscription(models.Model):
    """A usager's place in a session (or on its waiting list), and whether they came."""

    seance = models.ForeignKey(
        Seance, verbose_name="séance", on_delete=models.CASCADE, related_name="inscriptions"
    )
    # CASCADE: erasing a person on request (RGPD) takes their registrations with them.
    usager = models.ForeignKey(
        "kernel.Usager",
        verbose_name="usager",
        on_delete=models.CASCADE,
        related_name="inscriptions_ateliers",
    )
    statut = models.CharField(
        "statut",
        max_length=10,
        choices=StatutInscription.choices,
        default=StatutInscription.INSCRIT,
    )
    presence = models.CharField(
        "présence", max_length=10, choices=Presence.choices, blank=True, default=""
    )
    origine = models.CharField(
        "origine", max_length=10, choices=Origine.choices, default=Origine.EQUIPE
    )
    token = models.CharField(
        max_length=64, unique=True, default=new_inscription_token, editable=False
    )
    created_at = models.DateTimeField("inscrit le", default=timezone.now)
    promoted_at = models.DateTimeField("passé de la liste d'attente le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)

    objects = InscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription"
        verbose_name_plural = "inscriptions"
        ordering = ["seance__date", "created_at", "pk"]
        constraints = [
            # A person holds at most one live registration per session.
            models.UniqueConstraint(
                fields=["seance", "usager"],
                condition=~Q(statut="annule"),
                name="one_live_inscription_per_usager",
            ),
            models.CheckConstraint(
                condition=Q(presence="") | Q(statut="inscrit"),
                name="attendance_only_for_registered",
                violation_error_message="La présence se note pour une personne inscrite.",
            ),
        ]

    def __str__(self):
        return f"{self.usager} — {self.seance}"
