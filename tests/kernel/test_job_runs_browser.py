"""The scheduled jobs' page in Chromium on a phone: the menu leads to it, a failed run stands out
in red with its error, no serious accessibility issue, no sideways scroll."""

import datetime

import pytest
from django.utils import timezone

from poitiers_inclusion.enums import JobOutcome, Role
from poitiers_inclusion.models import JobRun
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ERROR = "ValueError dans permanences/booking.py, ligne 12 (send_reminders)"


def test_the_admin_sees_a_failed_job_in_red_on_a_phone(phone_page, live_server):
    now = timezone.now()
    JobRun.objects.create(
        job="send_reminders",
        started_at=now - datetime.timedelta(days=1),
        finished_at=now - datetime.timedelta(days=1),
        outcome=JobOutcome.SUCCEEDED,
        counts={"rappels": 4, "coordonnées effacées": 1},
    )
    JobRun.objects.create(
        job="send_reminders",
        started_at=now,
        finished_at=now,
        outcome=JobOutcome.FAILED,
        error=ERROR,
    )
    page = phone_page
    login_in_browser(page, live_server, UserFactory(role=Role.ADMIN))
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.wait_for_selector("#menu.collapse.show")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Tâches planifiées"
    ).click()
    page.wait_for_url("**/taches/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tâches planifiées"

    runs = page.get_by_role("region", name="Passages des tâches")
    failed = runs.get_by_role("row").filter(has_text="Échec")
    assert failed.count() == 1 and ERROR in failed.inner_text()
    # Red, as Bootstrap's table-danger paints a row's cells.
    background = failed.locator("td").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(248, 215, 218)"
    assert "rappels : 4 · coordonnées effacées : 1" in runs.inner_text()

    page.get_by_role("link", name="Voir les échecs").click()
    page.wait_for_url("**/taches/?resultat=echec")
    assert runs.get_by_role("row").count() == 2  # the header and the failure
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "job-runs-390")
