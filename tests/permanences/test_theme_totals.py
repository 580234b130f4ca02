"""One thématique over the whole history is read from its tables (theme_totals), written with
the store and corrected for what was written since: the same figures as the live SQL."""

import io

import pytest
from django.core.management import call_command

from permanences.enums import Thematique
from permanences.figures import theme_totals
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion import figures
from poitiers_inclusion.models import Usager
from tests.permanences.test_figures_store import World, _everything, _live

pytestmark = pytest.mark.django_db(transaction=True)

SANTE = Thematique.SANTE.value


@pytest.fixture(autouse=True)
def store_folder(figures_store_dir):
    return figures_store_dir


def _spied(monkeypatch) -> list[str]:
    read = []
    totals = theme_totals.totals

    def spy(store, name, *args):
        read.append(name)
        return totals(store, name, *args)

    monkeypatch.setattr(theme_totals, "totals", spy)
    return read


def _assert_same_as_live(scope, monkeypatch):
    stored = _everything(scope)
    with monkeypatch.context() as patched:
        _live(patched)
        live = _everything(scope)
    for key, value in live.items():
        assert stored[key] == value, key


def test_records_merged_before_the_store_and_read_again_since_count_once(monkeypatch):
    world = World(seed=57)
    # Records merged by a bare update: their accompagnements stay on them, the store counts
    # them as the record kept. Their pairs at permanences are the records' own.
    records = list(Usager.objects.filter(merged_into=None).order_by("pk")[:160])
    merged = []
    for other, kept in zip(records[0::2], records[1::2], strict=True):
        Usager.objects.filter(pk=other.pk).update(merged_into=kept)
        merged.append(other.pk)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    scope = figures.Scope(user=world.coordinateur, app_filters={"thematique": (SANTE,)})
    read = _spied(monkeypatch)
    _assert_same_as_live(scope, monkeypatch)
    # Their médiations read again: some given the thématique, the others losing it.
    mediations = Mediation.objects.filter(accompagnements__usager_id__in=merged).distinct()
    edited = []
    for i, mediation in enumerate(mediations.order_by("pk")[:8]):
        mediation.thematiques = [SANTE] if i % 2 else [Thematique.EMAIL.value]
        mediation.save()
        edited.append(mediation.pk)
    assert len(edited) == 8
    _assert_same_as_live(scope, monkeypatch)
    # New médiations of those records where they already had the thématique: the pairs they
    # touch had it in the files, through the person the records were merged into.
    again = (
        Accompagnement.objects.filter(
            usager_id__in=merged, mediation__thematiques__contains=[SANTE]
        )
        .exclude(mediation_id__in=edited)
        .select_related("mediation")
    )
    copied = 0
    for accompagnement in again.order_by("pk")[:10]:
        copy = accompagnement.mediation
        copy.pk = None
        copy.save()
        Accompagnement.objects.create(mediation=copy, usager_id=accompagnement.usager_id)
        copied += 1
    assert copied >= 5
    _assert_same_as_live(scope, monkeypatch)
    # Both the people per month, lieu and conseiller and attendance's came from the tables.
    assert {"month", "lieu", "conseiller", "pperm", "plieu", "pmonth", "usager"} <= set(read)
