"""Forms of the drop-in schedule: permanences, one-off slots, closures, public booking, filters."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion.concurrency import VersionedFormMixin
from poitiers_inclusion.enums import Role
from poitiers_inclusion.fields import PhoneField
from poitiers_inclusion.forms import Form, ModelForm
from poitiers_inclusion.models import User
from poitiers_inclusion.public_forms import HoneypotMixin
from reseau.models import Lieu, Quartier

from .booking import SHORTEST_APPOINTMENT
from .enums import ModePermanence
from .models import BesoinRendezVous, Fermeture, Permanence

DATE_INPUT = {"type": "date"}
TIME_INPUT = {"type": "time", "step": 300}


def style_fields(form):
    """Bootstrap classes for forms rendered field by field (filters), not through crispy."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


class StyledForm(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


def _date_widget():
    return forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")


def _time_widget():
    return forms.TimeInput(attrs=TIME_INPUT, format="%H:%M")


class ConseillerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class _SlotFormMixin:
    """Shared checks of recurring and one-off slots: hours, booking mode and capacity."""

    def _setup_common(self):
        self.fields["lieu"].queryset = Lieu.objects.active().select_related("quartier")
        self.fields["conseillers"] = ConseillerChoiceField(
            label="Conseillers",
            queryset=User.objects.filter(role=Role.CONSEILLER, is_active=True).order_by(
                "last_name", "first_name"
            ),
            widget=forms.CheckboxSelectMultiple,
            required=False,
            initial=self.initial.get("conseillers"),
        )
        self.fields["mode"].widget = forms.RadioSelect(choices=ModePermanence.choices)
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1

    def _clean_common(self, data):
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "L'heure de fin doit être après l'heure de début.")
        if data.get("mode") == ModePermanence.SUR_RDV:
            if not data.get("capacity"):
                self.add_error(
                    "capacity",
                    "Indiquez le nombre de rendez-vous possibles : la permanence est sur "
                    "rendez-vous.",
                )
            elif start and end and end > start:
                minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
                most = minutes // SHORTEST_APPOINTMENT
                if data["capacity"] > most:
                    self.add_error(
                        "capacity",
                        f"Un créneau de {minutes} minutes tient au plus {most} rendez-vous "
                        f"({SHORTEST_APPOINTMENT} minutes chacun) : réduisez le nombre de "
                        "rendez-vous ou allongez le créneau.",
                    )
        else:
            data["capacity"] = None
        return data


class PermanenceForm(VersionedFormMixin, _SlotFormMixin, ModelForm):
    class Meta:
        model = Permanence
        fields = [
            "lieu",
            "weekday",
            "start_time",
            "end_time",
            "conseillers",
            "valid_from",
            "valid_until",
            "mode",
            "capacity",
        ]
        widgets = {
            "start_time": _time_widget(),
            "end_time": _time_widget(),
            "valid_from": _date_widget(),
            "valid_until": _date_widget(),
        }
        help_texts = {"valid_until": "Laissez vide si la permanence continue."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_common()
        if self.instance.pk:
            self.fields["conseillers"].initial = list(self.instance.conseillers.all())
            # An archived place stays selectable for the slots it already has.
            self.fields["lieu"].queryset = Lieu.objects.filter(
                Q(archived_at__isnull=True) | Q(pk=self.instance.lieu_id)
            )

    def clean(self):
        data = self._clean_common(super().clean())
        since, until = data.get("valid_from"), data.get("valid_until")
        if since and until and until < since:
            self.add_error(
                "valid_until", "La date de fin doit être le même jour que le début ou après."
            )
        self._check_overlap(data)
        return data

    def _check_overlap(self, data):
        lieu, weekday = data.get("lieu"), data.get("weekday")
        start, end, since = data.get("start_time"), data.get("end_time"), data.get("valid_from")
        if None in (lieu, weekday, start, end, since) or self.errors:
            return
        until = data.get("valid_until")
        others = Permanence.objects.filter(
            lieu=lieu, weekday=weekday, start_time__lt=end, end_time__gt=start
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=since))
        if until:
            others = others.filter(valid_from__lte=until)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        other = others.first()
        if other:
            self.add_error(
                "start_time",
                f"Ce lieu a déjà une permanence à ces heures ce jour-là : {other}. "
                "Modifiez-la plutôt que d'en créer une seconde.",
            )


