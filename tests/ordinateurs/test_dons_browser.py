"""Browser check at 390 px: a company offers computers on its phone, corrects one mistake and
reads what happens next; the team then opens the donation."""

import pytest

from ordinateurs.enums import StatutDon
from ordinateurs.models import Don
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_company_offers_computers_on_a_phone(phone_page, live_server, mailoutbox):
    page = phone_page
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Donner des ordinateurs").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Donner des ordinateurs"
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-don-390")

    page.get_by_label("Nom de l'entreprise ou de l'organisme").fill("Assurances du Centre")
    page.get_by_label("SIRET").fill("732 829 320 00075")  # one digit wrong
    page.get_by_label("Personne à contacter").fill("Claire Martin")
    page.get_by_label("E-mail").fill("rse@assur.example")
    page.get_by_label("Nombre d'appareils").fill("12")
    page.get_by_label("Description du matériel").fill("Portables Dell de 2018, avec chargeurs")
    page.get_by_label("J'accepte que ces coordonnées soient enregistrées").check()
    page.get_by_role("button", name="Proposer mon don").click()
    page.wait_for_load_state()

    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_text("Ce numéro SIRET n'est pas valide").is_visible()
    assert page.get_by_label("Nom de l'entreprise ou de l'organisme").input_value() == (
        "Assurances du Centre"
    )
    assert page.get_by_label("Nombre d'appareils").input_value() == "12"
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-don-erreur-390")
    assert not Don.objects.exists()

    page.get_by_label("SIRET").fill("732 829 320 00074")
    assert page.get_by_label("J'accepte que ces coordonnées soient enregistrées").is_checked()
    page.get_by_role("button", name="Proposer mon don").click()
    page.wait_for_load_state()

    assert (
        page.get_by_role("heading", level=1).inner_text() == "Merci pour votre proposition de don"
    )
    assert page.get_by_text("Votre proposition de 12 appareils est bien enregistrée").is_visible()
    assert page.get_by_text("NIST SP 800-88").is_visible()
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-don-merci-390")

    don = Don.objects.get()
    assert don.en_ligne and don.statut == StatutDon.PROPOSE and don.donateur.siret
    assert [m.to for m in mailoutbox] == [["rse@assur.example"]]


def test_the_team_opens_the_offer_on_a_phone(phone_page, live_server):
    from tests.ordinateurs.factories import DonFactory

    coordinator = UserFactory(coordinateur=True)
    don = DonFactory(donateur__nom="Imprimerie Rivaud", nb_annonce=8, description="Écrans")
    page = phone_page
    login_in_browser(page, live_server, coordinator)
    page.goto(f"{live_server.url}/ordinateurs/dons/")
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Imprimerie Rivaud").click()
    page.wait_for_load_state()
    assert (
        page.get_by_role("heading", level=1).inner_text() == f"Don n° {don.pk} — Imprimerie Rivaud"
    )
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-don-detail-390")
    assert page.url.endswith(f"/ordinateurs/dons/{don.pk}/")
