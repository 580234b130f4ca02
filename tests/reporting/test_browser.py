"""The dashboard in headless Chromium, desktop and phone: readable charts, no serious axe finding."""

import datetime

import pytest

from permanences.enums import TypeActivite
from poitiers_inclusion.enums import Role
from reporting.models import ExternalIndicator
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory
from tests.permanences.factories import MediationFactory, PermanenceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(make_user):
    conseiller = make_user(Role.CONSEILLER)
    lieux = [
        LieuFactory(nom=n)
        for n in (
            "Médiathèque François-Mitterrand",
            "Mairie de quartier des Couronneries",
            "Épicerie solidaire",
        )
    ]
    for i in range(24):
        MediationFactory(
            conseiller=conseiller,
            lieu=lieux[i % 3],
            date=datetime.date(2025, 1 + i % 6, 1 + i),
            type_activite=TypeActivite.COLLECTIF if i % 5 == 0 else TypeActivite.INDIVIDUEL,
            usagers=[UsagerFactory() for _ in range(1 + i % 2)],
        )
    return make_user(Role.COORDINATEUR)


def test_the_coordinator_reads_the_dashboard_on_a_desktop(page, live_server, data):
    login_in_browser(page, live_server, data)
    page.goto(f"{live_server.url}/pilotage/?du=2025-01-01&au=2025-06-30")
    assert page.get_by_role("heading", level=1, name="Tableau de bord").is_visible()
    assert page.get_by_role("img", name="Graphique : Par lieu").first.is_visible()
    assert page.locator(".bar").count() > 0
    screenshot(page, "reporting-dashboard-desktop")
    assert axe_violations(page) == []


def test_the_filters_travel_in_the_url(page, live_server, data):
    login_in_browser(page, live_server, data)
    page.goto(f"{live_server.url}/pilotage/")
    page.get_by_label("Type").select_option("collectif")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_load_state()
    assert "type=collectif" in page.url
    assert "Type : Atelier collectif" in page.locator("#filtres-actifs").inner_text()


def test_the_dashboard_reads_on_a_phone(phone_page, live_server, data):
    login_in_browser(phone_page, live_server, data)
    phone_page.goto(f"{live_server.url}/pilotage/")
    width = phone_page.evaluate("document.querySelector('main').scrollWidth")
    assert width <= 390
    screenshot(phone_page, "reporting-dashboard-phone")
    assert axe_violations(phone_page) == []


def test_the_report_and_indicator_pages_pass_axe(page, live_server, data):
    quartiers = [QuartierFactory(code=f"B{i}") for i in range(3)]
    PermanenceFactory(lieu=LieuFactory(quartier=quartiers[0]), valid_from=datetime.date(2024, 3, 1))
    for q, base in zip(quartiers, (10, 20, 5), strict=True):
        for month in range(1, 7):
            ExternalIndicator.objects.create(
                indicateur="Inscriptions CAF",
                quartier=q,
                mois=datetime.date(2024, month, 1),
                valeur=base + month,
            )
    login_in_browser(page, live_server, data)
    page.goto(f"{live_server.url}/pilotage/rapport/?du=2025-01-01&au=2025-06-30")
    screenshot(page, "reporting-report")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    assert page.locator("form.filters").is_hidden()
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/pilotage/indicateurs/")
    assert page.get_by_text("Petits effectifs").is_visible()
    screenshot(page, "reporting-indicators")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/pilotage/indicateurs/importer/")
    assert axe_violations(page) == []


def test_a_shared_view_reads_on_a_phone_without_an_account(phone_page, live_server, data):
    from reporting.models import VuePartagee

    share = VuePartagee.objects.create(
        titre="Bilan pour le conseil municipal",
        filtres={"du": "2025-01-01", "au": "2025-06-30"},
        expires_on=datetime.date.today() + datetime.timedelta(days=10),
        created_by=data,
    )
    phone_page.goto(f"{live_server.url}/pilotage/vue/{share.token}/")
    heading = phone_page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Bilan pour le conseil municipal"
    assert phone_page.get_by_role("img", name="Graphique : Par lieu").first.is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "reporting-shared-view-phone")
    assert axe_violations(phone_page) == []
