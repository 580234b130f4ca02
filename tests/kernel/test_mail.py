"""poitiers_inclusion.mail: every e-mail from two plain-text templates, absolute links,
recipients cleaned."""

import pytest
from django.test import override_settings

from poitiers_inclusion import mail

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


def test_it_renders_subject_and_body_as_plain_text(mailoutbox, settings):
    settings.SITE_URL = "https://inclusion.example"
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


def test_it_writes_to_each_address_once_and_to_nobody_without_one(mailoutbox):
    mail.send("essai/message", to=["b@ex.fr", "", " a@ex.fr ", "b@ex.fr"], context={"nom": "x"})
    assert mailoutbox[0].to == ["a@ex.fr", "b@ex.fr"]
    assert mail.send("essai/message", to="", context={}) is False
    assert mail.send("essai/message", to=[None, " "], context={}) is False
    assert len(mailoutbox) == 1
