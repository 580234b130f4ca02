"""Browser journey at 390 px: a coordinator merges a lieu a Coop import created into the lieu it
duplicates, and confirms another one as new."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from permanences.models import Mediation
from poitiers_inclusion.enums import Role
from reseau.models import Lieu
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import LieuFactory
from tests.permanences.factories import MediationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_merges_then_confirms_imported_lieux(phone_page, live_server, make_user):
    coordinator = make_user(Role.COORDINATEUR)
    seve = LieuFactory(nom="SEVE", adresse="12 rue Pierre de Coubertin")
    duplicate = LieuFactory(
        nom="Maison de quartier Sèvre", awaiting_confirmation=True, suggested_match=seve
    )
    MediationFactory(lieu=duplicate)
    LieuFactory(nom="Tiers-lieu Le Local", awaiting_confirmation=True)

    login_in_browser(phone_page, live_server, coordinator)
    phone_page.goto(f"{live_server.url}{reverse('reseau:lieu_list')}")
    phone_page.get_by_role("link", name="2 lieux créés par un import à confirmer").click()
    card = phone_page.get_by_role("region", name="Maison de quartier Sèvre")
    expect(card.get_by_text("Ressemble à SEVE")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(phone_page) == []
    screenshot(phone_page, "lieux-a-confirmer-390")
    # The suggested lieu is chosen already: one tap merges.
    card.get_by_role("button", name="Fusionner").click()
    expect(phone_page.get_by_text("est fusionné dans « SEVE »")).to_be_visible()
    assert Mediation.objects.get().lieu == seve

    phone_page.get_by_role("button", name="C'est un nouveau lieu : le confirmer").click()
    expect(phone_page.get_by_text("Aucun lieu n'attend de confirmation")).to_be_visible()
    assert not Lieu.objects.filter(awaiting_confirmation=True).exists()
