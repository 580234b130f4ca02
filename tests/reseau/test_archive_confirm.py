"""Archiving a structure, a lieu or a contact asks for confirmation first, and says what it
affects: permanences and workshops at that lieu, accounts and open orientations of that
structure, a contact's invitations."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from tests.ateliers.factories import SeanceFactory
from tests.factories import ContactFactory, LieuFactory, StructureFactory, UserFactory
from tests.permanences.factories import PermanenceFactory
from tests.reseau.factories import InvitationFactory, OrientationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def test_archiving_a_lieu_says_what_it_affects_then_waits_for_confirmation(coordinator):
    lieu = LieuFactory(nom="Centre social SEVE")
    PermanenceFactory(lieu=lieu, valid_from=timezone.localdate() - datetime.timedelta(days=30))
    PermanenceFactory(lieu=lieu, valid_until=timezone.localdate() - datetime.timedelta(days=1))
    SeanceFactory(lieu=lieu)
    SeanceFactory(lieu=lieu, date=timezone.localdate() - datetime.timedelta(days=7))
    url = reverse("reseau:lieu_archive", args=[lieu.pk])

    page = coordinator.get(url).content.decode()
    assert "Archiver « Centre social SEVE » ?" in page
    assert "1 permanence(s) en place à ce lieu" in page
    assert "1 atelier(s) à venir à ce lieu" in page
    assert "retiré de la carte publique" in page
    lieu.refresh_from_db()
    assert not lieu.is_archived  # nothing happens before the confirmation

    coordinator.post(url)
    lieu.refresh_from_db()
    assert lieu.is_archived


def test_archiving_a_structure_names_its_accounts_lieux_contacts_and_open_orientations(
    coordinator,
):
    structure = StructureFactory(nom="CCAS")
    UserFactory(prescripteur=True, structure=structure)
    LieuFactory(structure=structure)
    ContactFactory(structure=structure)
    OrientationFactory(structure_destination=structure)
    page = coordinator.get(reverse("reseau:structure_archive", args=[structure.pk])).content
    text = page.decode()
    assert "1 compte actif de cette structure" in text
    assert "1 lieu actif porté par la structure" in text
    assert "1 contact actif" in text
    assert "1 orientation ouverte (envoyée ou reçue) sans réponse" in text


def test_archiving_a_contact_names_the_meetings_they_are_invited_to(coordinator):
    contact = ContactFactory()
    InvitationFactory(contact=contact)
    page = coordinator.get(reverse("reseau:contact_archive", args=[contact.pk])).content.decode()
    assert "1 invitation à une réunion à venir" in page


def test_the_edit_page_leads_to_the_confirmation_not_to_the_archive(coordinator):
    lieu = LieuFactory()
    page = coordinator.get(reverse("reseau:lieu_edit", args=[lieu.pk])).content.decode()
    assert f'href="{reverse("reseau:lieu_archive", args=[lieu.pk])}"' in page
