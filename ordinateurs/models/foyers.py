"""Households referred by a partner structure (*Foyer*), their requests (*Demande*), the device
allocated to a request (*Attribution*), the hand-over ceremonies and their testimonials."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion.concurrency import Versioned
from poitiers_inclusion.enums import Role

from ..enums import (
    ReponseInvitation,
    StatutDemande,
    TrancheRevenus,
)
from ..perms import WORKSHOP_ROLES
from .devices import Ordinateur
from .dons import Donateur, StaffOnlyQuerySet, new_token


class FoyerQuerySet(models.QuerySet):
    def visible_for(self, user):
        """Coordination: every household; a prescripteur: their structure's; nobody else."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_city:
            return self
        if user.role == Role.PRESCRIPTEUR and user.structure_id:
            return self.filter(structure_id=user.structure_id)
        return self.none()


class Foyer(models.Model):
    """A household referred by a partner, known here only by a pseudonymous code."""

    code = models.CharField("code du foyer", max_length=20, unique=True)
    structure = models.ForeignKey(
        "reseau.Structure",
        verbose_name="structure qui oriente",
        on_delete=models.PROTECT,
        related_name="foyers",
    )
    reference_interne = models.CharField(
        "référence interne de la structure",
        max_length=50,
        blank=True,
        help_text="Votre numéro de dossier, pour retrouver la famille chez vous (pas de nom).",
    )
    adultes = models.PositiveSmallIntegerField("adultes", default=1)
    enfants = models.PositiveSmallIntegerField("enfants", default=0)
    enfants_scolarises = models.PositiveSmallIntegerField("enfants scolarisés", default=0)
    demandeur_emploi = models.BooleanField("une personne cherche un emploi", default=False)
    tranche_revenus = models.CharField(
        "revenus du foyer",
        max_length=20,
        choices=TrancheRevenus.choices,
        default=TrancheRevenus.NON_COMMUNIQUE,
    )
    quartier = models.ForeignKey(
        "reseau.Quartier",
        verbose_name="quartier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="foyers",
    )
    consent_at = models.DateTimeField("consentement du foyer recueilli le")
    notes = models.TextField("notes (sans nom ni coordonnées)", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="orienté par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="foyers_orientes",
    )
    created_at = models.DateTimeField("orienté le", default=timezone.now)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)

    objects = FoyerQuerySet.as_manager()

    # Emptied when the closed file is anonymised (the statistical fields stay).
    PERSONAL_FIELDS = ("reference_interne", "notes")

    class Meta:
        verbose_name = "foyer"
        verbose_name_plural = "foyers"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enfants_scolarises__lte=models.F("enfants")),
                name="foyer_school_children_among_children",
                violation_error_message="Les enfants scolarisés sont comptés parmi les enfants.",
            ),
        ]

    def __str__(self):
        return f"Foyer {self.code}"


class DemandeQuerySet(models.QuerySet):
    def visible_for(self, user):
        foyers = Foyer.objects.visible_for(user)
        if not foyers.query.where:  # every household: no subquery for PostgreSQL to join
            return self
        return self.filter(foyer__in=foyers)

    def for_figures(self, user):
        """The requests whose figures `user` reads: those they see; all of them for the
        workshop, which counts the households equipped, and for a view without a viewer (`user`
        None: shared views)."""
        if user is None or getattr(user, "role", None) == Role.TECHNICIEN:
            return self
        return self.visible_for(user)

    def waiting_list(self):
        """Requests waiting for a device, in the order they are served: priority, then date."""
        return self.filter(statut=StatutDemande.LISTE_ATTENTE).order_by(
            "priorite", "waitlisted_at", "pk"
        )


class Demande(Versioned):
    """A household's request for a computer, and where it stands."""

    class Priorite(models.IntegerChoices):
        HAUTE = 1, "Haute"
        NORMALE = 2, "Normale"
        BASSE = 3, "Basse"

    foyer = models.ForeignKey(
        Foyer, verbose_name="foyer", on_delete=models.CASCADE, related_name="demandes"
    )
    statut = models.CharField(
        "statut", max_length=20, choices=StatutDemande.choices, default=StatutDemande.SOUMISE
    )
    besoin = models.TextField("à quoi servira l'ordinateur", blank=True)
    priorite = models.PositiveSmallIntegerField(
        "priorité", choices=Priorite.choices, default=Priorite.NORMALE
    )
    motif = models.CharField("motif (refus, pièce manquante…)", max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="demandes_ordinateurs",
    )
    created_at = models.DateTimeField("déposée le", default=timezone.now)
    waitlisted_at = models.DateTimeField("en liste d'attente depuis", null=True, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)

    objects = DemandeQuerySet.as_manager()

    class Meta:
        verbose_name = "demande"
        verbose_name_plural = "demandes"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["statut", "priorite", "waitlisted_at"])]

    def __str__(self):
        return f"Demande du {self.foyer} ({self.get_statut_display().lower()})"


