"""Factories of Ordinateurs solidaires."""

import datetime

import factory
from django.utils import timezone

from ordinateurs.enums import (
    CHECKLIST,
    Etat,
    MethodeEffacement,
    ResultatEffacement,
    TypeAppareil,
    TypeStockage,
)
from ordinateurs.models import (
    Attribution,
    Ceremonie,
    Controle,
    Demande,
    Don,
    Donateur,
    Effacement,
    Evenement,
    Foyer,
    InvitationCeremonie,
    Ordinateur,
    Stockage,
    Temoignage,
)
from tests.factories import LieuFactory, StructureFactory, UserFactory


class DonateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donateur

    nom = factory.Sequence(lambda n: f"Entreprise {n}")
    email = factory.Sequence(lambda n: f"dons{n}@entreprise.example")


class DonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Don

    donateur = factory.SubFactory(DonateurFactory)
    nb_annonce = 10


class OrdinateurFactory(factory.django.DjangoModelFactory):
    """A laptop just received (its first event written), with one SSD."""

    class Meta:
        model = Ordinateur
        skip_postgeneration_save = True

    numero = factory.Sequence(lambda n: f"PC-2022-{n:04d}")
    don = factory.SubFactory(DonFactory)
    type = TypeAppareil.PORTABLE
    marque = "Dell"
    modele = "Latitude 5490"
    etat = Etat.RECU

    @factory.post_generation
    def evenement(obj, create, extracted, **kwargs):
        if create:
            Evenement.objects.create(ordinateur=obj, vers=obj.etat, note="Réception")

    @factory.post_generation
    def stockages(obj, create, extracted, **kwargs):
        if create and extracted is None:
            Stockage.objects.create(ordinateur=obj, type=TypeStockage.SSD, capacite_go=256)


class StockageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stockage

    ordinateur = factory.SubFactory(OrdinateurFactory, stockages=[])
    type = TypeStockage.HDD
    capacite_go = 500


class EffacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Effacement

    stockage = factory.SubFactory(StockageFactory)
    methode = MethodeEffacement.NIST_PURGE
    outil = "nwipe"
    version_outil = "0.35"
    resultat = ResultatEffacement.REUSSI
    operateur = factory.SubFactory(UserFactory, technicien=True)


class ControleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Controle

    ordinateur = factory.SubFactory(OrdinateurFactory)
    resultats = factory.LazyFunction(lambda: {key: True for key, _ in CHECKLIST})
    reussi = True
    operateur = factory.SubFactory(UserFactory, technicien=True)


class EvenementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evenement

    ordinateur = factory.SubFactory(OrdinateurFactory)
    de = Etat.RECU
    vers = Etat.DIAGNOSTIQUE


class FoyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Foyer

    code = factory.Sequence(lambda n: f"F-2022-{n:04d}")
    structure = factory.SubFactory(StructureFactory)
    adultes = 1
    enfants = 2
    enfants_scolarises = 2
    consent_at = factory.LazyFunction(timezone.now)


class DemandeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demande

    foyer = factory.SubFactory(FoyerFactory)
    besoin = "Devoirs des enfants, démarches"


class CeremonieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ceremonie

    titre = "Remise d'ordinateurs"
    date = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    lieu = factory.SubFactory(LieuFactory)


class InvitationCeremonieFactory(factory.django.DjangoModelFactory):
    """A donor invited to a ceremony, who has not answered yet."""

    class Meta:
        model = InvitationCeremonie

    ceremonie = factory.SubFactory(CeremonieFactory)
    donateur = factory.SubFactory(DonateurFactory)
    sent_at = factory.LazyFunction(timezone.now)


class AttributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribution

    demande = factory.SubFactory(DemandeFactory, statut="proposee")
    ordinateur = factory.SubFactory(OrdinateurFactory, etat=Etat.RESERVE)


class TemoignageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Temoignage

    ceremonie = factory.SubFactory(CeremonieFactory)
    texte = "Mes enfants peuvent enfin faire leurs devoirs à la maison."
    auteur = "Une mère de deux enfants"
    consent_at = factory.LazyFunction(timezone.now)


def ready_device(technicien, **kwargs) -> Ordinateur:
    """A laptop erased and checked, moved up to *disponible* through the services."""
    from ordinateurs import services

    ordinateur = OrdinateurFactory(**kwargs)
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    for stockage in ordinateur.stockages.all():
        EffacementFactory(stockage=stockage, operateur=technicien)
    for vers in (Etat.EFFACE, Etat.RECONDITIONNE):
        services.move(ordinateur=ordinateur, vers=vers, actor=technicien)
    ControleFactory(ordinateur=ordinateur, operateur=technicien)
    for vers in (Etat.CONTROLE, Etat.DISPONIBLE):
        services.move(ordinateur=ordinateur, vers=vers, actor=technicien)
    return ordinateur
