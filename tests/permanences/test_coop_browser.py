"""The Coop import in a real browser: upload the sample, read the preview, confirm (desktop, 390 px)."""

import pytest

from permanences.models import Accompagnement
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import UserFactory

from .factories_coop import SAMPLE, coop_row, coop_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(page, live_server, path, conseiller):
    page.goto(f"{live_server.url}/permanences/import-coop/")
    page.get_by_label("Export « Activités » de La Coop (.xlsx)").set_input_files(str(path))
    page.get_by_label("Conseiller à qui attribuer les activités").select_option(str(conseiller.pk))
    page.get_by_role("button", name="Voir l’aperçu").click()
    page.wait_for_load_state()


def test_a_coordinator_imports_the_sample_through_the_page(page, live_server):
    coordinator = UserFactory(coordinateur=True)
    conseiller = UserFactory(conseiller=True, first_name="Inès", last_name="Martin")
    login_in_browser(page, live_server, coordinator)
    page.goto(f"{live_server.url}/permanences/import-coop/")
    assert page.get_by_role("heading", level=1).inner_text() == "Importer un export de La Coop"
    assert axe_violations(page) == []
    screenshot(page, "coop-import")

    _upload(page, live_server, SAMPLE, conseiller)
    assert page.get_by_role("heading", level=1).inner_text() == "Aperçu de l’import"
    assert page.locator('[data-figure="accompagnements"]').inner_text() == "489"
    assert page.locator('[data-figure="unique_usagers"]').inner_text() == "294"
    assert axe_violations(page) == []
    screenshot(page, "coop-import-preview")

    page.get_by_role("button", name="Confirmer l’import").click()
    page.wait_for_load_state()
    assert "Import terminé" in page.get_by_role("status").inner_text()
    assert Accompagnement.objects.count() == 489
    screenshot(page, "coop-import-done")


def test_the_preview_lists_bad_rows_on_a_phone(phone_page, live_server, tmp_path):
    coordinator = UserFactory(coordinateur=True)
    conseiller = UserFactory(conseiller=True)
    path = tmp_path / "export.xlsx"
    path.write_bytes(
        coop_workbook([coop_row(1), coop_row(2, **{"Durée (min)": "une heure"}), coop_row(3)])
    )
    page = phone_page
    login_in_browser(page, live_server, coordinator)
    page.goto(f"{live_server.url}/permanences/import-coop/")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "coop-import-390")

    _upload(page, live_server, path, conseiller)
    errors = page.get_by_role("region", name="Lignes invalides")
    assert "durée illisible « une heure »" in errors.inner_text()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "coop-import-preview-errors-390")
    page.get_by_role("button", name="Importer uniquement les lignes valides").click()
    page.wait_for_load_state()
    assert Accompagnement.objects.count() == 2


def test_a_wrong_file_gets_a_message_next_to_the_field(page, live_server, tmp_path):
    coordinator = UserFactory(coordinateur=True)
    conseiller = UserFactory(conseiller=True)
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"pas un classeur")
    login_in_browser(page, live_server, coordinator)
    _upload(page, live_server, path, conseiller)
    assert "n’est pas un classeur Excel" in page.locator(".invalid-feedback").inner_text()
    assert page.get_by_role("alert").first.is_visible()
    assert axe_violations(page) == []
    screenshot(page, "coop-import-wrong-file")
