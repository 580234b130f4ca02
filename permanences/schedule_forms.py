"""Forms of the drop-in schedule: permanences, one-off slots, closures, moves, filters (the public
booking form is the public booking page's: public_forms.BookingForm)."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from poitiers_inclusion.concurrency import VersionedFormMixin
from poitiers_inclusion.enums import Role
from poitiers_inclusion.forms import Form, ModelForm
from poitiers_inclusion.models import User
from poitiers_inclusion.widgets import (
    PERSON_FIELDS,
    LargeModelChoiceField,
    LargeModelChoiceFilter,
    LargeModelMultipleChoiceField,
    person_label,
)
from reseau.communes import commune_choice
from reseau.models import Lieu, Quartier

from .booking import SHORTEST_APPOINTMENT
from .enums import ModePermanence, permanence_label
from .models import Fermeture, Permanence

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


def _permanence_row_label(lieu, weekday, start, end) -> str:
    return permanence_label(lieu, weekday, f"{start:%H:%M}–{end:%H:%M}")


class PermanenceChoiceField(LargeModelChoiceField):
    """A choice among thousands of permanences, each read as its lieu, day and hours."""

    def __init__(self, *args, **kwargs):
        fields = ("lieu__nom", "weekday", "start_time", "end_time")
        super().__init__(*args, label_fields=fields, row_label=_permanence_row_label, **kwargs)

    def label_from_instance(self, obj) -> str:
        return str(obj)


def _with_permanences(queryset, path: str):
    """The lieux or quartiers (`path` to the lieu) that have a permanence."""
    return queryset.filter(Exists(Permanence.objects.filter(**{path: OuterRef("pk")})))


class _SlotFormMixin:
    """Shared checks of recurring and one-off slots: hours, booking mode and capacity."""

    def _setup_common(self):
        self.fields["lieu"].queryset = Lieu.objects.active().order_by("nom", "pk")
        self.fields["conseillers"] = LargeModelMultipleChoiceField(
            label="Conseillers",
            queryset=User.objects.filter(role=Role.CONSEILLER, is_active=True).order_by(
                "last_name", "first_name", "pk"
            ),
            required=False,
            initial=self.initial.get("conseillers"),
            label_fields=PERSON_FIELDS,
            row_label=person_label,
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
        field_classes = {"lieu": LargeModelChoiceField}
        help_texts = {"valid_until": "Laissez vide si la permanence continue."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_common()
        if self.instance.pk:
            self.fields["conseillers"].initial = list(self.instance.conseillers.all())
            # An archived place stays selectable for the slots it already has.
            self.fields["lieu"].queryset = Lieu.objects.filter(
                Q(archived_at__isnull=True) | Q(pk=self.instance.lieu_id)
            ).order_by("nom", "pk")

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
        field_classes = {"lieu": LargeModelChoiceField}

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
        field_classes = {"lieu": LargeModelChoiceField, "permanence": PermanenceChoiceField}
        help_texts = {
            "lieu": "Toutes les permanences du lieu sont fermées.",
            "permanence": "Ou bien une seule permanence (laissez alors le lieu vide).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lieu"].queryset = Lieu.objects.active().order_by("nom", "pk")
        year_ago = timezone.localdate() - datetime.timedelta(days=366)
        current = Q(valid_until__isnull=True) | Q(valid_until__gte=year_ago)
        if self.instance.permanence_id:
            current |= Q(pk=self.instance.permanence_id)
        self.fields["permanence"].queryset = Permanence.objects.filter(current)

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


class PublicScheduleFilter(StyledForm):
    """What a resident narrows the public pages to, kept in the URL: a commune when the open lieux
    are in several (reseau.communes: always one past a city's size, the city's by default), then
    one of its quartiers. A commune not offered reads as the default one."""

    commune = forms.ChoiceField(label="Commune", required=False)
    quartier = forms.ModelChoiceField(
        label="Quartier",
        queryset=Quartier.objects.none(),
        required=False,
        empty_label="Tous les quartiers",
    )

    def __init__(self, data=None, *, with_quartier=True):
        data = data.copy() if data is not None else {}
        place = commune_choice(data.get("commune"))
        data["commune"] = place.chosen or ""
        super().__init__(data)
        self.chosen_commune = place.chosen
        self.offers_commune = place.offered
        self.fields["commune"].choices = place.choices
        if not with_quartier:
            del self.fields["quartier"]
            return
        desks = Permanence.objects.filter(lieu__quartier=OuterRef("pk"), lieu__archived_at=None)
        if self.chosen_commune:
            desks = desks.filter(lieu__commune=self.chosen_commune)
        self.fields["quartier"].queryset = Quartier.objects.filter(Exists(desks)).order_by("nom")

    @property
    def chosen_quartier(self):
        """The quartier chosen, if any (one of another commune is none)."""
        self.is_valid()
        return self.cleaned_data.get("quartier")


class ScheduleFilter(django_filters.FilterSet):
    """The coordinator's list of recurring slots."""

    STATES = [
        ("en_cours", "En cours"),
        ("a_venir", "À venir"),
        ("terminees", "Terminées"),
        ("toutes", "Toutes"),
    ]

    lieu = LargeModelChoiceFilter(
        label="Lieu", queryset=Lieu.objects.order_by("nom", "pk"), empty_label="Tous les lieux"
    )
    quartier = LargeModelChoiceFilter(
        label="Quartier",
        field_name="lieu__quartier",
        queryset=Quartier.objects.order_by("nom", "pk"),
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
    quartier = LargeModelChoiceField(
        label="Quartier",
        queryset=_with_permanences(Quartier.objects.order_by("nom"), "lieu__quartier"),
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
    ba_lieu = LargeModelChoiceField(
        label="Lieu",
        queryset=_with_permanences(Lieu.objects.order_by("nom"), "lieu"),
        required=False,
        empty_label="Tous les lieux",
    )
    ba_quartier = LargeModelChoiceField(
        label="ou quartier",
        queryset=_with_permanences(Quartier.objects.order_by("nom"), "lieu__quartier"),
        required=False,
        empty_label="Tous les quartiers",
    )


class CompareForm(StyledForm):
    first = PermanenceChoiceField(
        label="Première permanence",
        queryset=Permanence.objects.select_related("lieu").order_by("lieu__nom", "valid_from"),
        empty_label="Choisir une permanence",
    )
    second = PermanenceChoiceField(
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

    lieu = LargeModelChoiceField(
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
            Lieu.objects.active().exclude(pk=permanence.lieu_id).order_by("nom", "pk")
        )
