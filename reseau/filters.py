"""Filters of the referential's list screens."""

import django_filters
from django import forms
from django.db.models import Q

from poitiers_inclusion.filters import StyledFilterSet
from poitiers_inclusion.widgets import LargeModelChoiceFilter

from .communes import commune_choice
from .enums import EtatOrientation, Public, Service, typologie_choices
from .models import Contact, Lieu, Orientation, Quartier, Structure

ARCHIVE_CHOICES = [("actifs", "Actifs"), ("archives", "Archivés"), ("tous", "Tous")]


class ArchiveFilterMixin(StyledFilterSet):
    etat = django_filters.ChoiceFilter(
        label="État", choices=ARCHIVE_CHOICES, method="filter_etat", empty_label=None
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("etat", "actifs")
        super().__init__(data, *args, **kwargs)

    def filter_etat(self, queryset, name, value):
        if value == "archives":
            return queryset.filter(archived_at__isnull=False)
        if value == "tous":
            return queryset
        return queryset.filter(archived_at__isnull=True)


class StructureFilter(ArchiveFilterMixin):
    q = django_filters.CharFilter(label="Recherche", method="search")
    typologie = django_filters.ChoiceFilter(
        label="Typologie",
        choices=typologie_choices,
        field_name="typologies",
        lookup_expr="contains",
        method="filter_array",
    )
    service = django_filters.ChoiceFilter(
        label="Service", choices=Service.choices, field_name="services", method="filter_array"
    )
    quartier = django_filters.ModelChoiceFilter(
        label="Quartier desservi", queryset=Quartier.objects.all(), field_name="quartiers"
    )

    class Meta:
        model = Structure
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(nom__icontains=value) | Q(pivot__icontains=value))

    def filter_array(self, queryset, name, value):
        return queryset.filter(**{f"{name}__contains": [value]})


class LieuFilterSet(StyledFilterSet):
    """The filters of places, the same on the team's list and on the public map."""

    q = django_filters.CharFilter(label="Nom ou adresse", method="search")
    quartier = LargeModelChoiceFilter(label="Quartier", queryset=Quartier.objects.all())
    service = django_filters.ChoiceFilter(
        label="Service", choices=Service.choices, method="filter_service"
    )
    public = django_filters.ChoiceFilter(
        label="Public", choices=Public.choices, method="filter_public"
    )
    connexion_solidaire = django_filters.BooleanFilter(
        label="Wi-Fi gratuit",
        widget=forms.Select(choices=[("", "Indifférent"), ("true", "Oui"), ("false", "Non")]),
    )

    class Meta:
        model = Lieu
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(nom__icontains=value) | Q(adresse__icontains=value) | Q(commune__icontains=value)
        )

    def filter_service(self, queryset, name, value):
        return queryset.filter(services__contains=[value])

    def filter_public(self, queryset, name, value):
        return queryset.filter(publics_specifiquement_adresses__contains=[value])


class LieuFilter(ArchiveFilterMixin, LieuFilterSet):
    """The team's list of places: the archived ones too, on demand."""


class ContactFilter(ArchiveFilterMixin):
    q = django_filters.CharFilter(label="Recherche", method="search")
    structure = django_filters.ModelChoiceFilter(
        label="Structure", queryset=Structure.objects.active()
    )

    class Meta:
        model = Contact
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(nom__icontains=value)
            | Q(prenom__icontains=value)
            | Q(courriel__icontains=value)
            | Q(structure__nom__icontains=value)
        )


class DirectoryFilter(StyledFilterSet):
    """The professionals' directory: active structures only."""

    q = django_filters.CharFilter(label="Recherche", method="search")
    quartier = django_filters.ModelChoiceFilter(
        label="Quartier desservi", queryset=Quartier.objects.all(), method="filter_quartier"
    )
    service = django_filters.ChoiceFilter(
        label="Service", choices=Service.choices, method="filter_service"
    )
    typologie = django_filters.ChoiceFilter(
        label="Typologie", choices=typologie_choices, method="filter_typologie"
    )
    public = django_filters.ChoiceFilter(
        label="Public", choices=Public.choices, method="filter_public"
    )

    class Meta:
        model = Structure
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(nom__icontains=value)
            | Q(presentation__icontains=value)
            | Q(lieux__nom__icontains=value)
            | Q(contacts__nom__icontains=value)
        ).distinct()

    def filter_quartier(self, queryset, name, value):
        return queryset.filter(Q(quartiers=value) | Q(lieux__quartier=value)).distinct()

    def filter_service(self, queryset, name, value):
        return queryset.filter(
            Q(services__contains=[value]) | Q(lieux__services__contains=[value])
        ).distinct()

    def filter_typologie(self, queryset, name, value):
        return queryset.filter(typologies__contains=[value])

    def filter_public(self, queryset, name, value):
        return queryset.filter(
            Q(publics__contains=[value])
            | Q(lieux__publics_specifiquement_adresses__contains=[value])
        ).distinct()


class PublicLieuFilter(LieuFilterSet):
    """Filters of the public page of the places offering help: a commune first when the places
    are in several (one at a time past a city's size: reseau.communes), then the others."""

    commune = django_filters.ChoiceFilter(
        label="Commune", method="filter_commune", empty_label=None
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        self.place = commune_choice(data.get("commune"))
        data["commune"] = self.place.chosen or ""
        super().__init__(data, *args, **kwargs)
        commune = self.filters.pop("commune")
        if self.place.chosen:
            self.filters["quartier"].queryset = Quartier.objects.filter(commune=self.place.chosen)
        if self.place.offered:  # else one commune: nothing to choose, nothing to narrow
            self.filters = {"commune": commune, **self.filters}
            self.form.fields["commune"].choices = self.place.choices

    def filter_commune(self, queryset, name, value):
        return queryset.filter(commune=value) if value else queryset


class OrientationFilter(StyledFilterSet):
    etat = django_filters.ChoiceFilter(
        label="État", choices=EtatOrientation.choices, method="filter_etat"
    )
    sens = django_filters.ChoiceFilter(
        label="Sens",
        choices=[("recues", "Reçues par ma structure"), ("envoyees", "Envoyées par ma structure")],
        method="filter_sens",
    )

    class Meta:
        model = Orientation
        fields = []

    def filter_etat(self, queryset, name, value):
        return queryset.with_state(value)

    def filter_sens(self, queryset, name, value):
        structure_id = getattr(self.request.user, "structure_id", None) if self.request else None
        if not structure_id:
            return queryset
        if value == "recues":
            return queryset.filter(structure_destination_id=structure_id)
        return queryset.filter(structure_origine_id=structure_id)
