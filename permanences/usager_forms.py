"""Forms of the usager pages: the list's filter, the merge and anonymisation confirmations."""

import django_filters
from django import forms

from poitiers_inclusion.filters import StyledFilterSet
from poitiers_inclusion.forms import Form
from poitiers_inclusion.models import Usager

IDENTIFICATION_CHOICES = [
    ("identifies", "Usagers identifiés"),
    ("anonymes", "Usagers anonymes"),
    ("tous", "Tous"),
]


class UsagerFilter(StyledFilterSet):
    q = django_filters.CharFilter(
        label="Nom, téléphone, e-mail ou numéro de fiche", method="filter_q"
    )
    identification = django_filters.ChoiceFilter(
        label="Fiches",
        choices=IDENTIFICATION_CHOICES,
        method="filter_identification",
        empty_label=None,
    )

    class Meta:
        model = Usager
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("identification", "identifies")
        super().__init__(data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        return queryset.search(value, self.request.user) if value else queryset

    def filter_identification(self, queryset, name, value):
        if value == "identifies":
            return queryset.identified()
        if value == "anonymes":
            return queryset.exclude(pk__in=Usager.objects.identified().values("pk"))
        return queryset


class MergeForm(Form):
    autre = forms.ModelChoiceField(queryset=Usager.objects.none(), widget=forms.HiddenInput)
    confirmation = forms.BooleanField(
        label="Je confirme que ces deux fiches décrivent la même personne.",
        error_messages={"required": "Cochez la case pour confirmer la fusion."},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["autre"].queryset = candidates
        self.fields["autre"].error_messages["invalid_choice"] = (
            "Cette fiche n’existe pas ou vous n’y avez pas accès."
        )


class DeleteForm(Form):
    confirmation = forms.BooleanField(
        label=(
            "Je confirme la suppression définitive de cette personne et de ses participations, "
            "à sa demande."
        ),
        error_messages={"required": "Cochez la case pour confirmer la suppression."},
    )


class AnonymiseForm(Form):
    confirmation = forms.BooleanField(
        label=(
            "Je confirme l’anonymisation : le nom, les coordonnées, l’année de naissance et la "
            "date de consentement seront effacés définitivement."
        ),
        error_messages={"required": "Cochez la case pour confirmer l’anonymisation."},
    )
