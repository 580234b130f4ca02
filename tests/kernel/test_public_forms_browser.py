"""The robots' trap of every public form, in a real browser: nobody sees it, reaches it with
the keyboard or hears it with a screen reader."""

import pytest
from playwright.sync_api import expect

from tests.browser import axe_violations
from tests.kernel.test_public_forms import CASES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_people_never_meet_the_trap(browser, live_server, case):
    context = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{live_server.url}{case.url()}")
    trap = page.locator('input[name="site_web"]')
    expect(trap).to_have_count(1)
    # Drawn outside the page, by the stylesheet.
    box = trap.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    # Absent from the accessibility tree: no text box of that name for a screen reader.
    expect(page.get_by_role("textbox", name="Laissez ce champ vide")).to_have_count(0)
    expect(page.get_by_role("textbox").first).to_be_visible()
    # Tabbing through the whole page never lands on it.
    stops = page.evaluate("document.querySelectorAll('a, button, input, select, textarea').length")
    for _ in range(stops + 2):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") != "site_web"
    assert axe_violations(page) == []
    context.close()
