"""The usager pages in a real browser: list and record, desktop and 390 px, axe-core clean."""

import datetime

import pytest

from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import UsagerFactory, UserFactory

from .factories import MediationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
