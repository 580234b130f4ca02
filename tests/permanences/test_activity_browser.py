"""Browser journey at 390 px: "Mon activité" on a conseiller's phone, row actions within the
screen and the totals of what the filters select."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from permanences.enums import TypeActivite
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import LieuFactory, UsagerFactory, UserFactory
from tests.permanences.factories import MediationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Everything wider than the screen: the page itself, and any box that scrolls sideways.
OVERFLOW = """() => {
    const wide = [...document.querySelectorAll("body *")].filter(
        e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible"
            && !e.closest(".visually-hidden"));
    return {page: document.documentElement.scrollWidth, boxes: wide.map(e => e.className)};
}"""


def test_a_conseiller_reads_their_activity_on_a_phone(phone_page, live_server):
    conseiller = UserFactory(conseiller=True)
    lieu = LieuFactory(nom="Médiathèque François-Mitterrand des Couronneries")
    day = datetime.date(2026, 11, 10)
    person = UsagerFactory(identified=True, first_name="Jeanne", last_name="Martin-Dupontel")
    MediationFactory(conseiller=conseiller, lieu=lieu, date=day, usagers=[person])
    MediationFactory(conseiller=conseiller, lieu=lieu, date=day, duree_minutes=60)
    MediationFactory(
        conseiller=conseiller,
        lieu=lieu,
        date=day,
        type_activite=TypeActivite.COLLECTIF,
        titre_atelier="Premiers pas sur la tablette",
        duree_minutes=120,
        usagers=[person, UsagerFactory(), UsagerFactory()],
    )
    MediationFactory(conseiller=conseiller, lieu=lieu, date=day - datetime.timedelta(days=40))
    page = phone_page
    login_in_browser(page, live_server, conseiller)

    page.goto(f"{live_server.url}{reverse('permanences:activity')}")
    expect(
        page.get_by_role("link", name="Modifier la médiation du 10/11/2026").first
    ).to_be_visible()
    assert page.evaluate(OVERFLOW) == {"page": 390, "boxes": []}
    for link in page.locator(".row-actions a").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert box["height"] >= 24  # a target a finger can hit
    assert axe_violations(page) == []
    screenshot(page, "activity-390")

    page.get_by_text("Filtrer").click()
    page.get_by_label("Du", exact=True).fill("2026-11-01")
    page.get_by_label("Au", exact=True).fill("2026-11-30")
    page.get_by_role("button", name="Appliquer").click()
    totals = page.get_by_role("region", name="Totaux")
    expect(totals).to_contain_text("3 activités")
    expect(totals).to_contain_text("5 médiations")
    expect(totals).to_contain_text("4 personnes")
    expect(totals).to_contain_text("3 h 30")
    assert page.evaluate(OVERFLOW) == {"page": 390, "boxes": []}
    screenshot(page, "activity-totals-390")
