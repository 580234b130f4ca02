"""A conseiller logs a médiation on a phone, in a real browser, in a few taps."""

import pytest
from playwright.sync_api import expect

from permanences.models import Mediation
from tests.browser import ARTIFACTS, axe_violations, login_in_browser, screenshot
from tests.factories import UsagerFactory, UserFactory
from tests.permanences.factories import MediationFactory
from tests.permanences.factories_log import permanence_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _viewport_shot(page, name):
    """What the phone shows without scrolling (a full-page shot misplaces the sticky buttons)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _wait_for_draft(page, text):
    """The draft is written a moment after typing stops: wait until this tab keeps it."""
    page.wait_for_function(
        """text => Object.keys(sessionStorage).some(
            key => key.startsWith("brouillon:") && sessionStorage.getItem(key).includes(text))""",
        arg=text,
    )


def test_a_conseiller_logs_a_mediation_on_a_phone(phone_page, live_server):
    conseiller = UserFactory(conseiller=True, first_name="Camille")
    permanence = permanence_today(conseiller)
    page = phone_page
    login_in_browser(page, live_server, conseiller)
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Camille"
    assert permanence.lieu.nom in page.content()
    assert axe_violations(page) == []
    screenshot(page, "log-home-390")

    page.get_by_role("link", name="Saisir une médiation").first.click()
    page.wait_for_load_state()
    assert page.get_by_label("Lieu", exact=True).input_value() == str(permanence.lieu_id)
    # The démarche sub-list shows only with its theme; the workshop part only for a workshop.
    assert not page.locator("#demarches").is_visible()
    assert not page.get_by_label("Participants anonymes").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot(page, "log-form-390")
    _viewport_shot(page, "log-form-390-top")

    page.get_by_text("Aide aux démarches administratives", exact=True).click()
    assert page.locator("#demarches").is_visible()
    page.get_by_text("Argent - Impôts", exact=True).click()
    page.get_by_text("45 min", exact=True).click()
    page.locator("#id_genre_group").get_by_text("Féminin").click()
    screenshot(page, "log-form-filled-390")
    _viewport_shot(page, "log-form-390-themes")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    assert "enregistrée" in page.get_by_role("status").inner_text()
    screenshot(page, "log-saved-390")

    mediation = Mediation.objects.get()
    assert mediation.duree_minutes == 45
    assert mediation.thematiques == ["aide_aux_demarches_administratives"]
    assert mediation.thematiques_demarche == ["argent_impots"]
    assert mediation.lieu == permanence.lieu
    assert mediation.accompagnements.get().usager.genre == "feminin"


def test_a_conseiller_finds_a_person_already_helped_and_logs_a_workshop(page, live_server):
    conseiller = UserFactory(conseiller=True)
    permanence = permanence_today(conseiller)
    known = UsagerFactory(identified=True, first_name="Odette", last_name="Marchand")
    MediationFactory(conseiller=conseiller, usagers=[known])
    login_in_browser(page, live_server, conseiller)
    page.goto(f"{live_server.url}/permanences/saisir/")
    page.get_by_text("Déjà accompagné", exact=True).click()
    page.get_by_label("Rechercher parmi les personnes déjà accompagnées").fill("marc")
    page.get_by_text("MARCHAND Odette").click()
    page.locator("#id_thematiques_group").get_by_text("E-mail", exact=True).click()
    screenshot(page, "log-form-desktop")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Enregistrer et saisir la suivante").click()
    page.wait_for_load_state()
    assert "enregistrée" in page.get_by_role("status").inner_text()
    latest = Mediation.objects.order_by("-pk").first()
    assert latest.accompagnements.get().usager == known
    assert page.get_by_label("Lieu", exact=True).input_value() == str(permanence.lieu_id)

    page.locator("#id_type_activite_group").get_by_text("Atelier collectif").click()
    page.get_by_label("Participants anonymes").fill("4")
    page.locator("#id_nb_genre_feminin").fill("5")
    page.locator("#id_thematiques_group").get_by_text("E-mail", exact=True).click()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "Genre : 5 participants comptés pour 4 participants anonymes."
    ).is_visible()
    assert page.get_by_label("Participants anonymes").input_value() == "4"
    assert axe_violations(page) == []
    screenshot(page, "log-form-errors-desktop")


def test_what_was_typed_survives_a_reload_until_it_is_saved(phone_page, live_server):
    """The phone loses the connection or discards the tab: the typed report can be taken up."""
    conseiller = UserFactory(conseiller=True)
    permanence_today(conseiller)
    page = phone_page
    login_in_browser(page, live_server, conseiller)
    url = f"{live_server.url}/permanences/saisir/"
    page.goto(url)
    assert not page.get_by_role("region", name="Saisie retrouvée").is_visible()
    page.locator("#id_thematiques_group").get_by_text("E-mail", exact=True).click()
    page.get_by_text("1 h 30", exact=True).click()
    page.get_by_label("Notes").fill("Création d'une adresse e-mail avec Mme R.")
    _wait_for_draft(page, "Création d'une adresse e-mail avec Mme R.")

    page.reload()
    banner = page.get_by_role("region", name="Saisie retrouvée")
    assert banner.is_visible()
    assert page.get_by_label("Notes").input_value() == ""
    assert axe_violations(page) == []
    screenshot(page, "log-draft-banner-390")
    banner.get_by_role("button", name="Reprendre cette saisie").click()
    assert page.get_by_label("Notes").input_value() == "Création d'une adresse e-mail avec Mme R."
    assert page.locator('input[name="duree"][value="90"]').is_checked()
    assert not banner.is_visible()

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    assert "enregistrée" in page.get_by_role("status").inner_text()
    mediation = Mediation.objects.get()
    assert mediation.duree_minutes == 90 and mediation.thematiques == ["email"]
    # Saved: the draft is gone.
    page.goto(url)
    assert not page.get_by_role("region", name="Saisie retrouvée").is_visible()


def test_a_draft_can_be_discarded(page, live_server):
    conseiller = UserFactory(conseiller=True)
    login_in_browser(page, live_server, conseiller)
    url = f"{live_server.url}/permanences/saisir/"
    page.goto(url)
    page.get_by_label("Notes").fill("brouillon")
    _wait_for_draft(page, "brouillon")
    page.reload()
    page.get_by_role("button", name="L’effacer").click()
    page.reload()
    assert not page.get_by_role("region", name="Saisie retrouvée").is_visible()
    assert Mediation.objects.count() == 0


def test_the_remembered_duration_follows_the_activity_type(phone_page, live_server):
    from permanences.enums import TypeActivite

    conseiller = UserFactory(conseiller=True)
    MediationFactory(conseiller=conseiller, duree_minutes=45)
    MediationFactory(
        conseiller=conseiller,
        type_activite=TypeActivite.COLLECTIF,
        titre_atelier="Atelier e-mail",
        duree_minutes=120,
    )
    page = phone_page
    login_in_browser(page, live_server, conseiller)
    page.goto(f"{live_server.url}/permanences/saisir/")
    note = page.locator("#duree-note")
    expect(note).to_have_text("Durée reprise de votre dernier accompagnement individuel")
    expect(page.locator('input[name="duree"][value="45"]')).to_be_checked()

    page.locator("#id_type_activite_group").get_by_text("Atelier collectif").click()
    expect(page.locator('input[name="duree"][value="120"]')).to_be_checked()
    expect(note).to_have_text("Durée reprise de votre dernier atelier collectif")
    page.locator("#id_type_activite_group").get_by_text("Accompagnement individuel").click()
    expect(page.locator('input[name="duree"][value="45"]')).to_be_checked()

    # A duration chosen by hand stays, whatever the type.
    page.get_by_text("1 h 30", exact=True).click()
    expect(note).to_have_text("")
    page.locator("#id_type_activite_group").get_by_text("Atelier collectif").click()
    expect(page.locator('input[name="duree"][value="90"]')).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
