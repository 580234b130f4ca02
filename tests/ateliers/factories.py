"""Factories of the workshop path."""

import datetime

import factory
from django.utils import timezone

from ateliers.enums import Niveau, Origine, StatutInscription
from ateliers.models import Inscription, Module, Parcours, Seance
from tests.factories import LieuFactory, UsagerFactory


class ParcoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcours

    nom = factory.Sequence(lambda n: f"Parcours {n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    parcours = factory.SubFactory(ParcoursFactory)
    titre = factory.Sequence(lambda n: f"Module {n}")
    niveau = Niveau.DEBUTANT
    competences_pix = factory.LazyFunction(lambda: ["1.1"])


class SeanceFactory(factory.django.DjangoModelFactory):
    """A session next week (pass date=… for another day), 8 places."""

    class Meta:
        model = Seance
        skip_postgeneration_save = True

    module = factory.SubFactory(ModuleFactory)
    lieu = factory.SubFactory(LieuFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    start_time = datetime.time(14, 0)
    end_time = datetime.time(16, 0)
    capacite = 8

    @factory.post_generation
    def animateurs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.animateurs.add(*extracted)


class InscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inscription

    seance = factory.SubFactory(SeanceFactory)
    usager = factory.SubFactory(UsagerFactory, identified=True)
    statut = StatutInscription.INSCRIT
    origine = Origine.EQUIPE

    class Params:
        present = factory.Trait(presence="present")
        absent = factory.Trait(presence="absent")
        attente = factory.Trait(statut=StatutInscription.ATTENTE)
