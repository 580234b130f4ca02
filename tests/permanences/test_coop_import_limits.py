"""Hostile workbooks posted to the Coop import: refused next to the file field, quickly, in
bounded memory, and nothing waits for confirmation."""

import io

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from tests import hostile_files as hostile
from tests.factories import UserFactory

from .factories_coop import CONSEILLER_HEADER, coop_row

IMPORT = reverse("permanences:coop_import")
ROWS = [CONSEILLER_HEADER, [coop_row(1).get(h) for h in CONSEILLER_HEADER]]

SHAPES = {
    name: shape
    for name, shape in hostile.issue_shapes(ROWS, sheet="Activités").items()
    if shape[1] == "xlsx"  # the Coop page takes its xlsx export only
}


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
