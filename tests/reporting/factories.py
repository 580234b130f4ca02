"""Factories of the reporting app's records."""

import datetime

import factory
from django.utils import timezone

from reporting.models import ExternalIndicator, FiguresSnapshot, IndicatorImport, VuePartagee
from tests.factories import QuartierFactory, UserFactory


class IndicatorImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorImport

    file_name = "indicateurs.csv"
    imported_by = factory.SubFactory(UserFactory, coordinateur=True)
    row_count = 0


class ExternalIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalIndicator

    indicateur = "Inscriptions CAF"
    quartier = factory.SubFactory(QuartierFactory)
    mois = datetime.date(2022, 1, 1)
    valeur = 10


class FiguresSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiguresSnapshot

    key = factory.Sequence(lambda n: f"{n:064d}")
    filters = factory.LazyFunction(dict)
    payload = b""
    computed_at = factory.LazyFunction(timezone.now)
    duration_ms = 2500
    last_used_at = factory.LazyFunction(timezone.now)


class VuePartageeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VuePartagee

    titre = "Bilan pour le conseil municipal"
    created_by = factory.SubFactory(UserFactory, coordinateur=True)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
