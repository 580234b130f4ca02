"""Factories of the permanences app (add yours in a file of your own area, importing these)."""

import datetime

import factory

from permanences.enums import Thematique, TypeActivite, TypeLieu, Weekday
from permanences.models import Accompagnement, Mediation, Permanence
from tests.factories import LieuFactory, UsagerFactory, UserFactory


class PermanenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Permanence

    lieu = factory.SubFactory(LieuFactory)
    weekday = Weekday.MARDI
    start_time = datetime.time(14, 0)
    end_time = datetime.time(17, 0)
    valid_from = datetime.date(2022, 1, 1)


class MediationFactory(factory.django.DjangoModelFactory):
    """An individual médiation with one anonymous usager (pass usagers=[...] to choose them)."""

    class Meta:
        model = Mediation
        skip_postgeneration_save = True

    date = factory.LazyFunction(datetime.date.today)
    conseiller = factory.SubFactory(UserFactory, conseiller=True)
    type_activite = TypeActivite.INDIVIDUEL
    type_lieu = TypeLieu.LIEU_ACTIVITE
    lieu = factory.SubFactory(LieuFactory)
    duree_minutes = 30
    thematiques = factory.LazyFunction(lambda: [Thematique.EMAIL.value])

    @factory.post_generation
    def usagers(obj, create, extracted, **kwargs):
        if not create:
            return
        for usager in extracted if extracted is not None else [UsagerFactory()]:
            AccompagnementFactory(mediation=obj, usager=usager)
            usager.conseillers.add(obj.conseiller)


class AccompagnementFactory(factory.django.DjangoModelFactory):
    """One more person in an existing report (MediationFactory already adds its own people)."""

    class Meta:
        model = Accompagnement

    mediation = factory.SubFactory(MediationFactory, usagers=[])
    usager = factory.SubFactory(UsagerFactory)
