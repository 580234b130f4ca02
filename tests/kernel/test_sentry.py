"""Errors go to Sentry when SENTRY_DSN is set, without personal data: no request body, cookies,
query string or URL (a path may carry a token), no user e-mail, no local variables, e-mail
addresses masked. Tested with a transport that keeps the events instead of sending them."""

import json
import logging

import pytest
import sentry_sdk
from django.test import Client
from sentry_sdk.transport import Transport

from poitiers_inclusion.observability import init_sentry
from tests.factories import UserFactory
from tests.kernel.observability_urls import PERSON
from tests.kernel.test_settings import PRODUCTION_KEY, _load_settings

pytestmark = pytest.mark.django_db
TOKEN = "jeton-secret-4Yq2"


class KeepingTransport(Transport):
    """Keeps the events: nothing leaves the machine."""

    def __init__(self):
        super().__init__()
        self.events = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry():
    transport = KeepingTransport()
    init_sentry("https://cle@sentry.invalid/1", environment="essai", transport=transport)
    try:
        yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


@pytest.mark.urls("tests.kernel.observability_urls")
def test_an_error_reaches_sentry_without_personal_data(sentry):
    user = UserFactory(coordinateur=True, email="agent.martin@ville.example")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies["preferences"] = "cookie-personnel"
    response = client.post(
        f"/essai-erreur/{TOKEN}/?q=Pétronille",
        {"nom": "Pétronille Dupont", "telephone": "0612345678"},
    )
    assert response.status_code == 500
    sentry_sdk.flush()

    [event] = [e for e in sentry.events if e.get("exception")]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["transaction"] == "/essai-erreur/{token}/"  # the route, not the path
    assert set(event["request"]) <= {"method"}  # no URL, query string, body, cookies, headers
    assert event["environment"] == "essai"
    text = json.dumps(sentry.events, ensure_ascii=False)
    session = client.cookies["sessionid"].value
    for personal in (
        TOKEN,
        "Pétronille",
        "0612345678",
        PERSON,
        user.email,
        session,
        "cookie-personnel",
    ):
        assert personal not in text, personal
    assert "[adresse e-mail masquée]" in text  # the error's message, kept without the address
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert not any("vars" in frame for frame in frames)


def test_an_error_log_reaches_sentry_masked(sentry):
    logging.getLogger("poitiers_inclusion.scheduler").error(
        "La tâche a échoué pour %s", PERSON, extra={"request": f"GET /vue/{TOKEN}/"}
    )
    sentry_sdk.flush()
    text = json.dumps(sentry.events, ensure_ascii=False)
    assert "La tâche a échoué pour" in text
    assert PERSON not in text and TOKEN not in text


def test_sentry_is_on_only_with_a_dsn():
    probe = (
        "import poitiers_inclusion.settings, sentry_sdk; c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['send_default_pii'], c.options['include_local_variables'])"
    )
    production = {"DATABASE_URL": "postgres://u:p@db.example:5432/x", "SECRET_KEY": PRODUCTION_KEY}
    off = _load_settings(production, code=probe)
    assert off.returncode == 0, off.stderr
    assert off.stdout.split() == ["False", "None", "True"]
    on = _load_settings(production | {"SENTRY_DSN": "https://cle@sentry.invalid/1"}, code=probe)
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == ["True", "False", "False"]
