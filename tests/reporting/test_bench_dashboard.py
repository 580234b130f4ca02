"""bench_dashboard: on tiny data it records every view's cold time against its target, the view
right after a saisie included (a new state of the figures store's change log each time)."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from poitiers_inclusion import benchmarks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def results(tmp_path, monkeypatch, figures_store_dir):
    path = tmp_path / "results.json"
    monkeypatch.setattr(benchmarks, "RESULTS", path)
    return path


def _logged() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM permanences_figures_change")
        return cursor.fetchone()[0]


def test_every_view_is_timed_cold_and_right_after_a_saisie(results):
    out = io.StringIO()
    call_command("bench_dashboard", mediations=300, repeat=1, skip_sql=True, stdout=out)

    measures = json.loads(results.read_text())["measures"]
    after = measures["dashboard_cold_after_write"]
    assert after["target"] == 300 and after["value"] > 0
    assert "juste après une saisie" in out.getvalue()
    assert _logged() >= 3  # each timing followed a write the store's change log holds
    for key in ("dashboard_cold_all", "api_cold", "dashboard_page"):
        assert measures[key]["target"] == 300
