"""The territory's referential: quartiers, partner structures, places where help is given, contacts."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from poitiers_inclusion.concurrency import Versioned
from poitiers_inclusion.enums import Role
from poitiers_inclusion.fields import ChoiceArrayField, PhoneNumberField

from ..enums import (
    Dispositif,
    FormationLabel,
    Frais,
    Itinerance,
    ModaliteAcces,
    ModaliteAccompagnement,
    PriseEnCharge,
    Public,
    Service,
    Typologie,
    typologie_choices,
)

pivot_validator = RegexValidator(
    r"^[a-zA-Z0-9]{9,14}$",
    "Saisissez un SIRET (14 chiffres), un SIREN (9 chiffres) ou un numéro RNA (W suivi de 9 chiffres).",
)
code_postal_validator = RegexValidator(r"^\d{5}$", "Le code postal compte 5 chiffres.")
code_insee_validator = RegexValidator(
    r"^([013-9]\d|2[AB1-9])\d{3}$", "Le code INSEE compte 5 caractères (ex. 86194)."
)
telephone_validator = RegexValidator(
    r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$",
    "Le standard national des lieux n'accepte qu'un numéro de France ou d'outre-mer : par "
    "exemple 05 49 41 00 00.",
    # Not "invalid": a model form would show its field's message for that code instead.
    code="outside_standard",
)


TYPOLOGIE_CODE_PATTERN = r"^[A-Za-z0-9_/-]{1,20}$"
typologie_code_validator = RegexValidator(
    TYPOLOGIE_CODE_PATTERN,
    "Un code de typologie compte au plus 20 lettres, chiffres ou « _ » (ex. CCAS, TIERS_LIEUX).",
)


class TypologieArrayField(ChoiceArrayField):
    """A lieu's typologies. The national standard names data·inclusion's list but leaves the
    column open, so a well-formed code outside the list (brought by an import) is kept; forms
    offer the list, grouped (see enums.typologie_choices)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"choices": typologie_choices, **kwargs})


class ArchivableQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Archivable(models.Model):
    archived_at = models.DateTimeField("archivé le", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self):
        self.archived_at = timezone.now()

    def restore(self):
        self.archived_at = None


