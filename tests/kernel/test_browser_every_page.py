"""Every page without parameters, on a 390-px phone and a 1280-px desktop, with the demo's data:
axe-core finds no serious or critical issue, nothing makes the page wider than the screen, and the
Content-Security-Policy refuses nothing (no inline script or style left)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from poitiers_inclusion.models import User
from tests.browser import axe_violations, csp_refusals
from tests.routes import ROUTES
from tests.routes import access as _access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-inclusion-2022"


def _pages():
    """(url name, role or None for public) of each HTML page reached by a plain GET."""
    for name, pattern in ROUTES:
        access = _access(pattern.callback)
        if pattern.pattern.converters or access == "api":
            continue
        yield name, None if access == "public" else sorted(access)[0]


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_is_accessible_and_fits_the_screen(browser, live_server, width):
    call_command("demo", stdout=open("/dev/null", "w"))
    problems = []
    by_role: dict = {}
    for name, role in _pages():
        by_role.setdefault(role, []).append(name)
    seen = 0
    for role, names in sorted(by_role.items(), key=lambda kv: str(kv[0])):
        phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
        context = browser.new_context(
            locale="fr-FR",
            viewport={"width": width, "height": 844},
            reduced_motion="reduce",
            **phone,
        )
        page = context.new_page()
        refusals = csp_refusals(page)
        if role is not None:
            user = User.objects.filter(role=role, email__endswith="@demo.example").first()
            page.goto(f"{live_server.url}/connexion/")
            page.get_by_label("Adresse e-mail").fill(user.email)
            page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_load_state()
        for name in names:
            url = f"{live_server.url}{reverse(name)}"
            head = page.request.get(url)  # with the page's cookies; files are not opened
            if head.status != 200 or "text/html" not in head.headers.get("content-type", ""):
                continue
            page.goto(url)
            seen += 1
            violations = axe_violations(page)
            if violations:
                problems.append((name, role, violations))
            if refusals:
                problems.append((name, role, refusals[:]))
                refusals.clear()
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.append((name, role, f"page large de {scroll_width} px"))
        context.close()
    assert seen >= 30
    assert problems == []
