"""Browser journey at 390 px: a conseiller reads the social internet offers, then notes in a
médiation that the person was pointed to one."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from permanences.models import Mediation
from reseau.models import OffreInternetSociale
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import StructureFactory, UserFactory
from tests.permanences.factories_log import permanence_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_conseiller_points_a_person_to_a_social_internet_offer(phone_page, live_server):
    conseiller = UserFactory(conseiller=True, first_name="Camille")
    permanence_today(conseiller)
    offre = OffreInternetSociale.objects.create(
        offre="Box sociale", fournisseur="Orange", prix="15.99", conditions="Bénéficiaires du RSA"
    )
    offre.structures.add(StructureFactory(nom="CCAS de Poitiers"))
    page = phone_page
    login_in_browser(page, live_server, conseiller)

    page.goto(f"{live_server.url}{reverse('reseau:offre_list')}")
    expect(page.get_by_text("15,99 € par mois")).to_be_visible()
    expect(page.get_by_text("Aide à la souscription : CCAS de Poitiers.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    screenshot(page, "offres-internet-390")

    page.goto(f"{live_server.url}{reverse('permanences:log')}")
    page.get_by_text("Navigation sur internet", exact=True).click()
    page.get_by_text("45 min", exact=True).click()
    page.locator("#id_redirige_group").get_by_text("Oui", exact=True).click()
    page.get_by_label("Structure de redirection").select_option(
        label="Offre sociale internet (fournisseur d’accès)"
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("enregistrée")
    assert Mediation.objects.get().structure_redirection == "offre_sociale_internet"
