"""Forms of the households' pages: referring a household, the coordination's decisions on a
request, allocating and handing over a device, ceremonies and testimonials; the list's filters.

Households are pseudonymous: no field here asks for a name, an address or a phone number, and
the structure's internal reference refuses what looks like a phone number or an e-mail address.
"""

import re

import django_filters
from django import forms
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from poitiers_inclusion.concurrency import VersionedFormMixin
from poitiers_inclusion.filters import StyledFilterSet
from poitiers_inclusion.forms import Form, ModelForm
from poitiers_inclusion.widgets import (
    LargeModelChoiceField,
    LargeModelChoiceFilter,
    LargeModelMultipleChoiceField,
)
from reseau.models import Lieu, Quartier, Structure

from .enums import DEMANDE_TRANSITIONS, Etat, StatutDemande, TrancheRevenus
from .models import Ceremonie, Demande, Donateur, Foyer, Ordinateur, Temoignage

CONSENT_LABEL = (
    "Le foyer a donné son accord pour que ces informations soient transmises au programme "
    "Ordinateurs solidaires."
)
# Statuses the coordination does not set by hand: a proposal and a hand-over go through a device.
NOT_DECIDED_BY_HAND = (StatutDemande.PROPOSEE, StatutDemande.EQUIPEE)
NEEDS_MOTIF = (StatutDemande.REFUSEE, StatutDemande.INCOMPLETE)
PHONE_OR_EMAIL = re.compile(r"@|(?:\d[\s.\-]?){9,}")


def lieu_label(nom, commune) -> str:
    return f"{nom} ({commune})" if commune else nom


class OrdinateurChoiceField(forms.ModelChoiceField):
    """A device offered to a household: its number, model, memory and storage."""

    def label_from_instance(self, obj):
        parts = [" ".join(p for p in (obj.marque, obj.modele) if p) or obj.get_type_display()]
        if obj.memoire_go:
            parts.append(f"{obj.memoire_go} Go de RAM")
        storage = " + ".join(
            f"{s.get_type_display()} {s.capacite_go} Go" if s.capacite_go else s.get_type_display()
            for s in obj.stockages.all()
        )
        if storage:
            parts.append(storage)
        return f"{obj.numero} — {', '.join(parts)}"


class CeremonieChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.titre}, {obj.date:%d/%m/%Y} — {obj.lieu.nom}"


# --- The household and its request -------------------------------------------------------------


