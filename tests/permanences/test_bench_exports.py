"""bench_exports and bench_import: they run on tiny data and record each measure with its target."""

import io
import json

import pytest
from django.core.management import call_command

from permanences.models import Accompagnement, Mediation
from poitiers_inclusion import benchmarks
from poitiers_inclusion.models import Usager
from tests.factories import LieuFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setattr(benchmarks, "RESULTS", path)
    return path


def _run(name, **options) -> str:
    out = io.StringIO()
    call_command(name, stdout=out, **options)
    return out.getvalue()


def test_the_exports_are_measured_against_copy_and_bare_openpyxl(results):
    UserFactory(conseiller=True)
    UserFactory(coordinateur=True)
    LieuFactory()

    output = _run("bench_exports", mediations=20, in_process=True)

    assert f"Lignes exportées (accompagnements) : {Accompagnement.objects.count()}" in output
    measures = json.loads(results.read_text())["measures"]
    for kind in ("copy", "csv", "openpyxl", "xlsx"):
        assert measures[f"export_{kind}_seconds"]["value"] >= 0
        assert measures[f"export_{kind}_peak_memory"]["target"] == 250
    assert measures["ratio_export_csv_vs_copy"]["target"] == 2.0
    assert measures["ratio_export_xlsx_vs_openpyxl"]["target"] == 1.3
    assert "(rapport)" in output and "< 1.3 x" in output and "< 2 x" in output


def test_the_exports_take_the_last_days_up_to_the_rows_asked(results, monkeypatch):
    # Issue 14 measures exports of 1 M rows, less than a worksheet holds: on a bigger
    # database the export page is asked for the last days that many rows fill.
    import datetime

    from permanences.management.commands import bench_exports

    from .factories import MediationFactory

    UserFactory(coordinateur=True)
    for day in (1, 2, 3, 3, 4):
        MediationFactory(date=datetime.date(2025, 5, day))
    written = []
    download = bench_exports._download
    monkeypatch.setitem(
        bench_exports.MEASURES,
        "xlsx",
        lambda out, start: written.append(start) or download("xlsx", out, start),
    )

    output = _run("bench_exports", mediations=0, rows=3, in_process=True)

    assert "Lignes exportées (accompagnements) : 3 sur 5, du 03/05/2025 à ce jour" in output
    assert written == [datetime.date(2025, 5, 3)]
    assert bench_exports.first_day(10) == (None, 5)


def test_the_import_is_measured_in_rows_per_second_and_rolled_back(results):
    UserFactory(conseiller=True)
    before = (Mediation.objects.count(), Usager.objects.count())

    output = _run("bench_import", rows=600)

    assert "Fichier de banc d'essai : 600 lignes" in output
    measure = json.loads(results.read_text())["measures"]["import_coop_rows_per_second"]
    assert measure["target"] == 2000 and measure["target_is_upper_bound"] is False
    assert measure["value"] > 0
    assert "Importé puis annulé : " in output and "600 accompagnements" in output
    assert (Mediation.objects.count(), Usager.objects.count()) == before
