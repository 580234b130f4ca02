"""The base layout in a real browser: log in on a phone, navigate, no serious accessibility issue."""

import pytest

from poitiers_inclusion.enums import Role
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import LieuFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_logs_in_on_a_phone_and_opens_the_places(phone_page, live_server):
    LieuFactory.create_batch(3)
    user = UserFactory(coordinateur=True)
    page = phone_page
    page.goto(f"{live_server.url}/connexion/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert axe_violations(page) == []
    screenshot(page, "login-390")

    login_in_browser(page, live_server, user)
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.wait_for_selector("#menu.collapse.show")  # the menu has finished opening
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Lieux", exact=True
    ).click()
    page.wait_for_url("**/reseau/lieux/")
    assert page.title().startswith("Lieux — ")
    assert page.get_by_role("heading", level=1).inner_text() == "Lieux"
    assert axe_violations(page) == []
    # Nothing overflows the phone's width.
    screenshot(page, "lieux-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "lieux-390")

    page.get_by_role("link", name="Ajouter un lieu").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    assert axe_violations(page) == []
    screenshot(page, "lieu-form-errors-390")


def test_skip_link_and_visible_focus(page, live_server):
    admin = UserFactory(role=Role.ADMIN)
    login_in_browser(page, live_server, admin)
    page.goto(f"{live_server.url}/comptes/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    assert skip.evaluate("el => el === document.activeElement")
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    assert axe_violations(page) == []
    screenshot(page, "comptes-desktop")


@pytest.mark.parametrize("role,width", [(Role.COORDINATEUR, 1280), (Role.ADMIN, 1024)])
def test_the_longest_menus_stay_inside_the_header_on_desktop(browser, live_server, role, width):
    """Every menu entry and the logout button are on the (dark) bar, readable and reachable."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": 800}, reduced_motion="reduce"
    )
    page = context.new_page()
    try:
        login_in_browser(page, live_server, UserFactory(role=role))
        header = page.locator("header").bounding_box()
        entries = page.get_by_role("navigation", name="Navigation principale").get_by_role("link")
        assert entries.count() >= 5
        boxes = [entries.nth(i).bounding_box() for i in range(entries.count())]
        boxes.append(page.get_by_role("button", name="Se déconnecter").bounding_box())
        for box in boxes:
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
            assert box["y"] >= header["y"]
            assert box["y"] + box["height"] <= header["y"] + header["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []
        screenshot(page, f"menu-{role}-{width}")
    finally:
        context.close()
