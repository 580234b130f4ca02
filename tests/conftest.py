"""Shared fixtures: one account per role, logged-in clients, headless Chromium."""

import os
import shutil
import tempfile
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


class UndefinedTemplateVariable(Exception):
    """A template used a variable that its context does not hold."""


class _FailOnUndefined(str):
    """Django's `string_if_invalid` for the tests (as les-emplois does): a page that prints an
    undefined variable fails instead of showing an empty string. Django formats it with the
    variable's name ("%s" in it), or renders it as is for a method it cannot call: both raise.
    `{% if x %}` on a missing key stays allowed (Django never formats it there)."""

    def __new__(cls):
        return super().__new__(cls, "%s")

    def __mod__(self, name):
        raise UndefinedTemplateVariable(f"variable de gabarit non définie : {name}")

    def __str__(self):
        raise UndefinedTemplateVariable("méthode appelée sans ses arguments dans un gabarit")


def pytest_configure(config):
    # Before the first page is rendered, so that the template engines are built with it (also
    # for the live server of the browser tests).
    from django.conf import settings

    for engine in settings.TEMPLATES:
        engine.setdefault("OPTIONS", {})["string_if_invalid"] = _FailOnUndefined()


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
def _bench_results_elsewhere(tmp_path_factory, monkeypatch):
    """Bench commands run by tests write their measures to a file of the test run, never to the
    repository's bench/results.json (the figures of the last real `make bench`)."""
    from poitiers_inclusion import benchmarks

    monkeypatch.setattr(benchmarks, "RESULTS", tmp_path_factory.getbasetemp() / "results.json")


@pytest.fixture
def figures_store_dir(settings, tmp_path):
    """The figures stores (médiations, workshops) written in a folder of the test; their tables
    emptied afterwards (not models: the flush between transactional tests leaves them)."""
    from django.db import connection

    settings.FIGURES_STORE_DIR = tmp_path
    yield tmp_path
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM permanences_figures_store")
        cursor.execute("DELETE FROM ateliers_figures_store")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Real hashing is slow on purpose; tests only need passwords to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def open_tmp_path():
    """A temporary folder others may traverse, for tests that start an embedded PostgreSQL:
    as root, pgserver runs PostgreSQL as the user "pgserver", who must traverse every folder
    above its data, and pytest keeps /tmp/pytest-of-<user> at 0700 (another pytest started on
    the machine resets it so even after pgserver opened it)."""
    path = Path(tempfile.mkdtemp(prefix="inclusion-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)
