"""bench_log_form: times the log form's POST, then leaves the database as it found it."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from permanences.models import Accompagnement, Mediation
from poitiers_inclusion.models import AuditEvent, Usager
from tests.factories import LieuFactory, UserFactory
from tests.permanences.factories_log import permanence_today

pytestmark = pytest.mark.django_db


def _run(**options) -> str:
    out = io.StringIO()
    call_command("bench_log_form", stdout=out, **options)
    return out.getvalue()


def test_it_prints_p50_and_p95_and_removes_what_it_posted():
    conseiller = UserFactory(conseiller=True)
    permanence = permanence_today(conseiller)
    LieuFactory()

    output = _run(mediations=30, posts=5)

    assert re.search(r"p50 : \d+\.\d ms", output)
    assert re.search(r"p95 : \d+\.\d ms", output)
    assert re.search(r"max : \d+\.\d ms", output)
    assert "objectif p50 < 50 ms : " in output
    assert "Médiations en base : 30" in output
    assert f"lieu « {permanence.lieu.nom} »" in output  # the permanence of the day
    # 5 warm-up, 5 timed, and 5 timed with the figures' change log off (its cost).
    assert "15 médiations du banc d'essai supprimées" in output
    assert re.search(r"sans le journal des changements des chiffres : p50 +\d+\.\d ms", output)
    # Only the generated médiations remain, with their people; the audit log keeps the posts.
    assert Mediation.objects.count() == 30
    assert set(Mediation.objects.values_list("source_donnee", flat=True)) == {"bench"}
    assert Accompagnement.objects.count() == 30
    assert Usager.objects.count() == 18  # generate_bench_data: six usagers per ten médiations
    assert AuditEvent.objects.filter(action="permanences.mediation.created").count() == 15


def test_it_asks_for_the_demo_without_a_conseiller():
    LieuFactory()
    with pytest.raises(CommandError, match="manage.py demo"):
        _run(mediations=0, posts=1)
