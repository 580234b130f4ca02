"""Residents are told by the first channel that reaches them (poitiers_inclusion/reach.py): an
e-mail, else a text message to a mobile when text messages are configured, else a call listed
for the staff. Text messages wait in an outbox and are retried like the e-mails; Brevo's API is
spoken as documented, checked against a stand-in server on 127.0.0.1."""

import datetime
import json
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.management import call_command
from django.utils import timezone

from poitiers_inclusion import reach, sms
from poitiers_inclusion.enums import EmailStatus
from poitiers_inclusion.models import CallToMake, OutgoingSms
from poitiers_inclusion.phones import is_mobile, normalise
from tests.factories import UsagerFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def texts(settings):
    """Text messages configured, kept in memory."""
    settings.SMS_BACKEND = "poitiers_inclusion.sms.LocmemBackend"
    sms.sent_messages.clear()
    yield sms.sent_messages
    sms.sent_messages.clear()


def _tell(about, **contact):
    return reach.tell(
        "permanences/emails/rappel",
        context=_booking_context(),
        about=about,
        app="permanences",
        reason="Rappel du rendez-vous",
        due_by=TOMORROW,
        name="Jeanne Martin",
        **contact,
    )


def _booking_context():
    from tests.permanences.factories_schedule import RendezVousFactory

    rdv = RendezVousFactory()
    permanence = rdv.creneau.permanence
    return {"rdv": rdv, "permanence": permanence, "lieu": permanence.lieu, "cancel_url": "/x/"}


def test_it_tells_mobiles_from_landlines():
    assert is_mobile("06 12 34 56 78") and is_mobile("+33 7 12 34 56 78")
    assert not is_mobile("05 49 41 00 00") and not is_mobile("0612") and not is_mobile("")
    assert normalise("06.12.34.56.78") == "+33612345678"
    assert is_mobile("0690 12 34 56") and is_mobile("+262 692 12 34 56")
    assert not is_mobile("+44 7700 900123") and not is_mobile("05 08 41 23 45")


