"""One thématique, one type, several thématiques or a thématique and a type over the whole
history are read from their tables (keyed_totals), written with the store and corrected for
what was written since: the same figures as the live SQL."""

import dataclasses
import datetime
import io

import pytest
from django.core.management import call_command

from permanences.enums import Thematique, TypeActivite
from permanences.figures import keyed_totals
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion import figures
from poitiers_inclusion.models import Usager
from tests.permanences.test_figures_store import World, _everything, _live

pytestmark = pytest.mark.django_db(transaction=True)

SANTE = Thematique.SANTE.value
INDIVIDUEL = TypeActivite.INDIVIDUEL.value
EMAIL = Thematique.EMAIL.value
THREE = (SANTE, EMAIL, Thematique.BUREAUTIQUE.value)
# (the scope's filter, the médiations' fields with the key, and without it)
KEYS = {
    "thematique": ({"thematique": (SANTE,)}, {"thematiques": [SANTE]}, {"thematiques": [EMAIL]}),
    "type": (
        {"type": (INDIVIDUEL,)},
        {"type_activite": INDIVIDUEL},
        {"type_activite": TypeActivite.COLLECTIF.value},
    ),
    # Any of three: rows with one, two and all three of them (the sum of the keys' counts less
    # the rows counted more than once), the people from their pairs' thématiques.
    "thematiques": (
        {"thematique": THREE},
        {"thematiques": list(THREE)},
        {"thematiques": [Thematique.PARENTALITE.value]},
    ),
    # A thématique and a type together: their own key; without it, either one alone.
    "thematique_type": (
        {"thematique": (SANTE,), "type": (INDIVIDUEL,)},
        {"thematiques": [SANTE], "type_activite": INDIVIDUEL},
        {"thematiques": [SANTE], "type_activite": TypeActivite.COLLECTIF.value},
    ),
    # No filter: from a day to the last, every row's tables (the people per month, lieu and
    # conseiller; attendance has its own counts); the médiations are saved unchanged.
    "everything": ({}, {}, {}),
}


@pytest.fixture(autouse=True)
def store_folder(figures_store_dir):
    return figures_store_dir


def _spied(monkeypatch) -> list[str]:
    read = []
    totals = keyed_totals.totals

    def spy(store, name, *args):
        found = totals(store, name, *args)
        if found is not None:
            read.append(name)
        return found

    monkeypatch.setattr(keyed_totals, "totals", spy)
    return read


def _assert_same_as_live(scope, monkeypatch):
    # The whole history, from a day inside a month to the last day (the tables from that month
    # on, its days before the period counted out) and from the first day to a day inside a
    # month (a type's and every row's tables up to that month, its days after counted out).
    day = datetime.date(2024, 3, 17)
    periods = (scope, dataclasses.replace(scope, start=day), dataclasses.replace(scope, end=day))
    for period in periods:
        stored = _everything(period)
        with monkeypatch.context() as patched:
            _live(patched)
            live = _everything(period)
        for key, value in live.items():
            assert stored[key] == value, (key, period.start, period.end)


@pytest.mark.parametrize("key", KEYS)
def test_records_merged_before_the_store_and_read_again_since_count_once(monkeypatch, key):
    filters, with_key, without = KEYS[key]
    world = World(seed=57)
    # Records merged by a bare update: their accompagnements stay on them, the store counts
    # them as the record kept. Their pairs at permanences are the records' own.
    records = list(Usager.objects.filter(merged_into=None).order_by("pk")[:160])
    merged = []
    for other, kept in zip(records[0::2], records[1::2], strict=True):
        Usager.objects.filter(pk=other.pk).update(merged_into=kept)
        merged.append(other.pk)
    # Some of their médiations with the key (with all three thématiques) in the files.
    having_all = Mediation.objects.filter(accompagnements__usager_id__in=merged[:20])
    if with_key:
        Mediation.objects.filter(pk__in=having_all.values("pk")).update(**with_key)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    scope = figures.Scope(user=world.coordinateur, app_filters=filters)
    read = _spied(monkeypatch)
    _assert_same_as_live(scope, monkeypatch)
    # Their médiations read again: some given the key, the others losing it.
    mediations = Mediation.objects.filter(accompagnements__usager_id__in=merged).distinct()
    edited = []
    for i, mediation in enumerate(mediations.order_by("pk")[:8]):
        for field, value in (with_key if i % 2 else without).items():
            setattr(mediation, field, value)
        mediation.save()
        edited.append(mediation.pk)
    assert len(edited) == 8
    _assert_same_as_live(scope, monkeypatch)
    # New médiations of those records where they already had the key: the pairs they touch
    # had it in the files, through the person the records were merged into.
    having = {
        f"mediation__{field}" + ("__contains" if field == "thematiques" else ""): value
        for field, value in with_key.items()
    }
    again = (
        Accompagnement.objects.filter(usager_id__in=merged, **having)
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
    expected = {"month", "lieu", "conseiller"}
    if key != "everything":
        expected |= {"pperm", "plieu", "pmonth", "usager"}
    assert expected <= set(read)
