"""Filters of the médiation log's list ("Mon activité")."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from poitiers_inclusion.filters import StyledFilterSet, date_filter
from poitiers_inclusion.models import User
from poitiers_inclusion.widgets import PERSON_FIELDS, LargeModelChoiceFilter, person_label
from reseau.models import Lieu

from .enums import Thematique, TypeActivite
from .models import Accompagnement, Mediation
from .perms import LOGGERS


class MediationFilter(StyledFilterSet):
    du = date_filter("Du", "date", "gte")
    au = date_filter("Au", "date", "lte")
    lieu = LargeModelChoiceFilter(
        label="Lieu", queryset=Lieu.objects.order_by("nom"), empty_label="Tous les lieux"
    )
    type_activite = django_filters.ChoiceFilter(
        label="Type", choices=TypeActivite.choices, empty_label="Tous les types"
    )
    thematique = django_filters.ChoiceFilter(
        label="Thématique",
        choices=Thematique.choices,
        method="filter_thematique",
        empty_label="Toutes les thématiques",
    )
    usager = django_filters.CharFilter(
        label="Usager", method="filter_usager", help_text="Nom, prénom ou numéro d'usager."
    )
    conseiller = LargeModelChoiceFilter(
        label="Conseiller",
        queryset=User.objects.filter(role__in=LOGGERS).order_by("last_name", "first_name"),
        empty_label="Tous les conseillers",
        label_fields=PERSON_FIELDS,
        row_label=person_label,
    )

    class Meta:
        model = Mediation
        fields = []

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        if user is None or not user.sees_whole_city:
            del self.filters["conseiller"]
        for name in ("du", "au"):
            self.form.fields[name].error_messages["invalid"] = "Saisissez une date valide."

    def filter_thematique(self, queryset, name, value):
        return queryset.filter(thematiques__contains=[value])

    def filter_usager(self, queryset, name, value):
        value = value.strip()
        people = Accompagnement.objects.filter(mediation=OuterRef("pk"))
        if value.isdigit():
            people = people.filter(usager_id=int(value))
        else:
            for word in value.split()[:4]:
                people = people.filter(
                    Q(usager__first_name__icontains=word) | Q(usager__last_name__icontains=word)
                )
        return queryset.filter(Exists(people))
