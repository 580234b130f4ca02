"""Browser journey at 390 px: the coordinator moves a little-used permanence from the attendance
page, and a resident reads the announcement on the public schedule and on the front door."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from permanences.enums import Weekday
from permanences.models import Permanence
from poitiers_inclusion.enums import Role
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import LieuFactory
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import next_weekday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_moves_a_permanence_from_the_attendance_page(
    phone_page, live_server, make_user, browser
):
    coordinator = make_user(Role.COORDINATEUR)
    permanence = PermanenceFactory(
        lieu=LieuFactory(nom="Centre social SEVE"),
        weekday=Weekday.JEUDI,
        valid_from=timezone.localdate() - datetime.timedelta(days=120),
    )
    LieuFactory(nom="Médiathèque des Couronneries", adresse="1 place de Provence")
    day = next_weekday(Weekday.JEUDI, weeks=2)

    login_in_browser(phone_page, live_server, coordinator)
    phone_page.goto(f"{live_server.url}{reverse('permanences:attendance')}")
    phone_page.get_by_role("link", name="Déplacer").first.click()
    expect(phone_page.get_by_role("heading", name="Déplacer la permanence")).to_be_visible()
    phone_page.get_by_role("combobox", name="Nouveau lieu").select_option(
        label="Médiathèque des Couronneries"
    )
    phone_page.get_by_role("textbox", name="Premier jour au nouveau lieu").fill(day.isoformat())
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(phone_page) == []
    phone_page.get_by_role("button", name="Déplacer la permanence").click()

    expect(phone_page.get_by_text("désormais à « Médiathèque des Couronneries »")).to_be_visible()
    screenshot(phone_page, "permanence-move-390")
    assert Permanence.objects.get(moved_from=permanence).valid_from == day

    resident = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, reduced_motion="reduce"
    ).new_page()
    for url in (reverse("permanences:public_schedule"), "/"):
        resident.goto(f"{live_server.url}{url}")
        notice = resident.get_by_role("note").filter(has_text="Centre social SEVE déménage le")
        expect(notice).to_contain_text("désormais à Médiathèque des Couronneries")
    resident.context.close()
