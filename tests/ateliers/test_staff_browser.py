"""Browser check at 390 px: a conseiller opens today's session and takes attendance."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ateliers.enums import Presence
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import LieuFactory, UserFactory

from .factories import InscriptionFactory, SeanceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_conseiller_marks_two_people_present_on_a_phone(phone_page, live_server):
    conseiller = UserFactory(conseiller=True, first_name="Camille")
    seance = SeanceFactory(
        date=timezone.localdate(),
        animateurs=[conseiller],
        module__titre="Premiers pas sur tablette",
        lieu=LieuFactory(nom="Maison de quartier des Couronneries"),
        capacite=3,
    )
    anne = InscriptionFactory(seance=seance, usager__first_name="Anne", usager__last_name="Bernard")
    marc = InscriptionFactory(seance=seance, usager__first_name="Marc", usager__last_name="Petit")
    nina = InscriptionFactory(seance=seance, usager__first_name="Nina", usager__last_name="Roux")
    InscriptionFactory(seance=seance, attente=True, usager__first_name="Paul")
    page = phone_page
    login_in_browser(page, live_server, conseiller)

    page.goto(f"{live_server.url}/ateliers/")
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ateliers-seances-390")
    page.get_by_role("row", name="Premiers pas sur tablette").get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Premiers pas sur tablette"
    assert _fits_the_screen(page)
    assert axe_violations(page) == []

    present_anne = page.get_by_role("button", name="Présent : Anne Bernard")
    box = present_anne.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 120  # a thumb's target
    present_anne.tap()
    expect(present_anne).to_have_attribute("aria-pressed", "true")
    present_marc = page.get_by_role("button", name="Présent : Marc Petit")
    present_marc.tap()
    expect(present_marc).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#presents-count")).to_have_text("2")
    expect(page.get_by_role("status").filter(has_text="Marc Petit : présent·e.")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "ateliers-presences-390")

    for inscription in (anne, marc, nina):
        inscription.refresh_from_db()
    assert (anne.presence, marc.presence, nina.presence) == (Presence.PRESENT, Presence.PRESENT, "")
    # What the server holds is what the page shows after a reload.
    page.reload()
    expect(page.get_by_role("button", name="Présent : Anne Bernard")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("button", name="Présent : Nina Roux")).to_have_attribute(
        "aria-pressed", "false"
    )


def test_the_team_pages_pass_axe_and_fit_a_phone(phone_page, live_server):
    """Registering someone found by search-as-you-type, then the forms of the catalogue."""
    coordinator = UserFactory(coordinateur=True)
    seance = SeanceFactory(module__titre="Mes démarches en ligne", capacite=1)
    InscriptionFactory(seance=seance, usager__first_name="Anne", usager__last_name="Bernard")
    known = InscriptionFactory(usager__first_name="Odette", usager__last_name="Marchand").usager
    page = phone_page
    login_in_browser(page, live_server, coordinator)

    page.goto(f"{live_server.url}/ateliers/seances/{seance.pk}/inscrire/")
    assert page.get_by_text("La séance est complète").is_visible()
    page.get_by_label("Nom, prénom ou téléphone").fill("march")
    option = page.get_by_label("MARCHAND Odette", exact=False)
    expect(option).to_be_visible()  # results came while typing, without a page load
    assert _fits_the_screen(page)
    assert axe_violations(page) == []
    screenshot(page, "ateliers-inscrire-390")
    # A new person without consent: the error is announced and what was typed stays.
    page.get_by_label("Prénom", exact=True).fill("Jean")
    page.get_by_label("Nom", exact=True).fill("Dupuis")
    page.get_by_label("Téléphone", exact=True).fill("0611223344")
    page.get_by_role("button", name="Enregistrer et inscrire").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert page.get_by_label("Prénom", exact=True).input_value() == "Jean"
    assert axe_violations(page) == []
    screenshot(page, "ateliers-inscrire-erreur-390")

    page.get_by_label("Nom, prénom ou téléphone").fill("march")
    page.get_by_label("MARCHAND Odette", exact=False).check()
    page.get_by_role("button", name="Inscrire la personne cochée").click()
    page.wait_for_load_state()
    assert "liste d'attente" in page.get_by_role("status").first.inner_text()
    assert seance.inscriptions.get(usager=known).statut == "attente"

    for path, name in (
        ("seances/nouvelle/", "ateliers-seance-form-390"),
        (f"seances/{seance.pk}/annuler/", "ateliers-seance-annuler-390"),
        ("parcours/", "ateliers-parcours-390"),
        ("modules/nouveau/", "ateliers-module-form-390"),
    ):
        page.goto(f"{live_server.url}/ateliers/{path}")
        assert _fits_the_screen(page), path
        assert axe_violations(page) == [], path
        screenshot(page, name)
