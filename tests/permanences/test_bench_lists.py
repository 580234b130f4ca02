"""bench_lists on tiny data: every list, the totals and the most followed person's record are
timed and recorded with their targets."""

import io
import json

import pytest
from django.core.management import call_command

from poitiers_inclusion import benchmarks
from tests.factories import UsagerFactory, UserFactory

from .factories import MediationFactory

pytestmark = pytest.mark.django_db


def test_the_lists_and_a_record_are_timed(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setattr(benchmarks, "RESULTS", path)
    UserFactory(coordinateur=True)
    conseiller = UserFactory(conseiller=True)
    regular = UsagerFactory(identified=True)
    for _ in range(3):
        MediationFactory(conseiller=conseiller, usagers=[regular])
    MediationFactory(conseiller=conseiller)

    out = io.StringIO()
    call_command("bench_lists", mediations=4, repeat=1, stdout=out)

    measures = json.loads(path.read_text())["measures"]
    assert measures["usager_detail_ms"]["target"] == 100
    assert "Fiche de l'usager le plus suivi (3 passages) : temps" in out.getvalue()
    keys = ("activity_coordinator", "activity_conseiller", "usager_list", "usager_search")
    for key in (*keys, "usager_list_conseiller"):
        assert measures[f"{key}_page1_ms"]["value"] > 0
        assert measures[f"{key}_queries_growth"]["value"] == 0