class FoyerForm(ModelForm):
    """The household's composition and situation, and what the computer is for."""

    # What leads to the family (the structure's file number): never kept in the browser's draft.
    not_in_drafts = Foyer.PERSONAL_FIELDS

    besoin = forms.CharField(
        label="À quoi servira l'ordinateur ?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : devoirs des enfants, recherche d'emploi, démarches en ligne. "
        "Sans nom ni coordonnées.",
        error_messages={
            "required": "Dites en quelques mots à quoi servira l'ordinateur (devoirs, "
            "recherche d'emploi, démarches…).",
            "max_length": "2000 caractères au plus (vous en avez saisi %(show_value)d).",
        },
    )

    class Meta:
        model = Foyer
        fields = [
            "adultes",
            "enfants",
            "enfants_scolarises",
            "demandeur_emploi",
            "tranche_revenus",
            "quartier",
            "reference_interne",
        ]
        labels = {
            "adultes": "Nombre d'adultes",
            "enfants": "Nombre d'enfants",
            "enfants_scolarises": "Dont enfants scolarisés",
            "demandeur_emploi": "Une personne du foyer cherche un emploi",
            "tranche_revenus": "Revenus du foyer",
            "quartier": "Quartier où vit le foyer",
            "reference_interne": "Référence interne de votre structure",
        }
        help_texts = {
            "enfants_scolarises": "Les enfants qui vont à l'école, au collège ou au lycée "
            "(comptés aussi dans le nombre d'enfants).",
            "reference_interne": "Votre numéro de dossier, pour retrouver la famille chez vous. "
            "N'écrivez ni nom, ni adresse, ni téléphone : le foyer n'est connu ici que par "
            "un code, votre structure garde son identité.",
        }
        error_messages = {
            "adultes": {
                "required": "Indiquez le nombre d'adultes du foyer.",
                "invalid": "Indiquez un nombre en chiffres.",
                "min_value": "Un foyer compte au moins un adulte.",
            },
            "enfants": {
                "required": "Indiquez le nombre d'enfants (0 s'il n'y en a pas).",
                "invalid": "Indiquez un nombre en chiffres.",
                "min_value": "Le nombre d'enfants ne peut pas être négatif.",
            },
            "enfants_scolarises": {
                "required": "Indiquez le nombre d'enfants scolarisés (0 s'il n'y en a pas).",
                "invalid": "Indiquez un nombre en chiffres.",
                "min_value": "Le nombre d'enfants scolarisés ne peut pas être négatif.",
            },
            "tranche_revenus": {
                "required": "Choisissez la tranche de revenus (ou « Non communiqué »).",
                "invalid_choice": "Choisissez une tranche de revenus de la liste.",
            },
            "quartier": {"invalid_choice": "Choisissez un quartier de la liste."},
            "reference_interne": {
                "max_length": "50 caractères au plus (vous en avez saisi %(show_value)d).",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adultes"].min_value = 1
        self.fields["adultes"].widget.attrs.update({"min": 1, "inputmode": "numeric"})
        for name in ("enfants", "enfants_scolarises"):
            self.fields[name].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        self.fields["tranche_revenus"].choices = TrancheRevenus.choices
        self.fields["quartier"].queryset = Quartier.objects.order_by("nom")
        self.fields["quartier"].empty_label = "Non renseigné"

    def clean_adultes(self):
        adultes = self.cleaned_data["adultes"]
        if adultes is not None and adultes < 1:
            raise forms.ValidationError("Un foyer compte au moins un adulte.")
        return adultes

    def clean_reference_interne(self):
        reference = " ".join(self.cleaned_data["reference_interne"].split())
        if PHONE_OR_EMAIL.search(reference):
            raise forms.ValidationError(
                "Pas de téléphone ni d'e-mail ici : seulement votre numéro de dossier "
                "(par exemple CCAS-2025-118)."
            )
        return reference

    def clean_besoin(self):
        return self.cleaned_data["besoin"].strip()

    def clean(self):
        data = super().clean()
        enfants, scolarises = data.get("enfants"), data.get("enfants_scolarises")
        if enfants is not None and scolarises is not None and scolarises > enfants:
            self.add_error(
                "enfants_scolarises",
                f"Les enfants scolarisés sont comptés parmi les enfants : {scolarises} "
                f"scolarisé{'s' if scolarises > 1 else ''} pour {enfants} "
                f"enfant{'s' if enfants > 1 else ''}, corrigez l'un des deux nombres.",
            )
        return data

    def household(self) -> dict:
        """The Foyer fields, for services.refer_household."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ReferralForm(FoyerForm):
    """Referring a household: its consent is required; the coordination chooses the structure
    (a prescripteur refers for their own)."""

    not_in_drafts = (*FoyerForm.not_in_drafts, "consentement")

    consentement = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={
            "required": "Cochez cette case après avoir demandé son accord au foyer : sans son "
            "accord, la demande ne peut pas être transmise."
        },
    )

    def __init__(self, *args, choose_structure=False, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_structure:
            self.fields["structure"] = LargeModelChoiceField(
                label="Structure qui oriente le foyer",
                queryset=Structure.objects.active().order_by("nom"),
                empty_label="Choisir la structure",
                error_messages={
                    "required": "Choisissez la structure qui oriente le foyer.",
                    "invalid_choice": "Choisissez une structure de la liste.",
                },
            )
            self.order_fields(["structure"])


class DecisionForm(VersionedFormMixin, Form):
    """The coordination's decision on a request: its next status, the reason when it is
    refused or incomplete (sent to the structure), its priority on the waiting list. Two
    people deciding at once: the second is shown the first one's decision (VersionedFormMixin)."""

    statut = forms.ChoiceField(
        label="Décision",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez une décision.",
            "invalid_choice": "Cette décision n'est pas possible pour cette demande.",
        },
    )
    motif = forms.CharField(
        label="Motif",
        max_length=250,
        required=False,
        help_text="Obligatoire pour un refus ou une demande incomplète : la structure le lit. "
        "Sans nom ni coordonnées.",
        error_messages={
            "max_length": "250 caractères au plus (vous en avez saisi %(show_value)d)."
        },
    )
    priorite = forms.TypedChoiceField(
        label="Priorité sur la liste d'attente",
        coerce=int,
        choices=Demande.Priorite.choices,
        help_text="La liste d'attente est servie par priorité, puis par date d'inscription.",
        error_messages={"invalid_choice": "Choisissez une priorité de la liste."},
    )

    def __init__(self, *args, demande: Demande, **kwargs):
        self.demande = demande
        kwargs.setdefault("initial", {"priorite": demande.priorite})
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = decision_choices(demande)

    def versioned_record(self) -> Demande:
        return self.demande

    def clean(self):
        data = super().clean()
        if data.get("statut") in NEEDS_MOTIF and not data.get("motif", "").strip():
            self.add_error("motif", "Indiquez le motif, il sera transmis à la structure.")
        return data


# Deciding "éligible" also puts the request on the waiting list (services.decide).
DECISION_LABELS = {StatutDemande.ELIGIBLE: "Éligible : inscrire sur la liste d'attente"}


def decision_choices(demande: Demande) -> list[tuple[str, str]]:
    return [
        (statut, DECISION_LABELS.get(statut, StatutDemande(statut).label))
        for statut in DEMANDE_TRANSITIONS.get(demande.statut, ())
        if statut not in NOT_DECIDED_BY_HAND
    ]


def available_devices(user):
    """Devices ready for a household, the most recently checked first."""
    return (
        Ordinateur.objects.visible_for(user)
        .in_state(Etat.DISPONIBLE)
        .annotate(dernier_controle=Max("controles__done_at"))
        .prefetch_related("stockages")
        .order_by(F("dernier_controle").desc(nulls_last=True), "numero")
    )


class ProposeForm(Form):
    ordinateur = OrdinateurChoiceField(
        label="Ordinateur proposé",
        queryset=Ordinateur.objects.none(),
        empty_label="Choisir un ordinateur disponible",
        help_text="Seuls les ordinateurs disponibles (effacés et contrôlés) sont proposés, "
        "les derniers contrôlés en premier.",
        error_messages={
            "required": "Choisissez l'ordinateur à proposer au foyer.",
            "invalid_choice": "Cet ordinateur n'est plus disponible (il vient peut-être d'être "
            "réservé pour un autre foyer) : choisissez-en un autre.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ordinateur"].queryset = available_devices(user)


class HandOverForm(Form):
    ceremonie = CeremonieChoiceField(
        label="Remis lors de la cérémonie",
        queryset=Ceremonie.objects.none(),
        required=False,
        empty_label="Sans cérémonie",
        help_text="Laissez « Sans cérémonie » pour une remise au guichet ou chez la structure.",
        error_messages={"invalid_choice": "Choisissez une cérémonie de la liste."},
    )

    remis_le = forms.DateField(
        label="Date de la remise",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Laissez vide : le jour de la cérémonie choisie, ou aujourd'hui sans "
        "cérémonie. Une remise se note une fois faite, pas à l'avance.",
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ceremonie"].queryset = Ceremonie.objects.select_related("lieu").order_by(
            "-date"
        )
        self.fields["remis_le"].widget.attrs["max"] = timezone.localdate().isoformat()


class WithdrawForm(Form):
    motif = forms.CharField(
        label="Motif du retrait",
        max_length=250,
        help_text="Par exemple : le foyer ne s'est pas présenté, l'appareil ne convient pas. "
        "La structure le lit.",
        error_messages={
            "required": "Indiquez pourquoi la proposition est retirée.",
            "max_length": "250 caractères au plus (vous en avez saisi %(show_value)d).",
        },
    )
    abandon = forms.BooleanField(
        label="Le foyer renonce : clore la demande (abandon)",
        required=False,
        help_text="Sans cette case, la demande retourne sur la liste d'attente à son rang.",
    )


# --- Ceremonies ---------------------------------------------------------------------------------


class CeremonieForm(ModelForm):
    class Meta:
        model = Ceremonie
        fields = ["titre", "date", "lieu", "donateurs", "notes"]
        widgets = {
            "date": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"notes": "Pour l'équipe : déroulé, élus présents, presse…"}
        error_messages = {
            "titre": {"required": "Donnez un titre à la cérémonie."},
            "date": {
                "required": "Indiquez la date et l'heure de la cérémonie.",
                "invalid": "Saisissez une date et une heure valides (jj/mm/aaaa hh:mm).",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lieux = Lieu.objects.active()
        if self.instance.pk:
            lieux = Lieu.objects.filter(Q(archived_at__isnull=True) | Q(pk=self.instance.lieu_id))
        self.fields["lieu"] = LargeModelChoiceField(
            label="Lieu",
            queryset=lieux.order_by("nom"),
            label_fields=("nom", "commune"),
            row_label=lieu_label,
            empty_label="Choisir un lieu",
            error_messages={
                "required": "Choisissez le lieu de la cérémonie.",
                "invalid_choice": "Choisissez un lieu de la liste.",
            },
        )
        self.fields["donateurs"] = LargeModelMultipleChoiceField(
            label="Donateurs invités",
            queryset=Donateur.objects.order_by("nom"),
            required=False,
            error_messages={"invalid_choice": "Ce donateur n'existe plus."},
        )


class TemoignageForm(ModelForm):
    consentement = forms.BooleanField(
        label="La personne accepte que son témoignage soit enregistré et cité, sans son nom.",
        error_messages={
            "required": "Cochez cette case après avoir demandé son accord à la personne : "
            "sans son accord, le témoignage n'est pas enregistré."
        },
    )

    class Meta:
        model = Temoignage
        fields = ["texte", "auteur"]
        widgets = {"texte": forms.Textarea(attrs={"rows": 4})}
        labels = {"texte": "Témoignage", "auteur": "Qui parle (sans nom)"}
        help_texts = {"auteur": "Par exemple : une mère de deux enfants, un lycéen."}
        error_messages = {
            "texte": {"required": "Saisissez le témoignage."},
            "auteur": {
                "required": "Dites qui parle, sans son nom (par exemple : un père de famille).",
                "max_length": "150 caractères au plus (vous en avez saisi %(show_value)d).",
            },
        }


# --- The list's filters -------------------------------------------------------------------------


class DemandeFilter(StyledFilterSet):
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=StatutDemande.choices, empty_label="Tous les statuts"
    )
    structure = LargeModelChoiceFilter(
        label="Structure",
        field_name="foyer__structure",
        queryset=Structure.objects.none(),
        empty_label="Toutes les structures",
    )
    quartier = django_filters.ModelChoiceFilter(
        label="Quartier",
        field_name="foyer__quartier",
        queryset=Quartier.objects.order_by("nom"),
        empty_label="Tous les quartiers",
    )
    annee = django_filters.ChoiceFilter(
        label="Année", empty_label="Toutes les années", method="filter_year"
    )

    class Meta:
        model = Demande
        fields = ["statut", "structure", "quartier", "annee"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.sees_whole_city:
            # EXISTS stops at a structure's first household; a join then DISTINCT reads them all.
            households = Foyer.objects.filter(structure=OuterRef("pk"))
            self.filters["structure"].queryset = Structure.objects.filter(
                Exists(households)
            ).order_by("nom")
        else:  # a prescripteur sees their own structure's requests only
            self.filters.pop("structure")
        years = Demande.objects.visible_for(user).dates("created_at", "year", order="DESC")
        self.filters["annee"].extra["choices"] = [(str(d.year), str(d.year)) for d in years]

    def filter_year(self, queryset, name, value):
        return queryset.filter(created_at__year=int(value))
