"""The session list and a session's page take as many queries with 3 rows as with 12."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from tests.factories import UserFactory

from .factories import InscriptionFactory, SeanceFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _sessions(count, conseiller):
    today = timezone.localdate()
    for n in range(count):
        seance = SeanceFactory(
            date=today + datetime.timedelta(days=n - count // 2),
            animateurs=[conseiller, UserFactory(conseiller=True)],
            capacite=2,
        )
        InscriptionFactory.create_batch(2, seance=seance)
        InscriptionFactory(seance=seance, attente=True)


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.COORDINATEUR])
def test_the_session_list_does_not_query_per_row(
    role, users, client_for, django_assert_max_num_queries
):
    client = client_for(users[role])
    url = reverse("ateliers:seance_list")
    _sessions(3, users[Role.CONSEILLER])
    few = _queries(client, url)
    _sessions(9, users[Role.CONSEILLER])
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 12


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.COORDINATEUR])
def test_a_sessions_page_does_not_query_per_registrant(
    role, users, client_for, django_assert_max_num_queries
):
    conseiller = users[Role.CONSEILLER]
    seance = SeanceFactory(date=timezone.localdate(), animateurs=[conseiller], capacite=10)
    client = client_for(users[role])
    url = reverse("ateliers:seance_detail", args=[seance.pk])
    InscriptionFactory.create_batch(2, seance=seance, present=True)
    InscriptionFactory(seance=seance, attente=True)
    few = _queries(client, url)
    InscriptionFactory.create_batch(8, seance=seance, absent=True)
    InscriptionFactory.create_batch(4, seance=seance, attente=True)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["registered"]) == 10
    assert len(response.context["waiting"]) == 5