def test_an_e_mail_comes_first(texts, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        channel = _tell(UsagerFactory(), email="jeanne@example.fr", phone="0612345678")
    assert channel == reach.EMAIL and len(mailoutbox) == 1 and texts == []


def test_a_mobile_without_e_mail_gets_a_text_message(texts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        channel = _tell(UsagerFactory(), phone="06 12 34 56 78")
    assert channel == reach.SMS
    (text,) = texts
    assert text["to"] == "+33612345678"
    assert text["body"].startswith("Rappel : rendez-vous avec un conseiller numérique le ")
    assert "Pour annuler" in text["body"] and "\n" not in text["body"]
    assert OutgoingSms.objects.get().status == EmailStatus.SENT
    assert not CallToMake.objects.exists()


def test_an_overseas_mobile_gets_its_text_at_its_own_country_code(
    texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        channel = _tell(UsagerFactory(), phone="06 90 12 34 56")
    assert channel == reach.SMS
    assert [text["to"] for text in texts] == ["+590690123456"]


def test_a_landline_is_called(texts):
    about = UsagerFactory()
    assert _tell(about, phone="05 49 41 00 00") == reach.CALL
    call = CallToMake.objects.get()
    assert (call.phone, call.name, call.due_by, call.app) == (
        "+33549410000",
        "Jeanne Martin",
        TOMORROW,
        "permanences",
    )
    assert call.message.startswith("Rappel : rendez-vous avec un conseiller numérique le ")
    assert "annuler" not in call.message  # words to say, not a link to read out
    assert texts == []


def test_a_mobile_is_called_when_text_messages_are_not_configured(settings, capsys):
    settings.SMS_BACKEND = "poitiers_inclusion.sms.ConsoleBackend"
    assert _tell(UsagerFactory(), phone="0612345678") == reach.CALL
    assert CallToMake.objects.get().phone == "+33612345678"
    assert not OutgoingSms.objects.exists()


def test_nobody_is_told_without_any_contact(texts):
    assert _tell(UsagerFactory()) == ""
    assert not CallToMake.objects.exists() and texts == []


def test_a_text_message_that_fails_waits_and_goes_later(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.sms_backends.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert _tell(UsagerFactory(), phone="0612345678") == reach.SMS
    message = OutgoingSms.objects.get()
    assert message.status == EmailStatus.PENDING and message.attempts == 1
    assert "TimeoutError" in message.last_error
    settings.SMS_BACKEND = "poitiers_inclusion.sms.LocmemBackend"
    sms.sent_messages.clear()
    call_command("send_outbox", stdout=open("/dev/null", "w"))  # not due yet
    assert sms.sent_messages == []
    counts = sms.deliver(now=message.next_attempt_at)
    assert counts == {"envoyes": 1, "echecs": 0}
    assert [t["to"] for t in sms.sent_messages] == ["+33612345678"]
    sms.sent_messages.clear()


def test_a_text_message_given_up_puts_the_person_on_the_call_list(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.sms_backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _tell(UsagerFactory(), phone="0612345678")
    message = OutgoingSms.objects.get()
    assert message.status == EmailStatus.FAILED and message.attempts == 1  # at once
    call = CallToMake.objects.get()
    assert (call.phone, call.name, call.reason) == (
        "+33612345678",
        "Jeanne Martin",
        "Rappel du rendez-vous",
    )
    assert call.message == message.body


# --- Brevo, against a stand-in server --------------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def brevo(settings):
    """A stand-in for Brevo's API on 127.0.0.1: records each request, answers `reply`."""
    received = []
    state = {"reply": ("201 Created", b'{"messageId": 1511882900176220}')}

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        received.append(
            {
                "method": environ["REQUEST_METHOD"],
                "path": environ["PATH_INFO"],
                "api-key": environ.get("HTTP_API_KEY"),
                "content-type": environ.get("CONTENT_TYPE"),
                "json": json.loads(environ["wsgi.input"].read(length)),
            }
        )
        status, body = state["reply"]
        start_response(status, [("Content-Type", "application/json")])
        return [body]

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "poitiers_inclusion.sms.BrevoBackend"
    settings.SMS_BREVO_API_KEY = "xkeysib-test"
    settings.SMS_BREVO_URL = f"http://127.0.0.1:{server.server_port}/v3/transactionalSMS/send"
    settings.SMS_SENDER = "Poitiers"
    yield received, state
    server.shutdown()
    server.server_close()


def test_brevo_receives_the_message_as_its_api_says(brevo, django_capture_on_commit_callbacks):
    received, _ = brevo
    with django_capture_on_commit_callbacks(execute=True):
        assert _tell(UsagerFactory(), phone="07 12 34 56 78") == reach.SMS
    (request,) = received
    assert request["method"] == "POST" and request["path"] == "/v3/transactionalSMS/send"
    assert request["api-key"] == "xkeysib-test"
    assert request["content-type"] == "application/json"
    body = request["json"]
    assert body["recipient"] == "33712345678" and body["sender"] == "Poitiers"
    assert body["type"] == "transactional" and body["unicodeEnabled"] is True
    assert body["content"] == OutgoingSms.objects.get().body
    assert OutgoingSms.objects.get().status == EmailStatus.SENT


def test_brevo_busy_is_tried_again(brevo, django_capture_on_commit_callbacks):
    received, state = brevo
    state["reply"] = ("503 Service Unavailable", b'{"code": "unavailable"}')
    with django_capture_on_commit_callbacks(execute=True):
        _tell(UsagerFactory(), phone="0712345678")
    message = OutgoingSms.objects.get()
    assert message.status == EmailStatus.PENDING and "HTTP 503" in message.last_error
    assert "xkeysib" not in message.last_error
    state["reply"] = ("201 Created", b'{"messageId": 1}')
    assert sms.deliver(now=message.next_attempt_at)["envoyes"] == 1
    assert len(received) == 2


def test_brevo_refusing_the_number_means_a_call(brevo, django_capture_on_commit_callbacks):
    _, state = brevo
    state["reply"] = ("400 Bad Request", b'{"code": "invalid_parameter"}')
    with django_capture_on_commit_callbacks(execute=True):
        _tell(UsagerFactory(), phone="0712345678")
    assert OutgoingSms.objects.get().status == EmailStatus.FAILED
    assert CallToMake.objects.get().phone == "+33712345678"


def test_brevo_without_a_key_is_not_configured(settings):
    settings.SMS_BACKEND = "poitiers_inclusion.sms.BrevoBackend"
    settings.SMS_BREVO_API_KEY = ""
    assert not sms.is_configured()


def test_old_calls_are_deleted():
    about = UsagerFactory()
    _tell(about, phone="0549410000")
    CallToMake.objects.update(due_by=timezone.localdate() - datetime.timedelta(days=30))
    assert reach.purge_calls() == 1
