"""Hostile files posted to the indicators import: refused next to the file field, quickly, in
bounded memory (the 20 GB upload of the security review)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from poitiers_inclusion.enums import Role
from reporting.models import ExternalIndicator
from tests import hostile_files as hostile
from tests.factories import QuartierFactory

IMPORT_URL = reverse("reporting:indicator_import")
ROWS = [hostile.INDICATOR_HEADER, hostile.INDICATOR_ROW]


SHAPES = hostile.issue_shapes(ROWS)


@pytest.mark.parametrize("shape", SHAPES)
def test_it_refuses_a_hostile_file_quickly_in_bounded_memory(shape, users, client_for):
    QuartierFactory(code="Q1")
    build, extension, setting = SHAPES[shape]
    upload = SimpleUploadedFile(f"x.{extension}", build())
    client = client_for(users[Role.COORDINATEUR])
    with hostile.bounded(megabytes=150, seconds=3):
        response = client.post(IMPORT_URL, {"fichier": upload})
    assert response.status_code == 200
    error = hostile.field_error(response.content.decode())
    assert setting in error and "limite" in error, error
    assert not ExternalIndicator.objects.exists()


def test_a_million_empty_lines_at_the_end_are_not_read(users, client_for):
    QuartierFactory(code="Q1")
    text = hostile.csv_empty_lines(count=0).decode() + "CAF;Q1;2023-04;1\n" + "\n" * 1_000_000
    upload = SimpleUploadedFile("x.csv", text.encode())
    client = client_for(users[Role.COORDINATEUR])
    with hostile.bounded(megabytes=150, seconds=2):
        response = client.post(IMPORT_URL, {"fichier": upload})
    assert response.status_code == 302
    assert ExternalIndicator.objects.get().valeur == 1
