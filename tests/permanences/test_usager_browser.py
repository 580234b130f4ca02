"""The usager pages in a real browser: list and record, desktop and 390 px, axe-core clean."""

import datetime

import pytest

from tests.browser import AXE_JS, login_in_browser, screenshot
from tests.factories import UsagerFactory, UserFactory

from .factories import MediationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page):
    """Serious and critical axe-core findings in the page's own content (the shared header is
    checked by the layout's tests)."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async () => await axe.run({include: [['main']]}, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def conseiller_and_usager():
    conseiller = UserFactory(conseiller=True)
    usager = UsagerFactory(
        identified=True, first_name="Awa", last_name="Diallo", email="awa@exemple.test"
    )
    for day in (3, 10, 17):
        MediationFactory(
            conseiller=conseiller,
            usagers=[usager],
            date=datetime.date(2025, 3, day),
            thematiques=["email", "aide_aux_demarches_administratives"],
        )
    return conseiller, usager


@pytest.mark.parametrize("width", ["desktop", "390"])
def test_the_usager_record_is_accessible(
    width, page, phone_page, live_server, conseiller_and_usager
):
    conseiller, usager = conseiller_and_usager
    pg = phone_page if width == "390" else page
    login_in_browser(pg, live_server, conseiller)
    pg.goto(f"{live_server.url}/permanences/usagers/")
    assert axe_violations(pg) == []
    screenshot(pg, f"usager-list-{width}")
    pg.get_by_role("link", name="Awa Diallo").click()
    pg.wait_for_load_state()
    assert pg.get_by_role("heading", level=1).inner_text() == "Awa Diallo"
    assert pg.get_by_role("heading", name="Historique des médiations").is_visible()
    assert axe_violations(pg) == []
    if width == "390":
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(pg, f"usager-detail-{width}")

    pg.get_by_role("link", name="Anonymiser").click()
    pg.wait_for_load_state()
    assert axe_violations(pg) == []
    screenshot(pg, f"usager-anonymise-{width}")


def test_the_merge_page_is_accessible(page, live_server, conseiller_and_usager):
    conseiller, usager = conseiller_and_usager
    double = UsagerFactory(identified=True, first_name="Awa", last_name="Dialo")
    MediationFactory(conseiller=conseiller, usagers=[double])
    login_in_browser(page, live_server, conseiller)
    page.goto(f"{live_server.url}/permanences/usagers/{usager.pk}/fusionner/?q=dialo")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Comparer et fusionner").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    screenshot(page, "usager-merge-compare")
    page.get_by_label("Je confirme que ces deux fiches décrivent la même personne.").check()
    page.get_by_role("button", name="Fusionner les deux fiches").click()
    page.wait_for_load_state()
    assert "a été fusionnée" in page.get_by_role("status").inner_text()
