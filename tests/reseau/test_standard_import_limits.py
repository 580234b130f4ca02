"""import_lieux reads its file through the bounded reader: a hostile CSV is refused with the limit."""

import pytest
from django.core.management import CommandError, call_command

from reseau import standard
from reseau.models import Lieu

pytestmark = pytest.mark.django_db


def _import(tmp_path, content: bytes):
    path = tmp_path / "lieux.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        call_command("import_lieux", str(path))
    return str(refused.value)


def test_it_refuses_a_line_of_100k_columns(tmp_path):
    message = _import(tmp_path, ",".join(["x"] * 100_000).encode())
    assert "IMPORT_MAX_COLUMNS" in message and "limite" in message
    assert not Lieu.objects.exists()


def test_it_refuses_data_after_a_million_empty_lines(tmp_path):
    header = ",".join(standard.FIELDS)
    message = _import(tmp_path, (header + "\n" * 1_000_000 + "x\n").encode())
    assert (
        "IMPORT_MAX_EMPTY_ROWS" in message
        and "des données à la ligne 1\u202f000\u202f001" in message
    )
    assert not Lieu.objects.exists()


def test_it_refuses_a_file_above_the_size_limit(tmp_path, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    message = _import(tmp_path, b"x" * 200)
    assert "IMPORT_MAX_UPLOAD_BYTES" in message
