"""Browser journey: the coordination invites the donors of a ceremony; a donor answers on a
390-px phone through the link of the e-mail; the ceremony's page shows the answer."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from poitiers_inclusion.models import OutgoingEmail
from tests.browser import axe_violations, csp_refusals, login_in_browser, screenshot
from tests.factories import LieuFactory, UserFactory
from tests.ordinateurs.factories import AttributionFactory, CeremonieFactory, DonateurFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_donor_invited_to_a_ceremony_answers_on_a_phone(page, phone_page, live_server):
    coordinator = UserFactory(coordinateur=True)
    ceremonie = CeremonieFactory(
        titre="Remise de décembre",
        date=timezone.now() + datetime.timedelta(days=10),
        lieu=LieuFactory(nom="Maison de quartier Sèvre"),
    )
    ceremonie.donateurs.add(DonateurFactory(nom="Imprimerie Rivaud"))
    AttributionFactory(ceremonie=ceremonie)
    refusals = csp_refusals(page)
    login_in_browser(page, live_server, coordinator)
    detail = f"{live_server.url}{reverse('ordinateurs:ceremonie_detail', args=[ceremonie.pk])}"
    page.goto(detail)
    page.get_by_role("button", name="Inviter les donateurs").click()
    expect(page.get_by_text("Invitation envoyée à 1 donateur.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Imprimerie Rivaud"))
    expect(row).to_contain_text("pas encore de réponse")

    body = OutgoingEmail.objects.get().body
    path = re.search(r"https?://[^/\s]+(/\S+/ceremonie/\S+/)", body).group(1)
    donor = phone_page
    donor.goto(f"{live_server.url}{path}")
    expect(donor.get_by_role("heading", name="Remise de décembre")).to_be_visible()
    expect(donor.get_by_text("1 foyer", exact=True)).to_be_visible()
    donor.get_by_label("Oui, nous venons").check()
    donor.get_by_role("button", name="Envoyer ma réponse").click()
    expect(donor.get_by_text("Indiquez combien de personnes viendront.")).to_be_visible()
    expect(donor.get_by_label("Oui, nous venons")).to_be_checked()
    donor.get_by_label("Combien de personnes viendront ?").fill("2")
    donor.get_by_role("button", name="Envoyer ma réponse").click()
    expect(donor.get_by_text("Votre réponse est enregistrée")).to_contain_text(
        "vous venez, 2 personnes"
    )
    assert donor.evaluate("document.documentElement.scrollWidth <= 390")
    assert axe_violations(donor) == []
    screenshot(donor, "invitation-ceremonie-390")

    page.goto(detail)
    expect(page.get_by_role("row", name=re.compile("Imprimerie Rivaud"))).to_contain_text(
        "vient, 2 personnes"
    )
    assert refusals == []
