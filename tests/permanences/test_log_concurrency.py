"""Two copies of the same form arriving at the same time still make one report."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from permanences.models import Accompagnement, Mediation
from poitiers_inclusion.models import Usager
from tests.factories import LieuFactory, UserFactory
from tests.permanences.factories_log import log_post


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_one_form_create_one_report():
    conseiller = UserFactory(conseiller=True)
    data = log_post(LieuFactory())
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def post():
        try:
            client = Client()
            client.force_login(conseiller)
            barrier.wait(timeout=10)
            statuses.append(client.post(reverse("permanences:log"), data).status_code)
        except Exception as exc:  # reported below: a thread's exception would be lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert statuses == [302, 302]
    assert Mediation.objects.count() == 1
    assert Accompagnement.objects.count() == 1
    assert Usager.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_loser_of_the_race_gets_the_winners_report(monkeypatch):
    """The check before the insert missed the other request: the unique token still decides."""
    from permanences import services

    conseiller = UserFactory(conseiller=True)
    form_data = services.LogData(
        activity={
            "date": datetime.date(2024, 3, 5),
            "lieu": LieuFactory(),
            "duree_minutes": 30,
            "thematiques": ["email"],
        }
    )
    token = uuid.uuid4()
    first, created = services.record_mediation(
        conseiller=conseiller, data=form_data, submission_token=token
    )
    assert created
    monkeypatch.setattr(services, "_already_recorded", lambda token: None)
    second, created = services.record_mediation(
        conseiller=conseiller, data=form_data, submission_token=token
    )
    assert not created and second == first
    assert Mediation.objects.count() == 1
    assert Usager.objects.count() == 1
