"""The log form: one activity report (individual or collective) with the people helped in it."""

import datetime
import uuid

from django import forms
from django.utils import timezone

from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.fields import PhoneField
from poitiers_inclusion.forms import Form
from poitiers_inclusion.models import Usager
from poitiers_inclusion.widgets import LargeModelChoiceField
from reseau.models import Lieu, Quartier

from .enums import (
    DURATION_PRESETS,
    Autonomie,
    Materiel,
    NiveauAtelier,
    OuiNon,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TypeActivite,
    TypeLieu,
    UsagerMode,
)
from .services import LogData

OTHER_DURATION = "autre"


def _duration_label(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


DURATION_CHOICES = [(str(m), _duration_label(m)) for m in DURATION_PRESETS] + [
    (OTHER_DURATION, "Autre")
]

YES_NO = [(OuiNon.NON, OuiNon.NON.label), (OuiNon.OUI, OuiNon.OUI.label)]
FIRST_VISIT = [("", "Ne sait pas"), *OuiNon.choices]

# Count fields of a collective report's anonymous participants: (dimension, prefix, choices).
COUNTED_GENRES = [c for c in Genre.choices if c[0] != Genre.NON_COMMUNIQUE]
COUNTED_AGES = [c for c in TrancheAge.choices if c[0] != TrancheAge.NON_COMMUNIQUE]
COUNTED_STATUTS = [c for c in StatutSocial.choices if c[0] != StatutSocial.NON_COMMUNIQUE]
COUNT_GROUPS = [
    ("genre", "nb_genre", "Genre", COUNTED_GENRES),
    ("tranche_age", "nb_age", "Tranche d'âge", COUNTED_AGES),
    ("statut_social", "nb_statut", "Statut", COUNTED_STATUTS),
]

MULTI_FIELDS = ("thematiques", "thematiques_demarche", "materiel", "participants")


class ToggleMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes drawn as large toggle buttons (Bootstrap's btn-check)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})}, choices=choices)


class ToggleRadio(forms.RadioSelect):
    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})}, choices=choices)


def _blank(label, choices):
    return [("", label), *choices]


