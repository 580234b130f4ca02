"""Helpers for browser tests: log in, run axe-core, keep screenshots in test-artifacts/."""

from pathlib import Path

from .factories import PASSWORD

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def login_in_browser(page, live_server, user, password=None):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(password or PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core (vendored) on the page; return the violations of the given impacts."""
    # Evaluated through DevTools: a <script> tag added to the page (add_script_tag) is inline
    # script, which the Content-Security-Policy refuses.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def csp_refusals(page):
    """Start collecting, across navigations, the console messages in which Chromium reports what
    the Content-Security-Policy refused ("Refused to execute inline script because it violates
    the following Content Security Policy directive…")."""
    refusals = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refusals
