"""Attachments of the outbox's e-mails: kept with the message, sent with it, sent again by a retry,
deleted with it by the retention purge."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from poitiers_inclusion import mail
from poitiers_inclusion.enums import EmailStatus
from poitiers_inclusion.models import OutgoingEmail, OutgoingEmailAttachment

TEMPLATES = {
    "essai/piece_subject.txt": "Votre certificat",
    "essai/piece.txt": "Bonjour,\nVoici le certificat en pièce jointe.\n",
}
PDF = b"%PDF-1.4\n% un faux PDF\n%%EOF\n"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def templates(monkeypatch):
    monkeypatch.setattr(mail, "_unreachable_until", None)
    engine = {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
    }
    with override_settings(TEMPLATES=[engine]):
        yield


def _send(**extra):
    return mail.send(
        "essai/piece",
        to="donateur@exemple.fr",
        attachments=[("certificat.pdf", PDF, "application/pdf")],
        **extra,
    )


def test_it_sends_the_attachment_with_the_message(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _send() is True
    (message,) = mailoutbox
    assert message.attachments == [("certificat.pdf", PDF, "application/pdf")]


def test_a_retry_sends_the_same_file(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _send()
    assert mailoutbox == []
    queued = OutgoingEmail.objects.get()
    assert queued.status == EmailStatus.PENDING and queued.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert mail.retry(queued)["envoyes"] == 1
    assert mailoutbox[0].attachments == [("certificat.pdf", PDF, "application/pdf")]


def test_the_purge_deletes_the_files_with_their_message(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        _send()
        _send()
    old, recent = OutgoingEmail.objects.order_by("pk")
    OutgoingEmail.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert mail.purge() == 1
    assert list(OutgoingEmailAttachment.objects.values_list("email", flat=True)) == [recent.pk]
