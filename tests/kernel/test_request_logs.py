"""One log line per request: method, route (never the path: some carry a token), status,
duration, role, SQL queries; no personal data, no query string; slow requests as warnings;
JSON lines on request."""

import datetime
import json
import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.observability import JsonFormatter
from reporting.models import VuePartagee
from tests.factories import UsagerFactory
from tests.kernel.test_settings import _load_settings

pytestmark = pytest.mark.django_db
REQUESTS = "poitiers_inclusion.requests"


@pytest.fixture
def logs(caplog):
    """Every record of every logger, as the console handler would write them in JSON."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger=REQUESTS)  # as in production (LOG_REQUESTS)

    def lines():
        formatter = JsonFormatter()
        return [formatter.format(record) for record in caplog.records]

    caplog.lines = lines
    return caplog


def _request_lines(caplog):
    return [record for record in caplog.records if record.name == REQUESTS]


def test_each_request_is_one_line_with_its_route_status_time_role_and_queries(
    logs, users, client_for
):
    client = client_for(users[Role.COORDINATEUR])
    url = reverse("reseau:lieu_list")
    client.get(url)  # the session's first read
    logs.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    [line] = _request_lines(logs)
    assert line.levelno == logging.INFO
    assert line.fields == {
        "method": "GET",
        "route": "/reseau/lieux/",
        "status": 200,
        "duration_ms": line.fields["duration_ms"],
        "role": "coordinateur",
        "sql_queries": len(queries),
    }
    assert isinstance(line.fields["duration_ms"], int) and len(queries) > 0
    assert line.getMessage().startswith("GET /reseau/lieux/ 200 ")


def test_no_token_reaches_the_logs(logs):
    share = VuePartagee.objects.create(
        titre="Conseil municipal", expires_on=timezone.localdate() + datetime.timedelta(days=9)
    )
    client = Client()
    assert client.get(reverse("reporting:share_public", args=[share.token])).status_code == 200
    # An unknown token: Django's own logger reports the 404 ("Not Found: …").
    missing = "jeton-inconnu-Zq81xQ"
    assert client.get(reverse("reporting:share_public", args=[missing])).status_code == 404
    # A booking's cancellation link without the form's CSRF cookie: "Forbidden (…): …".
    cancel = reverse("permanences:booking_cancel", args=["jeton-annulation-Hk27w"])
    assert Client(enforce_csrf_checks=True).post(cancel).status_code == 403

    text = "\n".join(logs.lines())
    for secret in (share.token, missing, "jeton-annulation-Hk27w"):
        assert secret not in text
    routes = [line.fields["route"] for line in _request_lines(logs)]
    assert routes == ["/pilotage/vue/<str:token>/"] * 2 + [
        "/permanences/rendez-vous/annulation/<str:token>/"
    ]
    assert "Not Found: /pilotage/vue/<str:token>/" in text  # Django's line, with the route
    assert "Forbidden (CSRF cookie not set.): /permanences/" in text


def test_no_query_string_nor_personal_data_is_logged(logs, users, client_for):
    UsagerFactory(identified=True, last_name="Pétronille")
    conseiller = users[Role.CONSEILLER]
    client_for(conseiller).get(reverse("permanences:usager_list"), {"q": "Pétronille"})
    [line] = _request_lines(logs)
    assert line.fields["route"] == "/permanences/usagers/" and line.fields["role"] == "conseiller"
    text = "\n".join(logs.lines())
    assert "Pétronille" not in text and "q=" not in text
    assert conseiller.email not in text and conseiller.last_name not in text


def test_a_slow_request_is_a_warning_with_its_query_count(logs, settings, users, client_for):
    settings.SLOW_REQUEST_MS = 0
    client_for(users[Role.ADMIN]).get(reverse("kernel:user_list"))
    [line] = _request_lines(logs)
    assert line.levelno == logging.WARNING
    assert line.getMessage().startswith("Requête lente : GET /comptes/ 200 ")
    assert f"{line.fields['sql_queries']} requêtes SQL" in line.getMessage()
    assert line.fields["sql_queries"] > 0


def test_an_export_is_logged_when_its_stream_ends_with_all_its_queries(logs, users, client_for):
    response = client_for(users[Role.ADMIN]).get(reverse("kernel:audit_list"), {"format": "csv"})
    assert response.streaming and _request_lines(logs) == []
    b"".join(response.streaming_content)
    [line] = _request_lines(logs)
    assert line.fields["route"] == "/journal/" and line.fields["status"] == 200
    assert line.fields["sql_queries"] >= 2  # the session, the user, then the rows while streaming


def test_an_anonymous_visit_says_so(logs, client):
    client.get(reverse("login"))
    [line] = _request_lines(logs)
    assert line.fields["role"] == "anonyme" and line.fields["route"] == "/connexion/"


def test_json_lines_carry_the_fields(logs, users, client_for):
    client_for(users[Role.ADMIN]).get(reverse("kernel:user_list"))
    [text] = [t for t, r in zip(logs.lines(), logs.records, strict=True) if r.name == REQUESTS]
    data = json.loads(text)
    assert data["level"] == "INFO" and data["logger"] == REQUESTS
    assert {"time", "message", "method", "route", "status", "duration_ms", "role"} <= set(data)
    assert data["sql_queries"] > 0 and "\n" not in text


def test_the_log_format_is_checked_at_start():
    result = _load_settings({"LOG_FORMAT": "xml"})
    assert result.returncode != 0 and "LOG_FORMAT='xml' vaut text ou json" in result.stderr
    assert _load_settings({"LOG_FORMAT": "json"}).returncode == 0


def test_the_health_checks_are_logged_only_when_slow(logs, client, settings):
    client.get(reverse("health"))
    assert _request_lines(logs) == []
    settings.SLOW_REQUEST_MS = 0
    client.get(reverse("health"))
    [line] = _request_lines(logs)
    assert line.levelno == logging.WARNING and line.fields["route"] == "/sante/"
