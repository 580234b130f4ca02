"""The households' list pages take as many queries with 3 rows as with 12."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ordinateurs.enums import StatutDemande
from poitiers_inclusion.enums import Role
from tests.factories import QuartierFactory
from tests.ordinateurs.factories import (
    CeremonieFactory,
    DemandeFactory,
    DonateurFactory,
    TemoignageFactory,
)

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _requests(count, structure):
    now = timezone.now()
    for n in range(count):
        statut = [StatutDemande.SOUMISE, StatutDemande.LISTE_ATTENTE, StatutDemande.REFUSEE][n % 3]
        DemandeFactory(
            foyer__structure=structure,
            foyer__quartier=QuartierFactory(),
            statut=statut,
            motif="Motif" if statut == StatutDemande.REFUSEE else "",
            waitlisted_at=now - datetime.timedelta(days=n)
            if statut == StatutDemande.LISTE_ATTENTE
            else None,
        )


@pytest.mark.parametrize("role", [Role.PRESCRIPTEUR, Role.COORDINATEUR])
@pytest.mark.parametrize("query", ["", "?statut=liste_attente"])
def test_the_request_list_does_not_query_per_row(
    role, query, users, client_for, django_assert_max_num_queries
):
    client = client_for(users[role])
    structure = users[Role.PRESCRIPTEUR].structure
    url = reverse("ordinateurs:demande_list") + query
    _requests(3, structure)
    few = _queries(client, url)
    _requests(9, structure)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["page"].object_list) == (12 if not query else 4)


def test_the_ceremony_list_does_not_query_per_row(users, client_for, django_assert_max_num_queries):
    client = client_for(users[Role.COORDINATEUR])
    url = reverse("ordinateurs:ceremonie_list")

    def ceremonies(count):
        for _ in range(count):
            ceremonie = CeremonieFactory()
            ceremonie.donateurs.add(DonateurFactory())
            TemoignageFactory(ceremonie=ceremonie)

    ceremonies(3)
    few = _queries(client, url)
    ceremonies(9)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 12
