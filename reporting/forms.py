"""The dashboard's filters (a GET form, so the URL can be bookmarked) and the indicator import form."""

import datetime

from django import forms
from django.utils import timezone

from poitiers_inclusion import figures, spreadsheets
from poitiers_inclusion.enums import Role
from poitiers_inclusion.figures import Scope
from poitiers_inclusion.forms import Form, ModelForm
from poitiers_inclusion.models import User
from poitiers_inclusion.widgets import PERSON_FIELDS, LargeModelChoiceField, person_label
from reseau.models import Lieu, Quartier

from .models import VuePartagee


class FrenchDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# The filters every section may apply besides the period; the apps declare their own after them.
COMMON_FILTERS = ("lieu", "quartier", "conseiller")


class DashboardFilterForm(Form):
    """Period, lieu, quartier, conseiller, then the filters the apps declare (the médiation log's
    type and thématique); turned into a figures `Scope`."""

    du = forms.DateField(label="Du", required=False, widget=FrenchDateInput())
    au = forms.DateField(label="Au", required=False, widget=FrenchDateInput())
    lieu = LargeModelChoiceField(
        label="Lieu", queryset=Lieu.objects.none(), required=False, empty_label="Tous les lieux"
    )
    quartier = LargeModelChoiceField(
        label="Quartier",
        queryset=Quartier.objects.all(),
        required=False,
        empty_label="Tous les quartiers",
    )
    conseiller = LargeModelChoiceField(
        label="Conseiller",
        queryset=User.objects.none(),
        required=False,
        empty_label="Tous les conseillers",
        label_fields=PERSON_FIELDS,
        row_label=person_label,
    )

    error_messages = {"order": "La date de début doit précéder la date de fin."}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for spec in figures.filter_specs():
            self.fields[spec.key] = forms.ChoiceField(
                label=spec.label, choices=[("", spec.empty_label), *spec.choices], required=False
            )
        self.fields["du"].error_messages["invalid"] = "Saisissez une date valide (jj/mm/aaaa)."
        self.fields["au"].error_messages["invalid"] = "Saisissez une date valide (jj/mm/aaaa)."
        self.fields["lieu"].queryset = Lieu.objects.visible_for(user).order_by("nom", "pk")
        if user.role == Role.CONSEILLER:
            # A conseiller's figures are their own: choosing another conseiller means nothing.
            del self.fields["conseiller"]
        else:
            self.fields["conseiller"].queryset = User.objects.filter(role=Role.CONSEILLER).order_by(
                "last_name",
                "first_name",
                "pk",  # the same order at each visit, homonyms included
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and start > end:
            self.add_error("au", self.error_messages["order"])
        return cleaned

    def scope(self) -> Scope:
        """The scope of the valid filters (an invalid one is shown in error and ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})

        def one(name, attr="pk"):
            value = data.get(name)
            if value in (None, ""):
                return ()
            return (getattr(value, attr) if attr else value,)

        return Scope(
            user=self.user,
            start=data.get("du"),
            end=data.get("au"),
            lieux=one("lieu"),
            quartiers=one("quartier"),
            conseillers=one("conseiller"),
            app_filters={spec.key: one(spec.key, attr=None) for spec in figures.filter_specs()},
        )

    def description(self) -> list[tuple[str, str]]:
        """The filters in words, for the page, the exports and the printed report."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        start, end = data.get("du"), data.get("au")
        lines = [("Période", period_label(start, end))]
        for name in self.names():
            if name not in self.fields or not data.get(name):
                continue
            field = self.fields[name]
            value = data[name]
            if isinstance(field, forms.ModelChoiceField):
                text = field.label_from_instance(value)
            else:
                text = dict(field.choices).get(value, value)
            lines.append((field.label, str(text)))
        return lines

    @staticmethod
    def names() -> list[str]:
        """The filters beyond the period, in the form's order."""
        return [*COMMON_FILTERS, *(spec.key for spec in figures.filter_specs())]

    def not_applied(self) -> dict[str, list[str]]:
        """Per section key, the labels of the filters set that the section does not apply (the
        dashboard says so on it: its figures are not restricted by them)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        chosen = [name for name in self.names() if name in self.fields and data.get(name)]
        result = {}
        for spec in figures.sections(self.user):
            ignored = [self.fields[name].label for name in chosen if name not in spec.filters]
            if ignored:
                result[spec.key] = ignored
        return result


def period_label(start: datetime.date | None, end: datetime.date | None) -> str:
    if start and end:
        return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"
    if start:
        return f"depuis le {start:%d/%m/%Y}"
    if end:
        return f"jusqu'au {end:%d/%m/%Y}"
    return "toute la période"


class IndicatorImportForm(Form):
    fichier = forms.FileField(
        label="Fichier (CSV ou Excel)",
        help_text="Colonnes : indicateur, code quartier, mois (AAAA-MM), valeur.",
    )
    importer_lignes_valides = forms.BooleanField(
        label="Importer les lignes valides même si d'autres sont en erreur",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []  # (line number, cells) of the file, read while it is validated

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Le fichier doit être au format CSV ou Excel (.xlsx).")
        try:
            self.lines = list(spreadsheets.read_rows(upload))
        except spreadsheets.SpreadsheetError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class IndicatorChoiceForm(Form):
    indicateur = forms.ChoiceField(label="Indicateur", choices=())

    def __init__(self, *args, names, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicateur"].choices = [(n, n) for n in names]


class ShareForm(ModelForm):
    """Publish the current dashboard view by link: a title and an expiry date."""

    MAX_DAYS = 366
    NAMES_A_PERSON = (
        "Une vue partagée ne nomme personne : elle ne peut pas être filtrée sur un conseiller. "
        "Partagez la même vue pour tous les conseillers."
    )

    class Meta:
        model = VuePartagee
        fields = ["titre", "expires_on"]
        widgets = {"expires_on": FrenchDateInput()}
        help_texts = {
            "titre": "Affiché en tête de la page, par exemple « Bilan 2025 pour le conseil "
            "municipal ».",
            "expires_on": "Au plus un an. Vous pouvez révoquer le lien à tout moment.",
        }
        error_messages = {
            "titre": {"required": "Donnez un titre à cette vue."},
            "expires_on": {
                "required": "Indiquez jusqu'à quand le lien est valable.",
                "invalid": "Saisissez une date valide (jj/mm/aaaa).",
            },
        }

    def __init__(self, *args, names_a_person=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.names_a_person = names_a_person

    def clean(self):
        cleaned = super().clean()
        if self.names_a_person:
            raise forms.ValidationError(self.NAMES_A_PERSON)
        return cleaned

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError("Cette date est passée : choisissez une date à venir.")
        if day > today + datetime.timedelta(days=self.MAX_DAYS):
            raise forms.ValidationError("Un lien partagé est valable un an au plus.")
        return day
