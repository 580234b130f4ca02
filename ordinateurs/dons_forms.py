"""Forms of donations: a company's offer (public), the team's entry of an offer, the donor's
record, planning and recording the collection, cancelling, and the list's filters."""

import re

import django_filters
from django import forms
from django.db.models.functions import ExtractYear
from django.utils import timezone

from poitiers_inclusion.fields import PhoneField
from poitiers_inclusion.filters import StyledFilterSet
from poitiers_inclusion.forms import Form, ModelForm
from poitiers_inclusion.public_forms import HoneypotMixin

from .enums import StatutDon
from .models import Don, Donateur

POSTCODE_RE = re.compile(r"^\d{5}$")
# La Poste's establishments share one SIREN whose SIRETs do not follow the Luhn key.
LA_POSTE_SIREN = "356000000"

SIRET_INVALID = (
    "Ce numéro SIRET n'est pas valide : vérifiez les 14 chiffres "
    "(ils figurent sur vos factures ou sur l'extrait Kbis)."
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def normalise_siret(raw: str) -> str:
    """The 14 digits of a SIRET typed with spaces, or a ValidationError in plain words."""
    siret = re.sub(r"[\s.\-]", "", raw or "")
    if not siret:
        return ""
    if not siret.isdigit() or len(siret) != 14:
        raise forms.ValidationError(
            "Un numéro SIRET compte 14 chiffres (par exemple 732 829 320 00074)."
        )
    if siret.startswith(LA_POSTE_SIREN):
        if sum(int(c) for c in siret) % 5:
            raise forms.ValidationError(SIRET_INVALID)
    elif not _luhn_ok(siret):
        raise forms.ValidationError(SIRET_INVALID)
    return siret


def _squeeze(value: str) -> str:
    return " ".join((value or "").split())


EMAIL_INVALID = "Cette adresse e-mail n'est pas valide (ex. : nom@entreprise.fr)."


class DonorFieldsMixin:
    """Cleaning shared by every form that holds a donor's details."""

    def clean_nom(self):
        return _squeeze(self.cleaned_data["nom"])

    def clean_contact_nom(self):
        return _squeeze(self.cleaned_data["contact_nom"])

    def clean_siret(self):
        return normalise_siret(self.cleaned_data["siret"])

    def clean_email(self):
        return (self.cleaned_data["email"] or "").strip().lower()

    def clean_code_postal(self):
        code = (self.cleaned_data["code_postal"] or "").strip()
        if code and not POSTCODE_RE.match(code):
            raise forms.ValidationError("Un code postal compte 5 chiffres (par exemple 86000).")
        return code

    def clean_commune(self):
        return _squeeze(self.cleaned_data["commune"])

    def clean_adresse(self):
        return _squeeze(self.cleaned_data["adresse"])


def _donor_fields(*, public: bool) -> dict[str, forms.Field]:
    """The donor's fields; for the public form the e-mail is required (we must answer)."""
    return {
        "nom": forms.CharField(
            label="Nom de l'entreprise ou de l'organisme",
            max_length=200,
            required=public,
            widget=forms.TextInput(attrs={"autocomplete": "organization"}),
            error_messages={"required": "Indiquez le nom de l'entreprise ou de l'organisme."},
        ),
        "siret": forms.CharField(
            label="SIRET" + (" (facultatif)" if public else ""),
            max_length=20,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            help_text="14 chiffres. Il figure sur l'attestation de don remise au service "
            "financier.",
        ),
        "contact_nom": forms.CharField(
            label="Personne à contacter",
            max_length=150,
            required=public,
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
            error_messages={"required": "Indiquez le nom de la personne à contacter."},
        ),
        "email": forms.EmailField(
            label="E-mail",
            required=public,
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            help_text="Pour organiser la collecte et confirmer ce qui a été reçu.",
            error_messages={
                "required": "Indiquez une adresse e-mail : nous vous répondons par e-mail.",
                "invalid": EMAIL_INVALID,
            },
        ),
        "telephone": PhoneField(label="Téléphone" + (" (facultatif)" if public else "")),
        "adresse": forms.CharField(
            label="Adresse" + (" (facultatif)" if public else ""),
            max_length=250,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
            help_text="Où se trouvent les appareils, si c'est l'adresse de la collecte.",
        ),
        "code_postal": forms.CharField(
            label="Code postal",
            max_length=5,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        ),
        "commune": forms.CharField(
            label="Commune",
            max_length=100,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        ),
    }


DONOR_FIELDS = (
    "nom",
    "siret",
    "contact_nom",
    "email",
    "telephone",
    "adresse",
    "code_postal",
    "commune",
)


def _count_field(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=10000,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={
            "required": "Indiquez le nombre d'appareils.",
            "invalid": "Indiquez le nombre d'appareils en chiffres.",
            "min_value": "Indiquez au moins un appareil.",
            "max_value": "Au-delà de 10 000 appareils, contactez-nous directement.",
        },
    )


def _description_field(label: str, help_text: str, required=False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
        error_messages={
            "max_length": "2 000 caractères au plus (vous en avez saisi %(show_value)d)."
        },
    )


class DonOfferForm(HoneypotMixin, DonorFieldsMixin, Form):
    """A company offers computers on the public site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = _donor_fields(public=True)
        fields["nb_annonce"] = _count_field(
            "Nombre d'appareils",
            "Ordinateurs portables ou fixes, tablettes, écrans : un nombre approximatif suffit.",
        )
        fields["description"] = _description_field(
            "Description du matériel",
            "Type d'appareils, âge approximatif, état, chargeurs fournis…",
            required=True,
        )
        fields["description"].error_messages["required"] = (
            "Décrivez en quelques mots le matériel (type, âge approximatif)."
        )
        fields["consent"] = forms.BooleanField(
            label="J'accepte que ces coordonnées soient enregistrées pour être contacté(e) au "
            "sujet de ce don.",
            error_messages={
                "required": "Cochez cette case : sans elle, nous ne pouvons pas vous recontacter."
            },
        )
        self.fields.update(fields)

    def donor_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in DONOR_FIELDS}


class DonorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = f" ({obj.commune})" if obj.commune else ""
        return f"{obj.nom}{where}"


class DonCreateForm(DonorFieldsMixin, Form):
    """The team enters an offer received by phone or e-mail: a known donor, or a new one."""

    def __init__(self, *args, donors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donateur"] = DonorChoiceField(
            label="Donateur",
            queryset=donors.order_by("nom", "pk"),
            required=False,
            empty_label="Nouveau donateur (à saisir ci-dessous)",
            error_messages={
                "invalid_choice": "Ce donateur n'existe plus : choisissez-en un autre."
            },
        )
        self.fields.update(_donor_fields(public=False))
        self.fields["nb_annonce"] = _count_field("Appareils annoncés")
        self.fields["description"] = _description_field(
            "Description du lot", "Type d'appareils, âge, état, lieu de collecte…"
        )

    def clean(self):
        data = super().clean()
        if data.get("donateur") or "donateur" in self.errors:
            return data
        if not data.get("nom") and "nom" not in self.errors:
            self.add_error(
                "nom",
                "Choisissez un donateur dans la liste, ou indiquez le nom du nouveau donateur.",
            )
        siret = data.get("siret")
        if siret:
            known = Donateur.objects.filter(siret=siret).first()
            if known is not None:
                self.add_error(
                    "siret",
                    f"Ce SIRET est celui de « {known.nom} », déjà enregistré : "
                    "choisissez-le dans la liste des donateurs.",
                )
        return data

    def donor_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in DONOR_FIELDS}


class DonateurForm(DonorFieldsMixin, ModelForm):
    """The donor's details (descriptive fields only)."""

    class Meta:
        model = Donateur
        fields = list(DONOR_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in _donor_fields(public=False).items():
            self.fields[name] = field
        self.fields["nom"].required = True

    def clean_siret(self):
        raw = self.cleaned_data["siret"]
        if re.sub(r"[\s.\-]", "", raw or "") == self.instance.siret:
            return self.instance.siret  # what is already on file is kept as it is
        siret = normalise_siret(raw)
        if siret:
            other = Donateur.objects.filter(siret=siret).exclude(pk=self.instance.pk).first()
            if other is not None:
                raise forms.ValidationError(f"Ce SIRET est déjà celui du donateur « {other.nom} ».")
        return siret


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


DATE_ERRORS = {
    "required": "Indiquez la date.",
    "invalid": "Saisissez une date valide (jj/mm/aaaa).",
}


class PlanForm(Form):
    day = forms.DateField(
        label="Date de collecte prévue", widget=_date_widget(), error_messages=DATE_ERRORS
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError(
                "Choisissez aujourd'hui ou une date à venir ; une collecte faite s'enregistre "
                "ci-dessous."
            )
        return day


class CollectForm(Form):
    day = forms.DateField(
        label="Date de la collecte", widget=_date_widget(), error_messages=DATE_ERRORS
    )
    nb_recus = forms.IntegerField(
        label="Appareils reçus",
        min_value=1,
        max_value=10000,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={
            "required": "Indiquez le nombre d'appareils reçus.",
            "invalid": "Indiquez le nombre d'appareils en chiffres.",
            "min_value": "Au moins un appareil : si rien n'a été collecté, annulez le don.",
            "max_value": "10 000 appareils au plus.",
        },
    )
    poids_kg = forms.DecimalField(
        label="Poids (kg)",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Pesé à la collecte, si possible (suivi des déchets électroniques).",
        error_messages={
            "invalid": "Indiquez le poids en kilos, par exemple 61,5.",
            "min_value": "Le poids ne peut pas être négatif.",
            "max_digits": "Ce poids est trop grand.",
            "max_decimal_places": "Une décimale au plus (par exemple 61,5).",
            "max_whole_digits": "Ce poids est trop grand.",
        },
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                "La collecte ne peut pas être datée dans le futur : planifiez-la plutôt."
            )
        return day


class CancelForm(Form):
    motif = forms.CharField(
        label="Motif de l'annulation",
        max_length=200,
        help_text="Gardé dans les notes du don.",
        error_messages={
            "required": "Indiquez le motif de l'annulation.",
            "max_length": "200 caractères au plus (vous en avez saisi %(show_value)d).",
        },
    )


class DonFilter(StyledFilterSet):
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=StatutDon.choices, empty_label="Tous les statuts"
    )
    annee = django_filters.ChoiceFilter(
        label="Année", choices=[], empty_label="Toutes les années", method="filter_year"
    )
    donateur = django_filters.ModelChoiceFilter(
        label="Donateur", queryset=Donateur.objects.none(), empty_label="Tous les donateurs"
    )

    class Meta:
        model = Don
        fields = ["statut", "annee", "donateur"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        years = (
            Don.objects.visible_for(user)
            .annotate(year=ExtractYear("offered_on"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        self.filters["annee"].extra["choices"] = [(str(y), str(y)) for y in years]
        self.filters["donateur"].queryset = (
            Donateur.objects.visible_for(user).filter(dons__isnull=False).distinct().order_by("nom")
        )

    def filter_year(self, queryset, name, value):
        return queryset.filter(offered_on__year=int(value)) if value else queryset