class Ceremonie(models.Model):
    """A hand-over event to which households and donors are invited."""

    titre = models.CharField("titre", max_length=150)
    date = models.DateTimeField("date et heure")
    lieu = models.ForeignKey(
        "reseau.Lieu", verbose_name="lieu", on_delete=models.PROTECT, related_name="ceremonies"
    )
    donateurs = models.ManyToManyField(
        Donateur, verbose_name="donateurs invités", blank=True, related_name="ceremonies"
    )
    notes = models.TextField("notes", blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "cérémonie de remise"
        verbose_name_plural = "cérémonies de remise"
        ordering = ["-date"]

    def __str__(self):
        return f"{self.titre} ({self.date:%d/%m/%Y})"


class AttributionQuerySet(models.QuerySet):
    def visible_for(self, user):
        """The workshop sees which device went to which household code; a partner its own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in WORKSHOP_ROLES:
            return self
        return self.filter(demande__in=Demande.objects.visible_for(user))


class Attribution(models.Model):
    """One device proposed to one request, until it is handed over (or declined)."""

    demande = models.ForeignKey(
        Demande, verbose_name="demande", on_delete=models.PROTECT, related_name="attributions"
    )
    ordinateur = models.ForeignKey(
        Ordinateur,
        verbose_name="ordinateur",
        on_delete=models.PROTECT,
        related_name="attributions",
    )
    proposed_at = models.DateTimeField("proposé le", default=timezone.now)
    proposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="proposé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handed_over_at = models.DateTimeField("remis le", null=True, blank=True)
    remise_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="remis par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ceremonie = models.ForeignKey(
        Ceremonie,
        verbose_name="cérémonie",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attributions",
    )
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    objects = AttributionQuerySet.as_manager()

    class Meta:
        verbose_name = "attribution"
        verbose_name_plural = "attributions"
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ordinateur"],
                condition=Q(cancelled_at__isnull=True),
                name="one_live_attribution_per_device",
            ),
        ]

    def __str__(self):
        return f"{self.ordinateur.numero} pour le {self.demande.foyer}"


class Temoignage(models.Model):
    """A testimonial given at a ceremony, recorded only with the person's consent."""

    ceremonie = models.ForeignKey(
        Ceremonie, verbose_name="cérémonie", on_delete=models.CASCADE, related_name="temoignages"
    )
    texte = models.TextField("témoignage")
    auteur = models.CharField(
        "qui parle (sans nom)", max_length=150, help_text="Par exemple : une mère de deux enfants."
    )
    consent_at = models.DateTimeField("consentement recueilli le")

    class Meta:
        verbose_name = "témoignage"
        verbose_name_plural = "témoignages"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.auteur} — {self.ceremonie}"


class InvitationCeremonie(models.Model):
    """A donor invited to a ceremony by e-mail, and their answer given through the link of that
    e-mail (the token); one per donor and ceremony, sent again by "Relancer"."""

    ceremonie = models.ForeignKey(
        Ceremonie, verbose_name="cérémonie", on_delete=models.CASCADE, related_name="invitations"
    )
    donateur = models.ForeignKey(
        Donateur,
        verbose_name="donateur",
        on_delete=models.CASCADE,
        related_name="invitations_ceremonie",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField("invitation envoyée le")
    nb_envois = models.PositiveSmallIntegerField("envois", default=1)
    reponse = models.CharField(
        "réponse", max_length=20, choices=ReponseInvitation.choices, blank=True
    )
    nb_personnes = models.PositiveSmallIntegerField("nombre de personnes", null=True, blank=True)
    answered_at = models.DateTimeField("réponse le", null=True, blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation d'un donateur"
        verbose_name_plural = "invitations des donateurs"
        ordering = ["donateur__nom", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ceremonie", "donateur"], name="one_invitation_per_donor_and_ceremony"
            ),
        ]

    def __str__(self):
        return f"{self.donateur} à {self.ceremonie}"

    def answerable(self, now) -> bool:
        """The answer is taken until the ceremony begins."""
        return now < self.ceremonie.date

    def link_expired(self, now) -> bool:
        """The link shows the donor's name and answer: it stops working
        CEREMONIE_INVITATION_DAYS after the ceremony."""
        return now > self.ceremonie.date + datetime.timedelta(
            days=settings.CEREMONIE_INVITATION_DAYS
        )
