"""Browser check at 390 px: a prescripteur refers a household, corrects an error, and finds the
request in their structure's list."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ordinateurs.enums import StatutDemande
from ordinateurs.models import Demande
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import QuartierFactory, StructureFactory, UserFactory
from tests.ordinateurs.factories import (
    CeremonieFactory,
    DemandeFactory,
    DonateurFactory,
    ready_device,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_prescripteur_refers_a_household_on_a_phone(phone_page, live_server):
    structure = StructureFactory(nom="CCAS de la Ville")
    prescripteur = UserFactory(prescripteur=True, structure=structure)
    QuartierFactory(nom="Couronneries")
    DemandeFactory(
        foyer__structure=structure, statut=StatutDemande.INCOMPLETE, motif="Revenus à préciser"
    )
    other = DemandeFactory()  # another structure's
    page = phone_page
    login_in_browser(page, live_server, prescripteur)

    page.goto(f"{live_server.url}/ordinateurs/demandes/")
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    assert other.foyer.code not in page.content()
    expect(page.get_by_text("Motif : Revenus à préciser")).to_be_visible()
    page.get_by_role("link", name="Orienter un foyer").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Orienter un foyer"
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-orienter-390")

    # More school-age children than children, and no consent: two errors, nothing lost.
    page.get_by_label("Nombre d'adultes").fill("2")
    page.get_by_label("Nombre d'enfants").fill("1")
    page.get_by_label("Dont enfants scolarisés").fill("2")
    page.get_by_label("Une personne du foyer cherche un emploi").check()
    page.get_by_label("Revenus du foyer").select_option(label="Minima sociaux")
    page.get_by_label("Quartier où vit le foyer").select_option(label="Couronneries")
    page.get_by_label("À quoi servira l'ordinateur").fill("Devoirs et recherche d'emploi")
    page.get_by_label("Référence interne de votre structure").fill("CCAS-2025-118")
    page.get_by_role("button", name="Transmettre la demande").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_text("comptés parmi les enfants", exact=False)).to_be_visible()
    expect(page.get_by_text("sans son accord, la demande", exact=False)).to_be_visible()
    assert page.get_by_label("À quoi servira l'ordinateur").input_value() == (
        "Devoirs et recherche d'emploi"
    )
    assert not Demande.objects.filter(foyer__reference_interne="CCAS-2025-118").exists()
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-orienter-erreur-390")

    page.get_by_label("Nombre d'enfants").fill("3")
    page.get_by_label("Le foyer a donné son accord", exact=False).check()
    page.get_by_role("button", name="Transmettre la demande").click()
    page.wait_for_load_state()
    demande = Demande.objects.get(foyer__reference_interne="CCAS-2025-118")
    code = demande.foyer.code
    assert code.startswith(f"F-{timezone.localdate().year}-")
    assert page.get_by_role("heading", level=1).inner_text() == f"Foyer {code}"
    expect(page.get_by_role("status")).to_contain_text(f"Le foyer porte le code {code}")
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-demande-390")

    page.get_by_role("link", name="Demandes").first.click()
    page.wait_for_load_state()
    row = page.get_by_role("row", name=code)
    expect(row).to_be_visible()
    expect(row).to_contain_text("Soumise")
    assert _fits_the_screen(page)


def test_the_coordination_pages_pass_axe_and_fit_a_phone(phone_page, live_server):
    """Deciding, proposing a device, handing it over at a ceremony, the receipt, ceremonies."""

    coordinator = UserFactory(coordinateur=True)
    technicien = UserFactory(technicien=True)
    DonateurFactory(nom="Entreprise Numérique 86")
    ceremonie = CeremonieFactory(titre="Remise de printemps", date=timezone.now())
    demande = DemandeFactory(foyer__structure=StructureFactory(nom="Mission locale"))
    waiting = DemandeFactory(statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=timezone.now())
    ordinateur = ready_device(technicien, memoire_go=8)
    page = phone_page
    login_in_browser(page, live_server, coordinator)

    def check(name):
        assert _fits_the_screen(page), name
        assert axe_violations(page) == [], name
        screenshot(page, name)

    page.goto(f"{live_server.url}/ordinateurs/demandes/")
    check("ordinateurs-demandes-coordination-390")
    page.goto(f"{live_server.url}/ordinateurs/demandes/{demande.pk}/decision/")
    page.get_by_label("Refusée").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Indiquez le motif, il sera transmis")).to_be_visible()
    check("ordinateurs-decision-erreur-390")

    page.goto(f"{live_server.url}/ordinateurs/demandes/{waiting.pk}/proposer/")
    check("ordinateurs-proposer-390")
    page.get_by_label("Ordinateur proposé").select_option(value=str(ordinateur.pk))
    page.get_by_role("button", name="Réserver pour ce foyer").click()
    page.wait_for_load_state()
    check("ordinateurs-demande-proposee-390")
    page.get_by_role("link", name="Noter la remise").click()
    page.wait_for_load_state()
    page.get_by_label("Remis lors de la cérémonie").select_option(value=str(ceremonie.pk))
    check("ordinateurs-remise-390")
    page.get_by_role("button", name="Confirmer la remise").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("la demande est équipée")
    page.get_by_role("link", name="Reçu de remise").click()
    page.wait_for_load_state()
    check("ordinateurs-recu-390")

    for path, name in (
        ("ceremonies/", "ordinateurs-ceremonies-390"),
        ("ceremonies/nouvelle/", "ordinateurs-ceremonie-form-390"),
        (f"ceremonies/{ceremonie.pk}/", "ordinateurs-ceremonie-390"),
        (f"ceremonies/{ceremonie.pk}/temoignage/", "ordinateurs-temoignage-390"),
    ):
        page.goto(f"{live_server.url}/ordinateurs/{path}")
        check(name)
    expect(page.get_by_text("Remise de printemps").first).to_be_visible()
