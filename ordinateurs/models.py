"""Ordinateurs solidaires: donated computers reconditioned and handed over to households.

A *Don* is a batch offered by a *Donateur* (a company); each *Ordinateur* received moves through
its states by append-only *Evenement*s (who, when, note, attachment): the figures (donated,
reconditioned, handed over) are counted from those events, never from stored counters. A device
becomes *disponible* only when every storage device has a successful *Effacement* record and a
passed functional *Controle* exists (the decree on "reconditionné" devices). Households (*Foyer*)
are referred by a partner structure under a pseudonymous code; their *Demande* follows its own
states, and an *Attribution* ties one device to one request until it is handed over, often at a
*Ceremonie*.
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion.concurrency import Versioned
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AppendOnlyModel

from .enums import (
    Etat,
    MethodeEffacement,
    ResultatEffacement,
    StatutDemande,
    StatutDon,
    TrancheRevenus,
    TypeAppareil,
    TypeStockage,
)
from .perms import WORKSHOP_ROLES


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Evidence(AppendOnlyModel):
    """Records that are evidence (events, erasures, checks): written once, never changed."""

    CHANGE_REFUSED = "Cet enregistrement est une preuve : il ne se modifie pas."
    DELETE_REFUSED = "Cet enregistrement est une preuve : il ne se supprime pas."

    class Meta:
        abstract = True


# --- Donors and donations -----------------------------------------------------------------------


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
    telephone = models.CharField("téléphone", max_length=20, blank=True)
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


# --- Devices ------------------------------------------------------------------------------------


class OrdinateurQuerySet(StaffOnlyQuerySet):
    def in_state(self, *etats):
        return self.filter(etat__in=etats)


class Ordinateur(Versioned):
    """One device received. `etat` mirrors its latest event (for lists); the events decide."""

    numero = models.CharField("numéro d'inventaire", max_length=20, unique=True)
    don = models.ForeignKey(
        Don,
        verbose_name="don",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ordinateurs",
    )
    type = models.CharField("type", max_length=12, choices=TypeAppareil.choices)
    marque = models.CharField("marque", max_length=60, blank=True)
    modele = models.CharField("modèle", max_length=100, blank=True)
    numero_serie = models.CharField("numéro de série", max_length=100, blank=True)
    processeur = models.CharField("processeur", max_length=100, blank=True)
    memoire_go = models.PositiveSmallIntegerField("mémoire vive (Go)", null=True, blank=True)
    systeme = models.CharField("système installé", max_length=100, blank=True)
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.RECU)
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    objects = OrdinateurQuerySet.as_manager()

    class Meta:
        verbose_name = "ordinateur"
        verbose_name_plural = "ordinateurs"
        ordering = ["numero"]
        indexes = [models.Index(fields=["etat"])]

    def __str__(self):
        label = " ".join(part for part in (self.marque, self.modele) if part)
        return f"{self.numero} — {label or self.get_type_display()}"

    @property
    def needs_storage(self) -> bool:
        """Devices that hold data must have their storage recorded (and erased)."""
        return self.type in (
            TypeAppareil.PORTABLE,
            TypeAppareil.FIXE,
            TypeAppareil.TOUT_EN_UN,
            TypeAppareil.TABLETTE,
        )


class Stockage(models.Model):
    """A storage device inside a computer: each one must be erased."""

    ordinateur = models.ForeignKey(
        Ordinateur, verbose_name="ordinateur", on_delete=models.PROTECT, related_name="stockages"
    )
    type = models.CharField("type", max_length=10, choices=TypeStockage.choices)
    capacite_go = models.PositiveIntegerField("capacité (Go)", null=True, blank=True)
    numero_serie = models.CharField("numéro de série", max_length=100, blank=True)

    class Meta:
        verbose_name = "support de stockage"
        verbose_name_plural = "supports de stockage"
        ordering = ["pk"]

    def __str__(self):
        size = f" {self.capacite_go} Go" if self.capacite_go else ""
        serial = f" n° {self.numero_serie}" if self.numero_serie else ""
        return f"{self.get_type_display()}{size}{serial}"


class Effacement(Evidence):
    """The record of one erasure of one storage device (the evidence kept for the certificate)."""

    stockage = models.ForeignKey(
        Stockage, verbose_name="support", on_delete=models.PROTECT, related_name="effacements"
    )
    methode = models.CharField("méthode", max_length=20, choices=MethodeEffacement.choices)
    outil = models.CharField("outil", max_length=100)
    version_outil = models.CharField("version de l'outil", max_length=50)
    passes = models.PositiveSmallIntegerField("nombre de passes", null=True, blank=True)
    resultat = models.CharField("résultat", max_length=10, choices=ResultatEffacement.choices)
    done_at = models.DateTimeField("effectué le", default=timezone.now)
    operateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="opérateur",
        on_delete=models.PROTECT,
        related_name="effacements",
    )
    preuve = models.FileField("rapport de l'outil", upload_to="ordinateurs/preuves/", blank=True)
    preuve_sha256 = models.CharField("empreinte SHA-256 du rapport", max_length=64, blank=True)
    note = models.CharField("note", max_length=250, blank=True)

    class Meta:
        verbose_name = "effacement"
        verbose_name_plural = "effacements"
        ordering = ["done_at", "pk"]

    def __str__(self):
        return f"{self.get_methode_display()} — {self.get_resultat_display()}"

    @property
    def reussi(self) -> bool:
        return self.resultat == ResultatEffacement.REUSSI


class Controle(Evidence):
    """A functional check of a reconditioned device: each item of the checklist tested."""

    ordinateur = models.ForeignKey(
        Ordinateur, verbose_name="ordinateur", on_delete=models.PROTECT, related_name="controles"
    )
    resultats = models.JSONField("résultats", default=dict)  # {item: True/False}
    reussi = models.BooleanField("contrôle réussi")
    done_at = models.DateTimeField("effectué le", default=timezone.now)
    operateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="opérateur",
        on_delete=models.PROTECT,
        related_name="controles",
    )
    note = models.CharField("note", max_length=250, blank=True)

    class Meta:
        verbose_name = "contrôle fonctionnel"
        verbose_name_plural = "contrôles fonctionnels"
        ordering = ["done_at", "pk"]

    def __str__(self):
        return f"Contrôle du {self.done_at:%d/%m/%Y} : {'réussi' if self.reussi else 'échoué'}"


class Evenement(Evidence):
    """One change of a device's state: who, when, why (note), with an optional attachment."""

    ordinateur = models.ForeignKey(
        Ordinateur, verbose_name="ordinateur", on_delete=models.PROTECT, related_name="evenements"
    )
    de = models.CharField("état précédent", max_length=20, choices=Etat.choices, blank=True)
    vers = models.CharField("nouvel état", max_length=20, choices=Etat.choices)
    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evenements_ordinateurs",
    )
    note = models.CharField("note", max_length=250, blank=True)
    piece_jointe = models.FileField("pièce jointe", upload_to="ordinateurs/pieces/", blank=True)
    piece_sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["vers", "at"])]

    def __str__(self):
        return f"{self.ordinateur.numero} : {self.get_vers_display()} ({self.at:%d/%m/%Y})"


# --- Households and requests --------------------------------------------------------------------


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
        return self.filter(foyer__in=Foyer.objects.visible_for(user))

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
