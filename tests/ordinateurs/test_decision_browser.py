"""Browser check at 390 px: the coordination finds a request eligible; it is on the waiting list
at once, its priority and rank shown."""

import pytest
from playwright.sync_api import expect

from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import UserFactory
from tests.ordinateurs.factories import DemandeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordination_finds_a_request_eligible_on_a_phone(phone_page, live_server):
    coordinator = UserFactory(coordinateur=True)
    demande = DemandeFactory()
    page = phone_page
    login_in_browser(page, live_server, coordinator)
    page.goto(f"{live_server.url}/ordinateurs/demandes/{demande.pk}/decision/")
    page.get_by_label("Éligible : inscrire sur la liste d'attente").check()
    page.get_by_label("Priorité sur la liste d'attente").select_option(label="Haute")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la décision").tap()
    expect(page.get_by_role("status")).to_contain_text("liste d'attente, priorité haute, rang 1")
    expect(page.locator("p.lead")).to_have_text(
        "Demande liste d'attente · rang 1 sur la liste d'attente · priorité haute"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-decision-eligible-390")
