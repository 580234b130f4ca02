"""Forms of the team's workshop pages: sessions, registering a person, the catalogue."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion.concurrency import VersionedFormMixin
from poitiers_inclusion.enums import Role
from poitiers_inclusion.fields import PhoneField
from poitiers_inclusion.forms import Form, ModelForm
from poitiers_inclusion.models import Usager, User
from poitiers_inclusion.widgets import (
    PERSON_FIELDS,
    LargeModelChoiceField,
    LargeSelectMultiple,
    RowChoiceIterator,
    person_label,
)
from reseau.models import Lieu

from .enums import Niveau, Presence
from .models import Module, Parcours, Seance
from .services import places_taken

# Past this many conseillers, "Animé par" is a list to pick from rather than a wall of checkboxes
# (a national programme counts thousands of them).
FACILITATOR_CHECKBOXES_UP_TO = 40


class ConseillerChoiceField(forms.ModelMultipleChoiceField):
    """The facilitators, read as (key, name) rows: as many as LargeModelChoiceField reads."""

    iterator = RowChoiceIterator
    label_fields = PERSON_FIELDS

    def label_from_row(self, *values) -> str:
        return person_label(*values)

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class ModuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parcours = f" — {obj.parcours}" if obj.parcours_id else ""
        return f"{obj.titre} ({obj.get_niveau_display()}){parcours}"


def _lieu_label(nom, commune) -> str:
    return f"{nom} ({commune})" if commune else nom


class SeanceForm(VersionedFormMixin, ModelForm):
    """A session. The capacity of an existing one is changed by `services.change_capacity`
    (the view does it), so that new places go to the waiting list first."""

    class Meta:
        model = Seance
        fields = [
            "module",
            "lieu",
            "date",
            "start_time",
            "end_time",
            "capacite",
            "animateurs",
            "inscription_en_ligne",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"capacite": "Nombre de places"}
        help_texts = {
            "notes": "Pour l'équipe : matériel à prévoir, salle… (non publié).",
        }
        error_messages = {
            "module": {"required": "Choisissez le module de la séance."},
            "lieu": {"required": "Choisissez le lieu de la séance."},
            "date": {
                "required": "Indiquez la date de la séance.",
                "invalid": "Saisissez une date valide (jj/mm/aaaa).",
            },
            "start_time": {
                "required": "Indiquez l'heure de début.",
                "invalid": "Saisissez une heure valide (hh:mm).",
            },
            "end_time": {"invalid": "Saisissez une heure valide (hh:mm)."},
            "capacite": {
                "required": "Indiquez le nombre de places.",
                "invalid": "Indiquez un nombre de places en chiffres.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        modules = Module.objects.filter(actif=True)
        lieux = Lieu.objects.active()
        conseillers = User.objects.filter(role=Role.CONSEILLER, is_active=True)
        if instance.pk:
            # What the session already has stays choosable, even if since retired.
            modules = Module.objects.filter(Q(actif=True) | Q(pk=instance.module_id))
            lieux = Lieu.objects.filter(Q(archived_at__isnull=True) | Q(pk=instance.lieu_id))
            conseillers = User.objects.filter(
                Q(role=Role.CONSEILLER, is_active=True) | Q(pk__in=instance.animateurs.values("pk"))
            )
        self.fields["module"] = ModuleChoiceField(
            label="Module",
            queryset=modules.select_related("parcours"),
            empty_label="Choisir un module",
            error_messages={"required": "Choisissez le module de la séance."},
        )
        self.fields["lieu"] = LargeModelChoiceField(
            label="Lieu",
            queryset=lieux.order_by("nom"),
            empty_label="Choisir un lieu",
            error_messages={"required": "Choisissez le lieu de la séance."},
            label_fields=("nom", "commune"),
            row_label=_lieu_label,
        )
        conseillers = conseillers.order_by("last_name", "first_name")
        many = conseillers.count() > FACILITATOR_CHECKBOXES_UP_TO
        self.fields["animateurs"] = ConseillerChoiceField(
            label="Animé par",
            queryset=conseillers,
            widget=LargeSelectMultiple(attrs={"size": 8}) if many else forms.CheckboxSelectMultiple,
            required=False,
            help_text=(
                "Les conseillers choisis notent les présences et gèrent les inscrits. "
                "Ctrl + clic (Cmd + clic sur Mac) pour en choisir plusieurs."
                if many
                else "Les conseillers cochés notent les présences et gèrent les inscrits."
            ),
        )
        self.fields["end_time"].required = False
        self.fields[
            "end_time"
        ].help_text = "Laissez vide : la fin est calculée d'après la durée du module."
        self.fields["capacite"].min_value = 1
        self.fields["capacite"].widget.attrs.update({"min": 1, "inputmode": "numeric"})

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not self.instance.pk and day < timezone.localdate():
            raise forms.ValidationError("Choisissez aujourd'hui ou une date à venir.")
        return day

    def clean_capacite(self):
        capacite = self.cleaned_data["capacite"]
        if capacite is not None and capacite < 1:
            raise forms.ValidationError("Une séance compte au moins une place.")
        if self.instance.pk and capacite is not None:
            taken = places_taken(self.instance)
            if capacite < taken:
                raise forms.ValidationError(
                    f"{taken} personnes sont déjà inscrites : gardez au moins {taken} places, "
                    "ou annulez d'abord des inscriptions."
                )
        return capacite

    def clean(self):
        data = super().clean()
        start, end, module = data.get("start_time"), data.get("end_time"), data.get("module")
        if start and not end and "end_time" not in self.errors:
            if module:
                moment = datetime.datetime.combine(datetime.date.min, start)
                end = (moment + datetime.timedelta(minutes=module.duree_minutes)).time()
                if end <= start:  # the module would run past midnight
                    end = None
            if end is None:
                self.add_error("end_time", "Indiquez l'heure de fin.")
            else:
                data["end_time"] = end
        if start and end and end <= start:
            self.add_error("end_time", "L'heure de fin doit être après l'heure de début.")
        return data


class SeanceCancelForm(Form):
    motif = forms.CharField(
        label="Motif de l'annulation",
        max_length=200,
        help_text="Il figure dans l'e-mail envoyé aux personnes inscrites.",
        error_messages={
            "required": "Indiquez le motif : les personnes inscrites le reçoivent.",
            "max_length": "200 caractères au plus (vous en avez saisi %(show_value)d).",
        },
    )


class PersonForm(Form):
    """Whom to register (or note as come without registering): a person the user already
    follows, found by search, or a new person who consents to be recorded."""

    EXISTING, NEW = "existant", "nouveau"

    qui = forms.ChoiceField(choices=[(EXISTING, EXISTING), (NEW, NEW)], widget=forms.HiddenInput)
    q = forms.CharField(label="Nom, prénom ou téléphone", required=False, max_length=100)
    usager = forms.ModelChoiceField(
        label="Personne",
        queryset=Usager.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": "Cette personne n'est plus dans vos résultats : cherchez-la "
            "à nouveau."
        },
    )
    first_name = forms.CharField(label="Prénom", max_length=100, required=False)
    last_name = forms.CharField(label="Nom", max_length=100, required=False)
    phone = PhoneField(autocomplete="off")
    email = forms.EmailField(
        label="E-mail",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": "Cette adresse e-mail n'est pas valide (ex. : nom@exemple.fr)."},
    )
    consent = forms.BooleanField(
        label="La personne accepte que ses coordonnées soient enregistrées pour l'atelier",
        required=False,
    )

    def __init__(self, *args, user, contact_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_required = contact_required
        self.fields["usager"].queryset = Usager.objects.visible_for(user).identified()
        if contact_required:
            self.fields["phone"].help_text = (
                "Un téléphone ou un e-mail, au moins l'un des deux : pour prévenir la personne "
                "si la séance change."
            )
        else:
            self.fields["phone"].help_text = "Facultatif : pour la prévenir des prochaines séances."

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("qui") == self.EXISTING:
            if not data.get("usager") and "usager" not in self.errors:
                self.add_error("usager", "Cochez la personne dans les résultats de la recherche.")
            return data
        data["usager"] = None
        if not data.get("first_name"):
            self.add_error("first_name", "Indiquez le prénom de la personne.")
        if not data.get("last_name"):
            self.add_error("last_name", "Indiquez le nom de la personne.")
        if (
            self.contact_required
            and not data.get("phone")
            and not data.get("email")
            and "phone" not in self.errors
            and "email" not in self.errors
        ):
            self.add_error(
                "phone", "Indiquez un téléphone ou un e-mail pour pouvoir prévenir la personne."
            )
        if not data.get("consent"):
            self.add_error(
                "consent",
                "Cochez cette case après avoir demandé son accord à la personne : sans son "
                "accord, ses coordonnées ne sont pas enregistrées.",
            )
        return data


class PresenceForm(Form):
    presence = forms.ChoiceField(
        choices=[("", "Non notée"), *Presence.choices],
        required=False,
        error_messages={"invalid_choice": "Présence inconnue."},
    )


class ParcoursForm(ModelForm):
    class Meta:
        model = Parcours
        fields = ["nom", "description", "ordre", "actif"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "actif": "Décochez pour retirer le parcours du programme sans perdre son historique.",
            "ordre": "Les parcours sont affichés du plus petit numéro au plus grand.",
        }
        error_messages = {
            "nom": {
                "required": "Donnez un nom au parcours.",
                "unique": "Un parcours porte déjà ce nom : choisissez-en un autre.",
            },
            "ordre": {"invalid": "Indiquez un nombre entier."},
        }


class ModuleForm(ModelForm):
    class Meta:
        model = Module
        fields = [
            "parcours",
            "titre",
            "description",
            "niveau",
            "competences_pix",
            "duree_minutes",
            "ordre",
            "actif",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "description": "Publiée dans le programme : ce que la personne saura faire.",
            "actif": "Décochez pour ne plus programmer ce module (ses séances passées restent).",
        }
        error_messages = {
            "titre": {"required": "Donnez un titre au module."},
            "niveau": {"required": "Choisissez le niveau du module."},
            "duree_minutes": {
                "required": "Indiquez la durée en minutes.",
                "invalid": "Indiquez la durée en minutes, en chiffres.",
            },
            "ordre": {"invalid": "Indiquez un nombre entier."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcours"].empty_label = "Hors parcours"
        self.fields["parcours"].required = False
        self.fields["niveau"].widget = forms.RadioSelect()
        self.fields["niveau"].choices = Niveau.choices
        self.fields["competences_pix"].error_messages["invalid_choice"] = (
            "Cette compétence n'existe pas dans le référentiel PIX."
        )
        self.fields["duree_minutes"].min_value = 15
        self.fields["duree_minutes"].widget.attrs.update({"min": 15, "step": 15})

    def clean_duree_minutes(self):
        minutes = self.cleaned_data["duree_minutes"]
        if minutes is not None and minutes < 15:
            raise forms.ValidationError("Un module dure au moins 15 minutes.")
        return minutes
