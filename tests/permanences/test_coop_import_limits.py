"""Hostile workbooks posted to the Coop import: refused next to the file field, quickly, in
bounded memory, and nothing waits for confirmation."""

import io

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from permanences.coop import CoopFileError, read_workbook
from poitiers_inclusion.enums import Role
from tests import hostile_files as hostile
from tests.factories import UserFactory

from .factories_coop import CONSEILLER_HEADER, coop_row, coop_workbook

IMPORT = reverse("permanences:coop_import")
ROWS = [CONSEILLER_HEADER, [coop_row(1).get(h) for h in CONSEILLER_HEADER]]

SHAPES = {
    name: shape
    for name, shape in hostile.issue_shapes(ROWS, sheet="Activités").items()
    if shape[1] == "xlsx"  # the Coop page takes its xlsx export only
}
# The Coop import's own limit on the unzipped size is above the generic one: its bomb goes past it.
SHAPES["zip-bomb"] = (
    lambda: hostile.zip_bomb(
        ROWS,
        expanded=django_settings.COOP_IMPORT_MAX_UNCOMPRESSED_BYTES + (8 << 20),
        sheet="Activités",
    ),
    "xlsx",
    "COOP_IMPORT_MAX_UNCOMPRESSED_BYTES",
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("shape", SHAPES)
def test_it_refuses_a_hostile_workbook_quickly_in_bounded_memory(shape, users, client_for):
    build, _, setting = SHAPES[shape]
    upload = io.BytesIO(build())
    upload.name = "export.xlsx"
    client = client_for(users[Role.COORDINATEUR])
    conseiller = UserFactory(conseiller=True)
    with hostile.bounded(megabytes=150, seconds=3):
        response = client.post(IMPORT, {"fichier": upload, "conseiller": conseiller.pk})
    assert response.status_code == 200
    error = hostile.field_error(response.content.decode())
    assert setting in error and "limite" in error, error
    assert "coop_import" not in client.session


def test_a_coop_export_past_the_generic_row_limit_is_read_within_its_own(settings):
    settings.IMPORT_MAX_ROWS = 5
    parsed = read_workbook(io.BytesIO(coop_workbook([coop_row(n) for n in range(1, 21)])))
    assert len(parsed.rows) == 20 and not parsed.errors


def test_a_coop_export_past_its_own_row_limit_is_refused_in_french(settings):
    settings.COOP_IMPORT_MAX_ROWS = 20  # the header is on row 12: rows 13 to 20 fit
    with pytest.raises(CoopFileError) as refused:
        read_workbook(io.BytesIO(coop_workbook([coop_row(n) for n in range(1, 21)])))
    assert str(refused.value) == (
        "Le fichier contient des données à la ligne 21 : la limite est de 20 lignes "
        "(COOP_IMPORT_MAX_ROWS). Découpez-le en plusieurs fichiers."
    )


def test_the_coop_page_names_its_own_limits(users, client_for, settings):
    settings.COOP_IMPORT_MAX_UPLOAD_BYTES = 1000
    upload = io.BytesIO(coop_workbook([coop_row(1)]))
    upload.name = "export.xlsx"
    client = client_for(users[Role.COORDINATEUR])
    response = client.post(
        IMPORT, {"fichier": upload, "conseiller": UserFactory(conseiller=True).pk}
    )
    error = hostile.field_error(response.content.decode())
    assert "la taille maximale est 1000" in error and "(COOP_IMPORT_MAX_UPLOAD_BYTES)" in error
    assert "coop_import" not in client.session
