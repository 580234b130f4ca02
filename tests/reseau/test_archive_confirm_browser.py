"""Browser journey at 390 px: a coordinator archives a lieu, reads what it affects, confirms."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from poitiers_inclusion.enums import Role
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import LieuFactory
from tests.permanences.factories import PermanenceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_confirms_the_archiving_of_a_lieu(phone_page, live_server, make_user):
    coordinator = make_user(Role.COORDINATEUR)
    lieu = LieuFactory(nom="Centre social SEVE")
    PermanenceFactory(lieu=lieu, valid_from=timezone.localdate() - datetime.timedelta(days=30))
    login_in_browser(phone_page, live_server, coordinator)
    phone_page.goto(f"{live_server.url}{reverse('reseau:lieu_edit', args=[lieu.pk])}")
    phone_page.get_by_role("link", name="Archiver…").click()

    effects = phone_page.get_by_role("note")
    expect(effects).to_contain_text("1 permanence(s) en place à ce lieu")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(phone_page) == []
    screenshot(phone_page, "archive-confirm-390")
    lieu.refresh_from_db()
    assert not lieu.is_archived

    phone_page.get_by_role("button", name="Archiver « Centre social SEVE »").click()
    expect(phone_page.get_by_text("« Centre social SEVE » est archivé.")).to_be_visible()
    lieu.refresh_from_db()
    assert lieu.is_archived
