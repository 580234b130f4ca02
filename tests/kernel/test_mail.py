"""poitiers_inclusion.mail: every e-mail from two plain-text templates, absolute links,
recipients cleaned, sent once the action's transaction commits."""

import pytest
from django.test import override_settings

from poitiers_inclusion import mail
from poitiers_inclusion.models import OutgoingEmail

TEMPLATES = {
    "essai/message_subject.txt": "Rendez-vous\n  chez {{ nom }} — {{ CITY_NAME }}\n",
    "essai/message.txt": "Bonjour {{ nom }},\n{{ lien }}\n{{ SITE_URL }}\n",
}


@pytest.fixture(autouse=True)
def templates():
    engine = {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
    }
    with override_settings(TEMPLATES=[engine]):
        yield


@pytest.mark.django_db
def test_it_renders_subject_and_body_as_plain_text(
    mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://inclusion.example"
    with django_capture_on_commit_callbacks(execute=True):
        sent = mail.send(
            "essai/message",
            to="jeanne@exemple.fr",
            context={"nom": "L'Atelier <Nord>", "lien": mail.absolute_url("login")},
        )
    assert sent is True and len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == f"Rendez-vous chez L'Atelier <Nord> — {settings.CITY_NAME}"
    assert message.body == (
        "Bonjour L'Atelier <Nord>,\n"
        "https://inclusion.example/connexion/\n"
        "https://inclusion.example\n"
    )
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.to == ["jeanne@exemple.fr"]


@pytest.mark.django_db
def test_it_writes_to_each_address_once_and_to_nobody_without_one(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mail.send("essai/message", to=["b@ex.fr", "", " a@ex.fr ", "b@ex.fr"], context={})
        assert mail.send("essai/message", to="", context={}) is False
        assert mail.send("essai/message", to=[None, " "], context={}) is False
    assert [m.to for m in mailoutbox] == [["a@ex.fr", "b@ex.fr"]]
    assert OutgoingEmail.objects.count() == 1


@pytest.mark.django_db
def test_nothing_leaves_before_the_transaction_commits(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        mail.send("essai/message", to="a@ex.fr", context={})
        assert mailoutbox == []
    assert len(waiting) == 1
    waiting[0]()
    assert len(mailoutbox) == 1