class Quartier(models.Model):
    nom = models.CharField("nom", max_length=120)
    code = models.CharField(
        "code", max_length=20, unique=True, help_text="Code IRIS ou code local."
    )
    qpv = models.BooleanField("quartier prioritaire (QPV)", default=False)
    commune = models.CharField("commune", max_length=100, blank=True)
    latitude = models.FloatField("latitude du centre", null=True, blank=True)
    longitude = models.FloatField("longitude du centre", null=True, blank=True)
    contour = models.JSONField("contour (GeoJSON)", null=True, blank=True)

    class Meta:
        verbose_name = "quartier"
        verbose_name_plural = "quartiers"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class StructureQuerySet(ArchivableQuerySet):
    def visible_for(self, user):
        """Every professional sees the directory of structures; the public sees none here."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self

    def editable_by(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_city:
            return self
        if user.role == Role.PRESCRIPTEUR and user.structure_id:
            return self.filter(pk=user.structure_id)
        return self.none()


class Structure(Versioned, Archivable):
    nom = models.CharField("nom", max_length=200)
    pivot = models.CharField(
        "SIRET ou RNA",
        max_length=14,
        blank=True,
        validators=[pivot_validator],
        help_text="SIRET (14 chiffres), SIREN (9 chiffres) ou RNA (W + 9 chiffres).",
    )
    typologies = ChoiceArrayField(
        models.CharField(max_length=20, choices=Typologie.choices),
        verbose_name="typologie",
        default=list,
        blank=True,
    )
    quartiers = models.ManyToManyField(
        Quartier, verbose_name="quartiers desservis", blank=True, related_name="structures"
    )
    services = ChoiceArrayField(
        models.CharField(max_length=80, choices=Service.choices),
        verbose_name="services",
        default=list,
        blank=True,
    )
    publics = ChoiceArrayField(
        models.CharField(max_length=40, choices=Public.choices),
        verbose_name="publics spécifiquement adressés",
        default=list,
        blank=True,
    )
    adresse = models.CharField("adresse", max_length=200, blank=True)
    code_postal = models.CharField(
        "code postal", max_length=5, blank=True, validators=[code_postal_validator]
    )
    commune = models.CharField("commune", max_length=100, blank=True)
    telephone = PhoneNumberField("téléphone", blank=True, validators=[telephone_validator])
    courriel = models.EmailField("e-mail", blank=True)
    site_web = models.URLField("site web", blank=True)
    horaires = models.CharField("horaires (format OpenStreetMap)", max_length=300, blank=True)
    presentation = models.TextField("présentation", blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["nom"]

    def __str__(self):
        return self.nom

    def get_typologies_display(self) -> str:
        labels = dict(Typologie.choices)
        return ", ".join(labels.get(code, code) for code in self.typologies)


def new_lieu_identifier() -> str:
    return f"lieu-{uuid.uuid4().hex[:12]}"


class LieuQuerySet(ArchivableQuerySet):
    def visible_for(self, user):
        """Places are public information: everyone sees the published ones, professionals those
        awaiting confirmation too, managers the archive too."""
        if user.is_authenticated and user.is_active and user.sees_whole_city:
            return self
        if user.is_authenticated and user.is_active:
            return self.active()
        return self.published()

    def published(self):
        """The lieux shown to the public and sent to the national exports: active, and confirmed
        by a coordinator when an import created them."""
        return self.active().filter(awaiting_confirmation=False)

    def awaiting(self):
        return self.active().filter(awaiting_confirmation=True)


class Lieu(Versioned, Archivable):
    """A physical place where help is given, with every field of the national places standard."""

    identifiant = models.CharField(
        "identifiant",
        max_length=100,
        unique=True,
        default=new_lieu_identifier,
        help_text="Identifiant stable du lieu dans l'export au standard national.",
    )
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure porteuse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lieux",
    )
    quartier = models.ForeignKey(
        Quartier,
        verbose_name="quartier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lieux",
    )
    connexion_solidaire = models.BooleanField("Wi-Fi gratuit (connexion solidaire)", default=False)
    accessibilite = models.CharField(
        "accessibilité",
        max_length=300,
        blank=True,
        help_text="Ex. : accès de plain-pied, ascenseur, boucle magnétique.",
    )
    # The national standard (v1.0.2), field for field.
    pivot = models.CharField("SIRET ou RNA", max_length=14, validators=[pivot_validator])
    nom = models.CharField("nom", max_length=200)
    commune = models.CharField("commune", max_length=100)
    code_postal = models.CharField("code postal", max_length=5, validators=[code_postal_validator])
    code_insee = models.CharField(
        "code INSEE", max_length=5, blank=True, validators=[code_insee_validator]
    )
    adresse = models.CharField("adresse", max_length=200)
    complement_adresse = models.CharField("complément d'adresse", max_length=200, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    typologie = TypologieArrayField(
        models.CharField(max_length=20, validators=[typologie_code_validator]),
        verbose_name="typologie",
        default=list,
        blank=True,
    )
    telephone = PhoneNumberField("téléphone", blank=True, validators=[telephone_validator])
    courriels = ArrayField(
        models.EmailField(),
        verbose_name="e-mails",
        default=list,
        blank=True,
        help_text="Séparez plusieurs adresses par des virgules.",
    )
    site_web = ArrayField(
        models.URLField(),
        verbose_name="sites web",
        default=list,
        blank=True,
        help_text="Séparez plusieurs adresses par des virgules.",
    )
    horaires = models.CharField(
        "horaires (format OpenStreetMap)",
        max_length=300,
        blank=True,
        help_text="Ex. : Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00",
    )
    presentation_resume = models.CharField("présentation (résumé)", max_length=280, blank=True)
    presentation_detail = models.TextField("présentation détaillée", blank=True)
    source = models.CharField("source", max_length=100, blank=True)
    itinerance = ChoiceArrayField(
        models.CharField(max_length=20, choices=Itinerance.choices),
        verbose_name="itinérance",
        default=list,
        blank=True,
    )
    structure_parente = models.CharField("structure parente", max_length=200, blank=True)
    date_maj = models.DateField("date de mise à jour", default=timezone.localdate)
    services = ChoiceArrayField(
        models.CharField(max_length=80, choices=Service.choices),
        verbose_name="services",
        default=list,
        blank=True,
    )
    publics_specifiquement_adresses = ChoiceArrayField(
        models.CharField(max_length=40, choices=Public.choices),
        verbose_name="publics spécifiquement adressés",
        default=list,
        blank=True,
    )
    prise_en_charge_specifique = ChoiceArrayField(
        models.CharField(max_length=40, choices=PriseEnCharge.choices),
        verbose_name="prise en charge spécifique",
        default=list,
        blank=True,
    )
    frais_a_charge = ChoiceArrayField(
        models.CharField(max_length=40, choices=Frais.choices),
        verbose_name="frais à charge",
        default=list,
        blank=True,
    )
    dispositif_programmes_nationaux = ChoiceArrayField(
        models.CharField(max_length=60, choices=Dispositif.choices),
        verbose_name="dispositifs et programmes nationaux",
        default=list,
        blank=True,
    )
    formations_labels = ChoiceArrayField(
        models.CharField(max_length=80, choices=FormationLabel.choices),
        verbose_name="formations et labels",
        default=list,
        blank=True,
    )
    autres_formations_labels = ArrayField(
        models.CharField(max_length=120),
        verbose_name="autres formations et labels",
        default=list,
        blank=True,
        help_text="Séparez plusieurs intitulés par des virgules.",
    )
    modalites_acces = ChoiceArrayField(
        models.CharField(max_length=60, choices=ModaliteAcces.choices),
        verbose_name="modalités d'accès",
        default=list,
        blank=True,
    )
    modalites_accompagnement = ChoiceArrayField(
        models.CharField(max_length=40, choices=ModaliteAccompagnement.choices),
        verbose_name="modalités d'accompagnement",
        default=list,
        blank=True,
    )
    fiche_acces_libre = models.URLField("fiche Acceslibre", blank=True)
    prise_rdv = models.URLField("prise de rendez-vous en ligne", blank=True)
    # A lieu an import created is not published until a coordinator confirms it or merges it into
    # the lieu it duplicates (reseau.services.confirm_lieu / merge_lieu).
    awaiting_confirmation = models.BooleanField(
        "à confirmer (créé par un import)", default=False, db_default=False
    )
    suggested_match = models.ForeignKey(
        "self",
        verbose_name="ressemble au lieu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The names an import gave to this lieu (a merged duplicate's), so the next import finds it.
    aliases = ArrayField(
        models.CharField(max_length=200),
        verbose_name="autres noms (imports)",
        default=list,
        db_default=[],  # the previous release inserts lieux without this column
        blank=True,
    )

    objects = LieuQuerySet.as_manager()

    class Meta:
        verbose_name = "lieu"
        verbose_name_plural = "lieux"
        ordering = ["nom"]

    def __str__(self):
        return self.nom

    @property
    def postal_address(self) -> str:
        """Name and address on one line, as a calendar event's place."""
        street = ", ".join(p for p in (self.adresse, self.complement_adresse) if p)
        return f"{self.nom}, {street}, {self.code_postal} {self.commune}"

    def mark_updated(self):
        """The record's facts are checked as of today (the standard's `date_maj`)."""
        self.date_maj = timezone.localdate()


class ContactQuerySet(ArchivableQuerySet):
    def visible_for(self, user):
        """Contact persons are visible to logged-in professionals only, never to the public."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class Contact(Archivable):
    """A person at a partner structure (the network's ~80 people)."""

    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.PROTECT, related_name="contacts"
    )
    prenom = models.CharField("prénom", max_length=100)
    nom = models.CharField("nom", max_length=100)
    fonction = models.CharField("fonction", max_length=150, blank=True)
    courriel = models.EmailField("e-mail", blank=True)
    telephone = PhoneNumberField("téléphone", max_length=30, blank=True)
    referent_numerique = models.BooleanField("référent du réseau numérique", default=False)
    notes = models.TextField("notes", blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["nom", "prenom"]

    def __str__(self):
        return f"{self.prenom} {self.nom}"
