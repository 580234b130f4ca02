"""The outbox: an e-mail the mail server refuses never loses its action; it waits, is retried
later and later, and the admin and the coordinator see what could not be sent."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from permanences.models import RendezVous
from poitiers_inclusion import mail
from poitiers_inclusion.enums import EmailStatus, Role
from poitiers_inclusion.models import AuditEvent, OutgoingEmail
from tests.concurrency import run_together
from tests.factories import OutgoingEmailAttachmentFactory, UserFactory
from tests.mail_backends import UnreachableBackend
from tests.permanences.factories_schedule import (
    BookablePermanenceFactory,
    booking_form,
    next_weekday,
)
from tests.reseau.factories import OrientationFactory

REFUSING = "tests.mail_backends.RefusingBackend"
UNREACHABLE = "tests.mail_backends.UnreachableBackend"
WORKING = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    """Each test starts with a mail server not known to be down."""
    monkeypatch.setattr(mail, "_unreachable_until", None)


def _queue(n=1):
    """n reminders of an orientation, to n addresses."""
    orientation = OrientationFactory()
    for i in range(n):
        mail.send(
            "reseau/emails/orientation_rappel",
            to=f"accueil{i}@exemple.test",
            context={"orientation": orientation, "answer_url": "https://exemple.test/"},
        )
    return list(OutgoingEmail.objects.order_by("pk"))


def _book(client):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    return client.post(url, booking_form())


@pytest.mark.django_db
def test_a_refused_e_mail_keeps_its_booking_and_waits_in_the_outbox(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(client)
    rendez_vous = RendezVous.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("permanences:booking_done", args=[rendez_vous.token])
    (waiting,) = OutgoingEmail.objects.all()
    assert waiting.status == EmailStatus.PENDING and waiting.attempts == 1
    assert waiting.to == ["jeanne@exemple.test"] and "Message refusé" in waiting.last_error
    assert waiting.next_attempt_at > timezone.now()

    settings.EMAIL_BACKEND = WORKING
    OutgoingEmail.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    assert "1 e-mail(s) envoyé(s)" in out.getvalue()
    waiting.refresh_from_db()
    assert waiting.status == EmailStatus.SENT and waiting.sent_at and waiting.last_error == ""
    (sent,) = mailoutbox
    assert sent.to == ["jeanne@exemple.test"] and rendez_vous.token in sent.body


@pytest.mark.django_db
def test_it_retries_later_and_later_then_gives_up(settings):
    settings.EMAIL_BACKEND = REFUSING
    (message,) = _queue()
    now = timezone.now()
    delays = []
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        assert mail.deliver(now=now) == {"envoyes": 0, "echecs": 1}
        message.refresh_from_db()
        assert message.attempts == attempt
        if message.status == EmailStatus.FAILED:
            break
        delays.append(message.next_attempt_at - now)
        # Not before its time.
        assert mail.deliver(now=message.next_attempt_at - datetime.timedelta(seconds=1)) == {
            "envoyes": 0,
            "echecs": 0,
        }
        now = message.next_attempt_at
    assert message.status == EmailStatus.FAILED and message.attempts == mail.MAX_ATTEMPTS
    minutes = [d.total_seconds() / 60 for d in delays]
    assert minutes[:4] == [5, 10, 20, 40] and minutes[-1] == 360
    assert minutes == sorted(minutes)
    assert mail.deliver(now=now + datetime.timedelta(days=1))["echecs"] == 0  # given up


@pytest.mark.django_db
def test_an_unreachable_server_costs_one_wait_not_one_per_message(settings):
    settings.EMAIL_BACKEND = UNREACHABLE
    UnreachableBackend.connections_tried = 0
    messages = _queue(3)
    assert mail.deliver() == {"envoyes": 0, "echecs": 1}
    assert UnreachableBackend.connections_tried == 1
    # The others wait, untried; the next messages of this process do not try either.
    assert [m.attempts for m in OutgoingEmail.objects.order_by("pk")] == [1, 0, 0]
    assert mail.deliver([messages[1].pk]) == {"envoyes": 0, "echecs": 0}
    assert UnreachableBackend.connections_tried == 1
    assert "ConnectionRefusedError" in OutgoingEmail.objects.get(pk=messages[0].pk).last_error


@pytest.mark.django_db
def test_the_message_of_an_action_rolled_back_is_never_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue()
            raise RuntimeError("l'action échoue")
    assert not OutgoingEmail.objects.exists() and mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_the_same_time_send_each_message_once(mailoutbox):
    _queue(6)  # no transaction around: each is tried at once, and goes
    assert len(mailoutbox) == 6
    mailoutbox.clear()
    OutgoingEmail.objects.update(status=EmailStatus.PENDING, next_attempt_at=timezone.now())
    outcomes = run_together(3, lambda n: mail.deliver())
    assert sum(o["envoyes"] for o in outcomes) == 6, outcomes
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        f"accueil{i}@exemple.test" for i in range(6)
    )


@pytest.mark.django_db
def test_old_messages_are_deleted_and_waiting_ones_kept(settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    sent, failed, pending, recent = _queue(4)
    long_ago = timezone.now() - datetime.timedelta(days=31)
    OutgoingEmail.objects.filter(pk__in=[sent.pk, failed.pk, pending.pk]).update(
        created_at=long_ago
    )
    OutgoingEmail.objects.filter(pk__in=[sent.pk, recent.pk]).update(status=EmailStatus.SENT)
    OutgoingEmail.objects.filter(pk=failed.pk).update(status=EmailStatus.FAILED)
    OutgoingEmail.objects.filter(pk=pending.pk).update(status=EmailStatus.PENDING)
    assert mail.purge() == 2
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk}


# --- The staff's page ---------------------------------------------------------------------------


@pytest.fixture
def refused(db, settings):
    settings.EMAIL_BACKEND = REFUSING
    (message,) = _queue()
    mail.deliver()
    OutgoingEmail.objects.filter(pk=message.pk).update(status=EmailStatus.FAILED)
    _queue()  # sent: not listed
    OutgoingEmail.objects.exclude(pk=message.pk).update(status=EmailStatus.SENT)
    message.refresh_from_db()
    return message


@pytest.mark.parametrize("role", [Role.COORDINATEUR, Role.ADMIN])
def test_the_staff_see_what_could_not_be_sent(refused, users, client_for, role):
    page = client_for(users[role]).get(reverse("kernel:outbox_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert refused.subject in html and "accueil0@exemple.test" in html
    assert "Message refusé par le serveur" in html and "Abandonné" in html
    assert html.count("Réessayer maintenant<") == 1
    assert 'href="/emails-non-envoyes/"' in html  # in their menu


def test_the_staff_see_which_files_wait_with_a_message(users, client_for):
    OutgoingEmailAttachmentFactory(
        email__last_error="SMTPDataError : refusé", filename="certificat-effacement-don-7.pdf"
    )
    html = client_for(users[Role.COORDINATEUR]).get(reverse("kernel:outbox_list")).content
    assert "Pièce jointe : certificat-effacement-don-7.pdf" in html.decode()


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.PRESCRIPTEUR, Role.TECHNICIEN])
def test_the_others_do_not(refused, users, client_for, role):
    client = client_for(users[role])
    assert client.get(reverse("kernel:outbox_list")).status_code == 403
    assert client.post(reverse("kernel:outbox_retry", args=[refused.pk])).status_code == 403


def test_the_staff_try_again_once_the_server_works(
    refused, users, client_for, settings, mailoutbox
):
    settings.EMAIL_BACKEND = WORKING
    client = client_for(users[Role.COORDINATEUR])
    response = client.post(reverse("kernel:outbox_retry", args=[refused.pk]), follow=True)
    assert "est parti" in response.content.decode()
    refused.refresh_from_db()
    assert refused.status == EmailStatus.SENT and [m.to for m in mailoutbox] == [refused.to]
    assert AuditEvent.objects.filter(
        action="kernel.email.retried", target_id=str(refused.pk)
    ).exists()
    assert "Aucun : tous les e-mails sont partis." in response.content.decode()


def test_a_retry_that_fails_again_says_why(refused, users, client_for):
    client = client_for(users[Role.ADMIN])
    response = client.post(reverse("kernel:outbox_retry", args=[refused.pk]), follow=True)
    assert "n'a toujours pas pu partir" in response.content.decode().replace("&#x27;", "'")
    refused.refresh_from_db()
    assert refused.status == EmailStatus.PENDING and refused.attempts == 2


@pytest.mark.django_db
def test_a_password_reset_e_mail_goes_through_the_outbox(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """A mail server that refuses the reset link does not break the page: the message waits in
    the outbox like any other, and its link (from SITE_URL, never from the request's Host)
    works once it is sent."""
    settings.EMAIL_BACKEND = REFUSING
    settings.ALLOWED_HOSTS = ["testserver", "piege.exemple.test"]
    UserFactory(email="camille@ville.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"),
            {"email": "camille@ville.fr"},
            HTTP_HOST="piege.exemple.test",
        )
    assert response.status_code == 302
    (waiting,) = OutgoingEmail.objects.all()
    assert waiting.template == "registration/password_reset"
    assert waiting.to == ["camille@ville.fr"] and waiting.status == EmailStatus.PENDING
    assert "piege.exemple.test" not in waiting.body

    settings.EMAIL_BACKEND = WORKING
    OutgoingEmail.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    call_command("send_outbox", stdout=io.StringIO())
    (sent,) = mailoutbox
    assert sent.subject == "Réinitialisation de votre mot de passe"
    link = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", sent.body).group(1)
    assert "Choisir un nouveau mot de passe" in client.get(link, follow=True).content.decode()
