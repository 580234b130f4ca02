"""GET /sante/: what a load balancer or a monitor asks — does the database answer, is the schema
up to date — answered without login, without personal data and without an audit entry."""

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from poitiers_inclusion.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/sante/"


def _database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def test_it_answers_ok_when_the_database_answers_and_nothing_is_pending(client):
    events = AuditEvent.objects.count()
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"base": "ok", "migrations": "ok"}
    # A monitor must see the state of now, never a copy kept by a cache on the way.
    assert "no-cache" in response["Cache-Control"]
    assert AuditEvent.objects.count() == events


def test_it_answers_503_when_a_migration_is_pending(client):
    latest = MigrationRecorder.Migration.objects.filter(app="kernel").latest("id")
    latest.delete()  # as if the code had been upgraded without running migrate
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"base": "ok", "migrations": "en attente"}


def test_it_answers_503_without_a_trace_when_the_database_does_not_answer():
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(_database_down):
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"base": "erreur", "migrations": "inconnu"}
    assert "Retry-After" in response
    assert b"server closed" not in response.content and b"Traceback" not in response.content


def test_it_refuses_anything_but_get(client):
    assert client.post(URL).status_code == 405