class ExtraSlotForm(VersionedFormMixin, _SlotFormMixin, ModelForm):
    """A one-off extra slot: a date and hours at a lieu (stored as a one-day Permanence)."""

    date = forms.DateField(label="Date", widget=_date_widget())

    class Meta:
        model = Permanence
        fields = ["lieu", "date", "start_time", "end_time", "conseillers", "mode", "capacity"]
        widgets = {"start_time": _time_widget(), "end_time": _time_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_common()
        if self.instance.pk:
            self.fields["date"].initial = self.instance.valid_from
            self.fields["conseillers"].initial = list(self.instance.conseillers.all())

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not self.instance.pk and day < timezone.localdate():
            raise forms.ValidationError("Choisissez aujourd'hui ou une date à venir.")
        return day

    def clean(self):
        return self._clean_common(super().clean())

    def save(self, commit=True):
        slot = super().save(commit=False)
        day = self.cleaned_data["date"]
        slot.is_one_off = True
        slot.weekday = day.weekday()
        slot.valid_from = slot.valid_until = day
        if commit:
            slot.save()
            self.save_m2m()
        return slot


class EndPermanenceForm(Form):
    last_day = forms.DateField(
        label="Dernier jour de la permanence",
        widget=_date_widget(),
        help_text="La permanence n'apparaîtra plus sur la page publique après cette date.",
    )

    def __init__(self, *args, permanence, **kwargs):
        super().__init__(*args, **kwargs)
        self.permanence = permanence

    def clean_last_day(self):
        day = self.cleaned_data["last_day"]
        if day < self.permanence.valid_from:
            raise forms.ValidationError(
                f"La permanence a commencé le {self.permanence.valid_from:%d/%m/%Y} : "
                "choisissez ce jour ou un jour suivant."
            )
        return day


class FermetureForm(ModelForm):
    class Meta:
        model = Fermeture
        fields = ["lieu", "permanence", "start_date", "end_date", "message"]
        widgets = {"start_date": _date_widget(), "end_date": _date_widget()}
        help_texts = {
            "lieu": "Toutes les permanences du lieu sont fermées.",
            "permanence": "Ou bien une seule permanence (laissez alors le lieu vide).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lieu"].queryset = Lieu.objects.active()
        today = timezone.localdate()
        current = Permanence.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today - datetime.timedelta(days=366))
        )
        if self.instance.permanence_id:
            current = current | Permanence.objects.filter(pk=self.instance.permanence_id)
        self.fields["permanence"].queryset = current.select_related("lieu").distinct()

    def clean(self):
        data = super().clean()
        lieu, permanence = data.get("lieu"), data.get("permanence")
        if bool(lieu) == bool(permanence) and "lieu" not in self.errors:
            self.add_error("lieu", "Choisissez soit un lieu entier, soit une seule permanence.")
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date", "La date de fin doit être le même jour que le début ou après."
            )
        return data


