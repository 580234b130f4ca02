"""The Content-Security-Policy in Chromium: HTML injected into a page cannot run script nor style
it, while the site's own maps, charts, search-as-you-type and buttons work without a refusal."""

import datetime
import re

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.browser import csp_refusals, login_in_browser
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory, UserFactory
from tests.permanences.factories import MediationFactory
from tests.permanences.factories_log import permanence_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _refused(what):
    """Chromium's report of a refusal ("Refused to execute inline script because it violates the
    following Content Security Policy directive…", or "Executing inline script violates…")."""
    return lambda message: "Content Security Policy" in message.text and what in message.text


@pytest.mark.urls("tests.kernel.csp_urls")
def test_html_injected_into_a_page_neither_runs_nor_styles(page, live_server):
    with (
        page.expect_console_message(_refused("inline script")),
        page.expect_console_message(_refused("inline event handler")),
        page.expect_console_message(_refused("inline style")),
    ):
        response = page.goto(f"{live_server.url}/essai-injection/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Chromium refuses (and reports) both event handlers while it reads the page.
    page.locator("#injected-click").click()
    assert page.evaluate("window.__pwned") is None
    colour = page.locator("#injected-style").evaluate("el => getComputedStyle(el).color")
    assert colour not in ("rgb(255, 0, 0)", "rgb(0, 0, 255)")
    # The site's own scripts still run on that page.
    assert page.evaluate("typeof window.bootstrap") == "object"


def test_a_page_is_served_with_the_whole_policy(page, live_server):
    response = page.goto(f"{live_server.url}/reseau/carte/")
    policy = response.headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https://tile.openstreetmap.org",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe" not in policy


def test_maps_charts_and_forms_work_without_a_refusal(page, live_server, make_user):
    own = re.escape(live_server.url)
    page.route(re.compile(rf"^(?!{own}).*"), lambda route: route.abort())
    refusals = csp_refusals(page)
    conseiller = UserFactory(conseiller=True)
    permanence = permanence_today(conseiller)
    quartier = QuartierFactory(nom="Nord", latitude=46.60, longitude=0.30)
    lieu = LieuFactory(quartier=quartier, latitude=46.58, longitude=0.35)
    known = UsagerFactory(identified=True, first_name="Odette", last_name="Marchand")
    for month in range(3):
        MediationFactory(
            conseiller=conseiller,
            lieu=lieu,
            date=datetime.date.today() - datetime.timedelta(days=30 * month + 1),
            usagers=[known],
        )
    seance = SeanceFactory(
        lieu=permanence.lieu, date=datetime.date.today(), animateurs=[conseiller]
    )
    InscriptionFactory(seance=seance)

    page.goto(f"{live_server.url}/reseau/carte/")
    page.locator(".leaflet-marker-icon").first.click()
    page.locator(".leaflet-popup-content").wait_for()

    login_in_browser(page, live_server, conseiller)
    page.goto(f"{live_server.url}/permanences/saisir/")
    page.get_by_text("Déjà accompagné", exact=True).click()
    page.get_by_label("Rechercher parmi les personnes déjà accompagnées").fill("marc")
    page.get_by_text("MARCHAND Odette").click()  # swapped in by htmx
    page.goto(f"{live_server.url}{reverse('ateliers:seance_detail', args=[seance.pk])}")
    page.get_by_role("button", name="Présent").first.click()
    page.get_by_role("button", name="Présent", pressed=True).first.wait_for()

    page.context.clear_cookies()
    login_in_browser(page, live_server, make_user(Role.COORDINATEUR))
    page.goto(f"{live_server.url}/reseau/couverture/")
    page.locator("path.leaflet-interactive").first.hover()
    page.locator(".leaflet-tooltip").wait_for()
    page.goto(f"{live_server.url}/pilotage/")
    assert page.locator("svg.bar").first.bounding_box()["width"] > 10
    assert page.locator("path.chart-dots").count() > 0
    assert refusals == []
