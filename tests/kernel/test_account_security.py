"""Accounts and sessions hardened by design: Argon2 password hashes (older ones upgraded at
sign-in), sessions that end after inactivity, and a security.txt telling whom to warn."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion import settings as project_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_hashers(settings):
    """tests/conftest.py swaps in MD5 for speed; these tests need the production list."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_new_passwords_are_hashed_with_argon2(real_hashers):
    user = UserFactory()
    user.set_password("une-phrase-de-passe-solide")
    assert user.password.startswith("argon2$")


def test_an_older_hash_still_signs_in_and_is_upgraded_to_argon2(client, real_hashers):
    user = UserFactory(email="camille@ville.fr")
    user.password = make_password("mot-de-passe-de-2019", hasher="pbkdf2_sha256")
    user.save()
    response = client.post(
        reverse("login"), {"username": "camille@ville.fr", "password": "mot-de-passe-de-2019"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("mot-de-passe-de-2019")


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _signed_in(client) -> bool:
    response = client.get(reverse("password_change"))
    return response.status_code == 200


def test_a_session_ends_after_the_inactivity_period_and_activity_extends_it(client, settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_INACTIVITY_MINUTES * 60
    minutes = settings.SESSION_INACTIVITY_MINUTES
    start = timezone.now()
    with _at(start):
        client.force_login(UserFactory())
    with _at(start + datetime.timedelta(minutes=minutes - 10)):
        assert _signed_in(client)
    # Beyond the first hour, but within the period since the last request: still signed in.
    with _at(start + datetime.timedelta(minutes=2 * minutes - 20)):
        assert _signed_in(client)
    with _at(start + datetime.timedelta(minutes=3 * minutes - 19)):
        response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_security_txt_says_whom_to_warn(client, settings):
    settings.SECURITY_CONTACT = "securite@ville.example"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:securite@ville.example"
    assert fields["Preferred-Languages"] == "fr, en"
    assert fields["Canonical"] == f"{settings.SITE_URL}/.well-known/security.txt"
    expires = datetime.datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.UTC
    )
    # RFC 9116: in the future, and less than a year away.
    assert timezone.now() < expires < timezone.now() + datetime.timedelta(days=365)


def test_security_txt_keeps_a_contact_page_address(client, settings):
    settings.SECURITY_CONTACT = "https://www.ville.example/signaler-une-faille"
    body = client.get("/.well-known/security.txt").content.decode()
    assert "Contact: https://www.ville.example/signaler-une-faille\n" in body
