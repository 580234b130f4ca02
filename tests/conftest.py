"""Shared fixtures: one account per role, logged-in clients, headless Chromium."""

import os
from pathlib import Path

import pytest
from django.test import Client

from poitiers_inclusion.enums import Role

from .factories import UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# test (to set up data) are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def make_user(db):
    def make(role=Role.CONSEILLER, **kwargs):
        traits = {role: True} if role in Role.values else {}
        return UserFactory(**traits, **kwargs)

    return make


@pytest.fixture
def users(make_user):
    """One active account per role."""
    return {role: make_user(role) for role in Role.values}


@pytest.fixture
def client_for(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Chromium est absent : installez le paquet Debian 'chromium' (make test le fait)."
        )
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser):
    """A 390-px-wide phone screen with touch."""
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Real hashing is slow on purpose; tests only need passwords to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