class LogForm(Form):
    """The 30-second log form. `service_data()` gives what `services.record_mediation` takes."""

    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    type_activite = forms.ChoiceField(
        label="Type", choices=TypeActivite.choices, widget=ToggleRadio
    )
    type_lieu = forms.ChoiceField(
        label="Canal d’accompagnement", choices=TypeLieu.choices, widget=ToggleRadio
    )
    lieu = LargeModelChoiceField(
        label="Lieu",
        queryset=Lieu.objects.none(),
        required=False,
        empty_label="— Choisir un lieu —",
    )
    duree = forms.ChoiceField(label="Durée", choices=DURATION_CHOICES, widget=ToggleRadio)
    duree_autre = forms.IntegerField(
        label="Autre durée (en minutes)",
        required=False,
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Saisissez un nombre de minutes.",
            "min_value": "La durée doit être d'au moins 1 minute.",
            "max_value": "La durée ne peut pas dépasser 24 heures (1440 minutes).",
        },
    )
    thematiques = forms.MultipleChoiceField(
        label="Thématiques",
        choices=Thematique.choices,
        widget=ToggleMultiple,
        error_messages={"required": "Choisissez au moins une thématique."},
    )
    thematiques_demarche = forms.MultipleChoiceField(
        label="Démarches administratives",
        choices=ThematiqueDemarche.choices,
        widget=ToggleMultiple,
        required=False,
    )
    nom_demarche = forms.CharField(label="Nom de la démarche", max_length=200, required=False)
    materiel = forms.MultipleChoiceField(
        label="Matériel numérique utilisé",
        choices=Materiel.choices,
        widget=ToggleMultiple,
        required=False,
    )
    autonomie = forms.ChoiceField(
        label="Niveau d’autonomie",
        choices=Autonomie.choices,
        widget=ToggleRadio,
        required=False,
    )
    titre_atelier = forms.CharField(label="Nom de l’atelier", max_length=200, required=False)
    niveau_atelier = forms.ChoiceField(
        label="Niveau de l’atelier",
        choices=NiveauAtelier.choices,
        widget=ToggleRadio,
        required=False,
    )
    redirige = forms.ChoiceField(label="Bénéficiaire réorienté", choices=YES_NO, widget=ToggleRadio)
    structure_redirection = forms.ChoiceField(
        label="Structure de redirection",
        choices=_blank("— Choisir —", StructureRedirection.choices),
        required=False,
    )
    satisfaction = forms.ChoiceField(
        label="Satisfaction", choices=Satisfaction.choices, widget=ToggleRadio, required=False
    )
    source_connaissance = forms.ChoiceField(
        label="Comment avez-vous connu ce service ?",
        choices=_blank("— Non renseigné —", SourceConnaissance.choices),
        required=False,
    )
    premiere_visite = forms.ChoiceField(
        label="Première visite", choices=FIRST_VISIT, widget=ToggleRadio, required=False
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tags = forms.CharField(
        label="Tags", required=False, max_length=600, help_text="Séparés par des virgules."
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # The booking this report answers (from the agenda's one click); linked once saved.
    rendez_vous = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    # The person helped (individual report).
    usager_mode = forms.ChoiceField(label="Usager", choices=UsagerMode.choices, widget=ToggleRadio)
    usager = forms.ModelChoiceField(
        label="Usager déjà accompagné",
        queryset=Usager.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Cet usager n'est pas dans vos usagers."},
    )
    usager_q = forms.CharField(label="Rechercher un usager", required=False)
    genre = forms.ChoiceField(
        label="Genre", choices=Genre.choices, widget=ToggleRadio, required=False
    )
    tranche_age = forms.ChoiceField(
        label="Tranche d'âge",
        choices=_blank("— Non renseignée —", TrancheAge.choices),
        required=False,
    )
    statut_social = forms.ChoiceField(
        label="Statut", choices=_blank("— Non renseigné —", StatutSocial.choices), required=False
    )
    quartier = forms.ModelChoiceField(
        label="Quartier de résidence",
        queryset=Quartier.objects.all(),
        required=False,
        empty_label="— Non renseigné —",
    )
    new_first_name = forms.CharField(label="Prénom", max_length=100, required=False)
    new_last_name = forms.CharField(label="Nom", max_length=100, required=False)
    new_phone = PhoneField(autocomplete="off")
    new_email = forms.EmailField(
        label="E-mail",
        required=False,
        error_messages={"invalid": "Saisissez une adresse e-mail valide (ex. nom@exemple.fr)."},
    )
    new_birth_year = forms.IntegerField(
        label="Année de naissance",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Saisissez une année sur 4 chiffres."},
    )
    consent = forms.BooleanField(
        label="La personne accepte que ses coordonnées soient enregistrées pour son suivi.",
        required=False,
    )

    # The participants of a collective report.
    participants = forms.ModelMultipleChoiceField(
        label="Participants identifiés",
        queryset=Usager.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Un participant choisi n'est pas dans vos usagers."},
    )
    participants_q = forms.CharField(label="Rechercher un participant", required=False)
    anonymes_total = forms.IntegerField(
        label="Participants anonymes",
        required=False,
        min_value=0,
        max_value=500,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Saisissez un nombre.", "min_value": "Le nombre est positif."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        people = Usager.objects.visible_for(user).identified()
        self.fields["usager"].queryset = people
        self.fields["participants"].queryset = people
        self.fields["lieu"].queryset = Lieu.objects.active().order_by("nom")
        for _dimension, prefix, _label, choices in COUNT_GROUPS:
            for code, label in choices:
                self.fields[f"{prefix}_{code}"] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=500,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "class": "form-control"}
                    ),
                    error_messages={
                        "invalid": "Saisissez un nombre.",
                        "min_value": "Nombre positif.",
                    },
                )

    # Groups of fields, for the template.
    def count_groups(self):
        """(legend, fields, errors of the group, id) for the anonymous participants' counts."""
        groups = []
        for _dim, prefix, label, choices in COUNT_GROUPS:
            fields = [self[f"{prefix}_{code}"] for code, _ in choices]
            errors = [e for f in fields for e in f.errors]
            groups.append((label, fields, errors, f"group_{prefix}"))
        return groups

    def _value(self, name):
        if self.is_bound:
            field = self.fields[name]
            if isinstance(field, forms.ModelMultipleChoiceField):
                return self.data.getlist(name) if hasattr(self.data, "getlist") else []
            return self.data.get(name)
        return self.initial.get(name)

    def chosen_usager(self):
        value = self._value("usager")
        if not value:
            return None
        return self.fields["usager"].queryset.filter(pk=_int(value)).first()

    def chosen_participants(self):
        values = [_int(v) for v in (self._value("participants") or [])]
        values = [v for v in values if v]
        if not values:
            return []
        return list(self.fields["participants"].queryset.filter(pk__in=values))

    def lieu_choice_is_permanence(self):
        return bool(self.initial.get("lieu"))

    def clean_tags(self):
        raw = self.cleaned_data.get("tags") or ""
        tags = [t.strip() for t in raw.split(",") if t.strip()]
        if any(len(t) > 60 for t in tags):
            raise forms.ValidationError("Un tag ne peut pas dépasser 60 caractères.")
        return list(dict.fromkeys(tags))

    def clean_new_birth_year(self):
        year = self.cleaned_data.get("new_birth_year")
        this_year = timezone.localdate().year
        if year is not None and not (1900 <= year <= this_year):
            raise forms.ValidationError(f"Saisissez une année entre 1900 et {this_year}.")
        return year

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if date.year < 2000:
            raise forms.ValidationError("Vérifiez l'année de la date.")
        return date

    def clean(self):
        data = super().clean()
        if data.get("duree") == OTHER_DURATION:
            if not data.get("duree_autre") and "duree_autre" not in self.errors:
                self.add_error("duree_autre", "Indiquez la durée en minutes.")
        if data.get("type_lieu") == TypeLieu.LIEU_ACTIVITE and not data.get("lieu"):
            self.add_error("lieu", "Choisissez le lieu de l'accompagnement.")
        demarches = data.get("thematiques_demarche") or []
        themes = data.get("thematiques") or []
        if demarches and themes and Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES not in themes:
            themes.append(Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES.value)
        if data.get("type_activite") == TypeActivite.COLLECTIF:
            self._clean_collective(data)
        else:
            self._clean_individual(data)
        return data

    def _clean_individual(self, data):
        mode = data.get("usager_mode")
        if mode == UsagerMode.EXISTANT and not data.get("usager") and "usager" not in self.errors:
            self.add_error("usager", "Choisissez l'usager dans la liste, ou passez en anonyme.")
        if mode == UsagerMode.NOUVEAU:
            if not (data.get("new_first_name") or data.get("new_last_name")):
                self.add_error("new_last_name", "Indiquez au moins le nom ou le prénom.")
            if not data.get("consent"):
                self.add_error(
                    "consent",
                    "Sans le consentement de la personne, enregistrez-la en anonyme.",
                )

    def _clean_collective(self, data):
        total = data.get("anonymes_total") or 0
        if total == 0 and not data.get("participants") and "anonymes_total" not in self.errors:
            self.add_error(
                "anonymes_total",
                "Indiquez le nombre de participants anonymes ou choisissez des participants.",
            )
        for _dim, prefix, label, choices in COUNT_GROUPS:
            counted = sum(data.get(f"{prefix}_{code}") or 0 for code, _ in choices)
            if counted > total:
                self.add_error(
                    f"{prefix}_{choices[0][0]}",
                    f"{label} : {counted} participants comptés pour {total} participant"
                    f"{'s' if total > 1 else ''} anonyme{'s' if total > 1 else ''}.",
                )

    def minutes(self) -> int:
        data = self.cleaned_data
        if data["duree"] == OTHER_DURATION:
            return data["duree_autre"]
        return int(data["duree"])

    def service_data(self) -> LogData:
        data = self.cleaned_data
        collective = data["type_activite"] == TypeActivite.COLLECTIF
        redirige = data["redirige"] == OuiNon.OUI
        activity = {
            "date": data["date"],
            "type_activite": data["type_activite"],
            "type_lieu": data["type_lieu"],
            # The lieu is for reports at a place of activity (hidden otherwise, but still sent).
            "lieu": data.get("lieu") if data["type_lieu"] == TypeLieu.LIEU_ACTIVITE else None,
            "duree_minutes": self.minutes(),
            "thematiques": list(data["thematiques"]),
            "materiel": list(data.get("materiel") or []),
            "autonomie": "" if collective else data.get("autonomie") or "",
            "titre_atelier": data.get("titre_atelier", "") if collective else "",
            "niveau_atelier": data.get("niveau_atelier", "") if collective else "",
            "redirige": redirige,
            "structure_redirection": data.get("structure_redirection", "") if redirige else "",
            "satisfaction": data.get("satisfaction") or "",
            "source_connaissance": data.get("source_connaissance") or "",
            "premiere_visite": OuiNon.to_bool(data.get("premiere_visite")),
            "notes": data.get("notes", ""),
            "tags": data.get("tags") or [],
        }
        with_demarche = Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES in activity["thematiques"]
        activity["thematiques_demarche"] = (
            list(data.get("thematiques_demarche") or []) if with_demarche else []
        )
        activity["nom_demarche"] = data.get("nom_demarche", "") if with_demarche else ""
        result = LogData(activity=activity)
        if collective:
            result.participants = list(data.get("participants") or [])
            result.anonymous = {"total": data.get("anonymes_total") or 0}
            for dimension, prefix, _label, choices in COUNT_GROUPS:
                result.anonymous[dimension] = {
                    code: data.get(f"{prefix}_{code}") or 0 for code, _ in choices
                }
            return result
        mode = data.get("usager_mode")
        result.profile = {
            "genre": data.get("genre") or "",
            "tranche_age": data.get("tranche_age") or "",
            "statut_social": data.get("statut_social") or "",
            "quartier": data.get("quartier"),
        }
        if mode == UsagerMode.EXISTANT:
            result.usager = data["usager"]
        elif mode == UsagerMode.NOUVEAU:
            result.new_usager = {
                "first_name": data.get("new_first_name", "").strip(),
                "last_name": data.get("new_last_name", "").strip(),
                "phone": data.get("new_phone", "").strip(),
                "email": data.get("new_email", "").strip(),
                "birth_year": data.get("new_birth_year"),
            }
            if result.new_usager["birth_year"]:
                result.profile["tranche_age"] = ""
        return result


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def new_token() -> uuid.UUID:
    return uuid.uuid4()
