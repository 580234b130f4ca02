"""Filters of the team's list of workshop sessions."""

import django_filters
from django.db.models import Exists, OuterRef

from poitiers_inclusion.enums import Role
from poitiers_inclusion.filters import StyledFilterSet, date_filter
from poitiers_inclusion.widgets import LargeModelChoiceFilter
from reseau.models import Lieu

from .models import Module, Seance

MINE = "moi"


def _has_sessions(field: str) -> Exists:
    """EXISTS rather than a DISTINCT join: one probe of the index per choice, not a pass over
    every session of a national programme."""
    return Exists(Seance.objects.filter(**{field: OuterRef("pk")}))


class SeanceFilter(StyledFilterSet):
    du = date_filter("Du", "date", "gte")
    au = date_filter("Au", "date", "lte")
    lieu = LargeModelChoiceFilter(
        label="Lieu",
        queryset=Lieu.objects.filter(_has_sessions("lieu")).order_by("nom"),
        empty_label="Tous les lieux",
    )
    module = django_filters.ModelChoiceFilter(
        label="Module",
        queryset=Module.objects.filter(_has_sessions("module")).order_by("titre"),
        empty_label="Tous les modules",
    )
    animateur = django_filters.ChoiceFilter(
        label="Séances",
        choices=[(MINE, "Mes séances")],
        empty_label="Toutes les séances",
        method="filter_mine",
    )

    class Meta:
        model = Seance
        fields = ["du", "au", "lieu", "module", "animateur"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Only a conseiller facilitates sessions; for the others the choice would be empty.
        if user.role != Role.CONSEILLER:
            self.filters.pop("animateur")

    def filter_mine(self, queryset, name, value):
        if value == MINE:
            # A subquery rather than a join, so that the per-session counts stay exact.
            return queryset.filter(pk__in=self.user.seances.values("pk"))
        return queryset
