"""Logging in by e-mail, slowed down after repeated failures; password reset by e-mail."""

import re

from django.core import mail
from django.urls import reverse

from poitiers_inclusion.models import LoginFailure
from tests.factories import PASSWORD, UserFactory


def _login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_it_logs_in_by_email_case_insensitively(client, db):
    user = UserFactory(email="camille@ville.fr")
    response = _login(client, "Camille@Ville.FR", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_does_not_tell_whether_the_account_exists(client, db):
    UserFactory(email="camille@ville.fr")
    known = _login(client, "camille@ville.fr", "mauvais").content.decode()
    unknown = _login(client, "inconnu@ville.fr", "mauvais").content.decode()
    message = "Adresse e-mail ou mot de passe incorrect."
    assert message in known and message in unknown
    # What was typed is kept (the e-mail), the password is not echoed back.
    assert 'value="camille@ville.fr"' in known
    assert "mauvais" not in known


def test_repeated_failures_are_slowed_down(client, settings, db):
    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(email="camille@ville.fr")
    for _ in range(3):
        _login(client, "camille@ville.fr", "mauvais")
    response = _login(client, "camille@ville.fr", PASSWORD)
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(email="camille@ville.fr").count() == 3


def test_an_unknown_account_is_slowed_down_the_same_way(client, settings, db):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        _login(client, "inconnu@ville.fr", "x")
    assert "Trop de tentatives" in _login(client, "inconnu@ville.fr", "x").content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(
    client, db, settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="camille@ville.fr")
    # The e-mail goes through the outbox: sent once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "camille@ville.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "mot de passe" in mail.outbox[0].body
    link = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in form_page.content.decode()
    new = "un-nouveau-mot-de-passe-2025"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Mot de passe modifié" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_reset_for_an_unknown_address_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "personne@ville.fr"}, follow=True)
    assert "Si un compte correspond" in response.content.decode()
    assert mail.outbox == []


def test_login_page_is_french_and_public(client, db):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "<title>Connexion — Inclusion numérique" in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
