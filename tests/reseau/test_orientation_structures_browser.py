"""Browser journey at 390 px: a conseiller chooses the need, and the structures offering it come
first in the list, without reloading the page and with nothing the CSP refuses."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reseau.enums import PreferenceContact, Service
from reseau.models import Orientation
from tests.browser import axe_violations, csp_refusals, login_in_browser, screenshot
from tests.factories import StructureFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_conseiller_sees_first_the_structures_offering_the_need(phone_page, live_server):
    conseiller = UserFactory(conseiller=True)
    StructureFactory(nom="CCAS", services=[Service.DEMARCHES])
    mission_locale = StructureFactory(nom="Mission locale", services=[Service.INSERTION_PRO])
    StructureFactory(nom="CAF", services=[Service.DEMARCHES])
    page = phone_page
    refusals = csp_refusals(page)
    login_in_browser(page, live_server, conseiller)
    page.goto(f"{live_server.url}{reverse('reseau:orientation_create')}")
    page.get_by_label("Structure qui oriente").select_option(label="CCAS")
    page.get_by_label("Prénom de la personne").fill("Jeanne")

    page.get_by_label("Besoin").select_option(Service.INSERTION_PRO.value)
    destination = page.get_by_label("Structure vers laquelle orienter")
    first_group = destination.locator("optgroup").first
    expect(first_group).to_have_attribute("label", f"Proposent « {Service.INSERTION_PRO.label} »")
    expect(first_group.locator("option")).to_have_text(["Mission locale"])
    expect(page.get_by_text("1 structure propose ce service")).to_be_visible()
    # Swapped in place: what was typed is still there.
    expect(page.get_by_label("Prénom de la personne")).to_have_value("Jeanne")
    assert page.evaluate("document.documentElement.scrollWidth <= 390")
    assert axe_violations(page) == []
    screenshot(page, "orientation-structures-390")

    destination.select_option(label="Mission locale")
    page.locator("#id_nom").fill("Orientée")
    page.locator("#id_telephone").fill("0600000000")
    page.get_by_label("Préférence de contact").select_option(PreferenceContact.TELEPHONE.value)
    page.locator("#id_situation").fill("Cherche un accompagnement pour son CV.")
    page.get_by_label("La personne a donné son accord").check()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_text("Orientation envoyée à Mission locale")).to_be_visible()
    assert Orientation.objects.get().structure_destination == mission_locale
    assert refusals == []
