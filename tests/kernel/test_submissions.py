"""The one-time submission token (poitiers_inclusion/submissions.py): a form sent again leads
where the first sending led; two sendings at the same instant create one record; a form sent back
with errors may be sent again; old tokens are purged by a scheduled job."""

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion import scheduler, submissions
from poitiers_inclusion.models import SubmissionToken
from reseau.models import Quartier
from tests.concurrency import run_together
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _quartier(token, nom="Les Couronneries", code=None):
    # A new code each time: the code is unique, and only the token must stop a second record.
    return {"submission_token": str(token), "nom": nom, "code": code or uuid.uuid4().hex[:8]}


def test_the_form_renders_a_new_token_each_time(client_for, users):
    client = client_for(users["admin"])
    pages = [client.get(reverse("reseau:quartier_create")).content.decode() for _ in range(2)]
    tokens = [page.split('name="submission_token" value="')[1][:36] for page in pages]
    assert tokens[0] != tokens[1] and all(uuid.UUID(t) for t in tokens)


def test_a_form_with_errors_can_be_corrected_and_sent_with_the_same_token(client_for, users):
    client = client_for(users["admin"])
    token = uuid.uuid4()
    url = reverse("reseau:quartier_create")
    assert client.post(url, _quartier(token, nom="")).status_code == 200
    assert client.post(url, _quartier(token)).status_code == 302
    assert Quartier.objects.filter(nom="Les Couronneries").count() == 1


def test_someone_else_replaying_a_token_gets_no_link_to_the_record(client_for, users):
    token = uuid.uuid4()
    url = reverse("reseau:quartier_create")
    client_for(users["admin"]).post(url, _quartier(token))
    other = client_for(UserFactory(role="admin")).post(url, _quartier(token))
    assert other.status_code == 409
    assert "Ce formulaire a déjà été envoyé" in other.content.decode()
    assert Quartier.objects.filter(nom="Les Couronneries").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sendings_at_the_same_instant_create_one_record(users):
    admin = users["admin"]
    token = uuid.uuid4()
    url = reverse("reseau:quartier_create")

    def send(_):
        client = Client()
        client.force_login(admin)
        return client.post(url, _quartier(token)).status_code

    outcomes = run_together(3, send)
    assert Quartier.objects.filter(nom="Les Couronneries").count() == 1
    assert sorted(outcomes) == [302, 302, 302], outcomes


def test_a_first_sending_that_died_does_not_block_the_form_for_ever(client_for, users):
    token = uuid.uuid4()
    SubmissionToken.objects.create(
        token=token,
        user=users["admin"],
        path="/reseau/quartiers/nouveau/",
        created_at=timezone.now() - submissions.ABANDONED_AFTER - datetime.timedelta(seconds=1),
    )
    response = client_for(users["admin"]).post(reverse("reseau:quartier_create"), _quartier(token))
    assert response.status_code == 302
    assert Quartier.objects.filter(nom="Les Couronneries").count() == 1


def test_the_scheduled_job_purges_old_tokens():
    old = SubmissionToken.objects.create(
        token=uuid.uuid4(),
        path="/x/",
        created_at=timezone.now() - datetime.timedelta(days=submissions.TOKEN_DAYS + 1),
    )
    recent = SubmissionToken.objects.create(token=uuid.uuid4(), path="/x/")
    run = scheduler.run_job(scheduler.get("purge_submission_tokens"), forced=True)
    assert run.counts == {"jetons effacés": 1}
    assert list(SubmissionToken.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk
