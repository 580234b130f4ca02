"""Browser check at 390 px: the coordination notes, from the ceremony's page, a hand-over made
at a ceremony days ago; the date offered is the ceremony's and the receipt prints it. A
ceremony still to come is refused with its date."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ordinateurs import services
from ordinateurs.enums import StatutDemande
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import UserFactory
from tests.ordinateurs.factories import CeremonieFactory, DemandeFactory, ready_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tap(page, target):
    with page.expect_navigation():
        target.tap()


def test_the_coordination_notes_a_hand_over_after_the_ceremony(phone_page, live_server):
    coordinator = UserFactory(coordinateur=True)
    now = timezone.now()
    held = CeremonieFactory(titre="Remise d'automne", date=now - datetime.timedelta(days=10))
    coming = CeremonieFactory(titre="Remise d'hiver", date=now + datetime.timedelta(days=10))
    demande = DemandeFactory(
        statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=now - datetime.timedelta(days=30)
    )
    attribution = services.propose(
        demande=demande,
        ordinateur=ready_device(UserFactory(technicien=True)),
        actor=coordinator,
        at=now - datetime.timedelta(days=20),
    )
    page = phone_page
    login_in_browser(page, live_server, coordinator)

    # Too early for the coming ceremony: refused, with its date.
    page.goto(f"{live_server.url}/ordinateurs/ceremonies/{coming.pk}/")
    _tap(page, page.get_by_role("link", name=f"Noter la remise de {attribution.ordinateur.numero}"))
    _tap(page, page.get_by_role("button", name="Confirmer la remise"))
    coming_day = timezone.localtime(coming.date).strftime("%d/%m/%Y")
    expect(page.get_by_role("alert")).to_contain_text("1 erreur")
    expect(page.get_by_text(f"a lieu le {coming_day}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    screenshot(page, "ordinateurs-remise-ceremonie-a-venir-390")

    # The ceremony held ten days ago: its day is offered, and printed on the receipt.
    page.goto(f"{live_server.url}/ordinateurs/ceremonies/{held.pk}/")
    _tap(page, page.get_by_role("link", name=f"Noter la remise de {attribution.ordinateur.numero}"))
    held_day = timezone.localdate(held.date)
    expect(page.get_by_label("Date de la remise")).to_have_value(held_day.isoformat())
    _tap(page, page.get_by_role("button", name="Confirmer la remise"))
    expect(page.get_by_role("status")).to_contain_text("la demande est équipée")
    _tap(page, page.get_by_role("link", name="Reçu de remise"))
    expect(page.locator("dl.facts").last).to_contain_text(
        f"{held_day:%d/%m/%Y}, lors de la cérémonie « Remise d'automne »"
    )
    screenshot(page, "ordinateurs-recu-date-ceremonie-390")