class BookingForm(HoneypotMixin, Form):
    """A resident books a time on a bookable slot: the least personal data needed."""

    heure = forms.TypedChoiceField(
        label="Horaire",
        widget=forms.RadioSelect,
        coerce=lambda value: datetime.time.fromisoformat(value),
        error_messages={
            "required": "Choisissez un horaire.",
            "invalid_choice": "Cet horaire n'est plus libre : choisissez-en un autre.",
        },
    )
    nom = forms.CharField(
        label="Votre nom",
        max_length=100,
        help_text="Nom ou prénom : pour vous accueillir.",
        error_messages={"required": "Indiquez votre nom pour que nous puissions vous accueillir."},
    )
    telephone = PhoneField(help_text="Un téléphone ou un e-mail, au moins l'un des deux.")
    email = forms.EmailField(
        label="E-mail",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Pour recevoir la confirmation et un rappel.",
        error_messages={"invalid": "Cette adresse e-mail n'est pas valide (ex. : nom@exemple.fr)."},
    )
    besoin = forms.ChoiceField(
        label="Pour quoi avez-vous besoin d'aide ?",
        choices=BesoinRendezVous.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Dites-nous pour quoi vous avez besoin d'aide."},
    )
    precision = forms.CharField(
        label="Précision (facultatif)",
        max_length=200,
        required=False,
        help_text="N'écrivez ni mot de passe, ni numéro de dossier.",
    )
    consent = forms.BooleanField(
        label="J'accepte d'être contacté(e) au sujet de ce rendez-vous. Mes coordonnées sont "
        "effacées 30 jours après.",
        error_messages={"required": "Cochez cette case pour que nous puissions vous contacter."},
    )

    def __init__(self, *args, times=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_times(times)

    def set_times(self, times):
        self.fields["heure"].choices = [(t.strftime("%H:%M"), t.strftime("%Hh%M")) for t in times]

    def clean_nom(self):
        return " ".join(self.cleaned_data["nom"].split())

    def clean(self):
        data = super().clean()
        if (
            not data.get("telephone")
            and not data.get("email")
            and "telephone" not in self.errors
            and "email" not in self.errors
        ):
            self.add_error(
                "telephone",
                "Indiquez un téléphone ou un e-mail pour que nous puissions vous joindre.",
            )
        return data


class PublicScheduleFilter(StyledForm):
    quartier = forms.ModelChoiceField(
        label="Quartier",
        queryset=Quartier.objects.filter(lieux__permanences__isnull=False, lieux__archived_at=None)
        .distinct()
        .order_by("nom"),
        required=False,
        empty_label="Tous les quartiers",
    )


class ScheduleFilter(django_filters.FilterSet):
    """The coordinator's list of recurring slots."""

    STATES = [
        ("en_cours", "En cours"),
        ("a_venir", "À venir"),
        ("terminees", "Terminées"),
        ("toutes", "Toutes"),
    ]

    lieu = django_filters.ModelChoiceFilter(
        label="Lieu", queryset=Lieu.objects.all(), empty_label="Tous les lieux"
    )
    quartier = django_filters.ModelChoiceFilter(
        label="Quartier",
        field_name="lieu__quartier",
        queryset=Quartier.objects.all(),
        empty_label="Tous les quartiers",
    )
    etat = django_filters.ChoiceFilter(
        label="État", choices=STATES, method="filter_state", empty_label=None
    )

    class Meta:
        model = Permanence
        fields = ["lieu", "quartier", "etat"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("etat", "en_cours")
        super().__init__(data, *args, **kwargs)
        style_fields(self.form)

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "en_cours":
            return queryset.active_on(today)
        if value == "a_venir":
            return queryset.filter(valid_from__gt=today)
        if value == "terminees":
            return queryset.filter(valid_until__lt=today)
        return queryset


class AgendaForm(StyledForm):
    date = forms.DateField(label="Jour", required=False, widget=_date_widget())


class AttendanceForm(StyledForm):
    """The attendance page's filters: period, quartier, and one permanence's slots."""

    start = forms.DateField(label="Du", required=False, widget=_date_widget())
    end = forms.DateField(label="Au", required=False, widget=_date_widget())
    quartier = forms.ModelChoiceField(
        label="Quartier",
        queryset=Quartier.objects.filter(lieux__permanences__isnull=False)
        .distinct()
        .order_by("nom"),
        required=False,
        empty_label="Toute la ville",
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "La fin de la période doit suivre son début.")
        return data


MONTH_CHOICES = [(3, "3 mois"), (6, "6 mois"), (12, "12 mois")]


class BeforeAfterForm(StyledForm):
    """Before/after a move: the same lieu, quartier or whole city around a date."""

    pivot = forms.DateField(label="Date du changement", widget=_date_widget())
    months = forms.TypedChoiceField(
        label="Durée comparée", choices=MONTH_CHOICES, coerce=int, initial=6
    )
    ba_lieu = forms.ModelChoiceField(
        label="Lieu",
        queryset=Lieu.objects.filter(permanences__isnull=False).distinct().order_by("nom"),
        required=False,
        empty_label="Tous les lieux",
    )
    ba_quartier = forms.ModelChoiceField(
        label="ou quartier",
        queryset=Quartier.objects.filter(lieux__permanences__isnull=False)
        .distinct()
        .order_by("nom"),
        required=False,
        empty_label="Tous les quartiers",
    )


class CompareForm(StyledForm):
    first = forms.ModelChoiceField(
        label="Première permanence",
        queryset=Permanence.objects.select_related("lieu").order_by("lieu__nom", "valid_from"),
        empty_label="Choisir une permanence",
    )
    second = forms.ModelChoiceField(
        label="Seconde permanence",
        queryset=Permanence.objects.select_related("lieu").order_by("lieu__nom", "valid_from"),
        empty_label="Choisir une permanence",
    )

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            self.add_error("second", "Choisissez deux permanences différentes.")
        return data


class MovePermanenceForm(Form):
    """Where and from when a permanence moves (moves.move_permanence checks the rest)."""

    lieu = forms.ModelChoiceField(
        label="Nouveau lieu", queryset=Lieu.objects.none(), empty_label="Choisir un lieu"
    )
    day = forms.DateField(
        label="Premier jour au nouveau lieu",
        widget=_date_widget(),
        help_text="La permanence actuelle se termine la veille ; les rendez-vous pris à partir "
        "de ce jour suivent la permanence et les personnes sont prévenues.",
    )

    def __init__(self, *args, permanence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lieu"].queryset = (
            Lieu.objects.active().exclude(pk=permanence.lieu_id).select_related("quartier")
        )
