"""A person's workshops on their page, in the export of their data, through merge and erasure."""

import datetime
import json

import pytest
from django.urls import reverse

from ateliers.models import Inscription
from permanences import usagers as usager_services
from poitiers_inclusion.enums import Role
from tests.ateliers.factories import InscriptionFactory, ModuleFactory, SeanceFactory
from tests.factories import UsagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    usager = UsagerFactory(identified=True)
    seance = SeanceFactory(
        module=ModuleFactory(titre="Créer sa boîte mail"), date=datetime.date(2022, 3, 10)
    )
    InscriptionFactory(seance=seance, usager=usager, present=True)
    return usager


def test_the_usager_page_lists_their_workshops(person, users, client_for):
    html = (
        client_for(users[Role.COORDINATEUR])
        .get(reverse("permanences:usager_detail", args=[person.pk]))
        .content.decode()
    )
    assert "Ateliers" in html and "Créer sa boîte mail" in html and "Présent" in html


def test_a_conseiller_sees_only_the_workshops_they_may_see(person, users, client_for):
    conseiller = users[Role.CONSEILLER]
    person.conseillers.add(conseiller)  # they follow this person: the registration shows
    html = (
        client_for(conseiller)
        .get(reverse("permanences:usager_detail", args=[person.pk]))
        .content.decode()
    )
    assert "Créer sa boîte mail" in html


def test_the_export_holds_the_workshops(person, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(
        reverse("permanences:usager_export_json", args=[person.pk])
    )
    data = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert data["ateliers"] == [
        {
            "Date": "10/03/2022",
            "Atelier": "Créer sa boîte mail",
            "Lieu": Inscription.objects.get().seance.lieu.nom,
            "Inscription": "Inscrit",
            "Présence": "Présent",
            "Origine": "Inscrit par l'équipe",
        }
    ]
    printable = client_for(users[Role.COORDINATEUR]).get(
        reverse("permanences:usager_export_print", args=[person.pk])
    )
    assert "Créer sa boîte mail" in printable.content.decode()


def test_a_merge_moves_the_registrations_and_erasure_removes_them(person, users):
    duplicate = UsagerFactory(identified=True)
    InscriptionFactory(usager=duplicate)
    kept = usager_services.merge_usagers(
        kept=person, other=duplicate, actor=users[Role.COORDINATEUR]
    )
    assert Inscription.objects.filter(usager=kept).count() == 2
    usager_services.delete_usager(usager=kept, actor=users[Role.COORDINATEUR])
    assert not Inscription.objects.exists()
