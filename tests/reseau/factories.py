"""Factories of the réseau's records beyond the referential (which lives in tests/factories.py)."""

import decimal

import factory
from django.utils import timezone

from reseau.enums import PreferenceContact, Service, TypeReunion
from reseau.models import (
    Campagne,
    Invitation,
    OffreInternetSociale,
    Orientation,
    Reunion,
    Verification,
)

from ..factories import ContactFactory, StructureFactory


class CampagneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campagne

    titre = factory.Sequence(lambda n: f"Campagne {n}")


class VerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verification

    campagne = factory.SubFactory(CampagneFactory)
    structure = factory.SubFactory(StructureFactory)
    destinataire = factory.Sequence(lambda n: f"referent{n}@exemple.test")
    sent_at = factory.LazyFunction(timezone.now)


class ReunionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reunion

    type = TypeReunion.ASSEMBLEE
    titre = factory.Sequence(lambda n: f"Assemblée du réseau {n}")
    date = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=20))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    reunion = factory.SubFactory(ReunionFactory)
    contact = factory.SubFactory(ContactFactory)


class OrientationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Orientation

    structure_origine = factory.SubFactory(StructureFactory)
    structure_destination = factory.SubFactory(StructureFactory)
    besoin = Service.DEMARCHES
    preference_contact = PreferenceContact.TELEPHONE
    prenom = "Jeanne"
    nom = factory.Sequence(lambda n: f"Orientée{n}")
    telephone = "0600000000"
    situation = "Besoin d'aide pour sa déclaration de revenus en ligne."
    consent_at = factory.LazyFunction(timezone.now)


class OffreInternetSocialeFactory(factory.django.DjangoModelFactory):
    """An access provider's social tariff, as the coordination records it."""

    class Meta:
        model = OffreInternetSociale

    offre = factory.Sequence(lambda n: f"Box solidaire {n}")
    fournisseur = "Opérateur national"
    prix = decimal.Decimal("15.99")
    conditions = "Bénéficiaires du RSA ou de la prime d'activité."
    lien = "https://www.exemple.fr/offre-sociale"
