"""While the database is away, every page answers a French 503 page (never a trace, never a 500),
rendered without the database; a form sent then says that nothing was saved.

The outage is simulated in the process (every SQL statement fails as with a server gone); the
real thing — PostgreSQL stopped under gunicorn, then started again — is
tests/kernel/test_prod_faults.py.
"""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from poitiers_inclusion.enums import Role
from tests.browser import axe_violations

from .test_permission_matrix import ROUTES, _access, _sample_kwargs

pytestmark = pytest.mark.django_db
UNAVAILABLE = "Le service est momentanément indisponible"
NOT_SAVED = "n’a pas été enregistré"


def _server_gone(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def _connection_closed(execute, sql, params, many, context):
    raise InterfaceError("connection already closed")


def _signed_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _assert_unavailable_page(response):
    html = response.content.decode()
    assert response.status_code == 503, response.status_code
    assert UNAVAILABLE in html and '<html lang="fr">' in html
    assert int(response["Retry-After"]) > 0
    assert "Traceback" not in html and "server closed" not in html
    return html


@pytest.mark.parametrize("failure", [_server_gone, _connection_closed], ids=["gone", "closed"])
def test_a_signed_in_page_answers_a_french_503(users, failure):
    client = _signed_in(users[Role.CONSEILLER])
    with connection.execute_wrapper(failure):
        response = client.get(reverse("permanences:log"))
    html = _assert_unavailable_page(response)
    assert NOT_SAVED not in html  # nothing was sent: no need to worry the person


def test_a_form_sent_during_the_outage_says_that_nothing_was_saved(users):
    client = _signed_in(users[Role.CONSEILLER])
    with connection.execute_wrapper(_server_gone):
        response = client.post(reverse("permanences:log"), {"date": "2025-01-06"})
    html = _assert_unavailable_page(response)
    assert NOT_SAVED in html
    assert "Retour" in html  # where what was typed still is


def test_a_public_page_answers_a_french_503():
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(_server_gone):
        response = client.get(reverse("ateliers:programme"))
    _assert_unavailable_page(response)


def test_any_other_error_is_still_a_500(settings):
    settings.SECURITY_CONTACT = None  # a fault of the application, not of the database
    response = Client(raise_request_exception=False).get(reverse("security_txt"))
    assert response.status_code == 500
    assert UNAVAILABLE not in response.content.decode()


def test_no_page_answers_500_while_the_database_is_down(users):
    """Every named URL, as a role it admits (anonymous for public pages): the 503 page, or an
    answer that needed no database (a redirect, security.txt, an API asking for its token) — never a 500."""
    clients = {role: _signed_in(users[role]) for role in Role.values}
    anonymous = Client(raise_request_exception=False)
    seen = {}
    with connection.execute_wrapper(_server_gone):
        for name, pattern in ROUTES:
            access = _access(pattern.callback)
            client = anonymous if access in ("public", "api") else clients[sorted(access)[0]]
            response = client.get(reverse(name, kwargs=_sample_kwargs(pattern)))
            seen[name] = response.status_code
            if response.status_code == 503 and name != "health":
                _assert_unavailable_page(response)
    assert 500 not in seen.values(), {name: s for name, s in seen.items() if s == 500}
    assert set(seen.values()) <= {200, 302, 401, 405, 503}, seen
    assert list(seen.values()).count(503) > len(seen) / 2


@pytest.mark.browser
def test_the_503_page_is_accessible_on_a_phone(users, browser, live_server):
    client = _signed_in(users[Role.CONSEILLER])
    with connection.execute_wrapper(_server_gone):
        html = client.post(reverse("permanences:log"), {"date": "2025-01-06"}).content.decode()
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )
    page = context.new_page()
    try:
        # The page's style sheets come from the live server (set_content keeps its address).
        page.goto(f"{live_server.url}/.well-known/security.txt")
        page.set_content(html, wait_until="load")
        expect(page.get_by_role("alert")).to_contain_text(NOT_SAVED)
        assert (
            page.evaluate(
                "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
            )
            != "rgba(0, 0, 0, 0)"
        )
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
