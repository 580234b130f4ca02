"""import_lieux: matching by id then by name and commune; every bad row reported, nothing saved."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reseau import standard
from reseau.models import Lieu

from ..factories import LieuFactory

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.django_db


def _run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_lieux", str(path), *args, stdout=out, stderr=err)
        failed = None
    except CommandError as error:
        failed = str(error)
    return out.getvalue(), err.getvalue(), failed


def _file(tmp_path, rows, header=None):
    header = header or standard.FIELDS
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(f'"{row.get(name, "")}"' for name in header))
    path = tmp_path / "lieux.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _good(**overrides):
    row = {
        "id": "asso-1",
        "pivot": "43493312300029",
        "nom": "Association des Essais",
        "commune": "Poitiers",
        "code_postal": "86000",
        "code_insee": "86194",
        "adresse": "1 rue des Essais",
        "date_maj": "2024-04-02",
        "services": "Aide aux démarches administratives|Loisirs et créations numériques",
        "telephone": "+33549000000",
    }
    row.update(overrides)
    return row


def test_it_imports_the_standard_example(tmp_path):
    shutil.copy(DATA / "exemple-valide.csv", tmp_path / "exemple.csv")
    out, err, failed = _run(tmp_path / "exemple.csv")
    assert failed is None, err
    lieu = Lieu.objects.get(identifiant="structure-1")
    assert lieu.nom == "Anonymal" and lieu.commune == "Reims"
    assert lieu.typologie == ["TIERS_LIEUX", "ASSO"]
    assert lieu.courriels == ["contact@laquincaillerie.tl", "responsable@laquincaillerie.tl"]
    assert "Insertion professionnelle via le numérique" in lieu.services
    assert lieu.latitude == pytest.approx(43.52609)
    assert str(lieu.date_maj) == "2024-04-02"


def test_it_matches_by_id_then_by_name_and_commune(tmp_path):
    by_id = LieuFactory(identifiant="asso-1", nom="Ancien nom")
    by_name = LieuFactory(identifiant="chez-nous-2", nom="Maison des Essais", commune="Poitiers")
    path = _file(
        tmp_path,
        [_good(), _good(id="ailleurs-77", nom="maison des essais", adresse="2 rue Neuve")],
    )
    out, err, failed = _run(path)
    assert failed is None, err
    by_id.refresh_from_db()
    by_name.refresh_from_db()
    assert by_id.nom == "Association des Essais"
    assert by_name.adresse == "2 rue Neuve"
    assert by_name.identifiant == "chez-nous-2"
    assert Lieu.objects.count() == 2
    assert "rapproché par nom et commune" in out


def test_it_reads_back_its_own_export_without_duplicates(tmp_path):
    LieuFactory.create_batch(3)
    path = tmp_path / "export.csv"
    path.write_text(standard.csv_text(), encoding="utf-8")
    out, err, failed = _run(path)
    assert failed is None, err
    assert Lieu.objects.count() == 3


def test_it_reports_every_bad_row_and_imports_nothing(tmp_path):
    path = _file(
        tmp_path,
        [
            _good(),
            _good(id="b", code_postal="8600"),
            _good(id="c", services="Cours de cuisine"),
            _good(id="d", nom="", date_maj="02/04/2024"),
            _good(id="asso-1", nom="Doublon"),
        ],
    )
    out, err, failed = _run(path)
    assert failed and "rien n'a été importé" in failed
    assert Lieu.objects.count() == 0
    assert "Ligne 3 : code_postal « 8600 »" in err
    assert "Ligne 4 : services : valeur inconnue du standard « Cours de cuisine »" in err
    assert "Ligne 5 :" in err and "« nom » est obligatoire" in err and "date_maj" in err
    assert "Ligne 6 : l'identifiant « asso-1 » figure déjà ligne 2" in err
    assert "Ligne 2" not in err


def test_it_imports_the_good_rows_with_skip_invalid(tmp_path):
    path = _file(tmp_path, [_good(), _good(id="b", telephone="05 49 00 00 00")])
    out, err, failed = _run(path, "--skip-invalid")
    assert failed is None
    assert list(Lieu.objects.values_list("identifiant", flat=True)) == ["asso-1"]
    assert "Ligne 3 : telephone" in err
    assert "1 ligne(s) ignorée(s)" in out


def test_it_refuses_a_file_without_the_required_columns(tmp_path):
    path = _file(tmp_path, [{"id": "x", "nom": "Sans adresse"}], header=["id", "nom"])
    out, err, failed = _run(path)
    assert failed
    assert "Ligne 1 : colonnes obligatoires absentes : pivot, commune, code_postal" in err
