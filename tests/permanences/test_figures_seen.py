"""Which of a set of people the médiation log has seen (the cross-app count of people): the store
answers as the live SQL for any people, records merged away or into others included."""

import dataclasses
import io

import numpy as np
import pytest
from django.core.management import call_command

from permanences.figures import aggregates, engine
from poitiers_inclusion import figures
from poitiers_inclusion.models import Usager
from tests.permanences.test_figures_store import World, reading, store_folder  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def _merge(other: int, kept: int) -> None:
    # A bare update, the accompagnements left behind: they count for the record kept.
    Usager.objects.filter(pk=other).update(merged_into=kept)


def _seen(scope, persons, monkeypatch):
    stored = aggregates.persons_seen(dataclasses.replace(scope), set(persons))
    count = aggregates.count_seen(dataclasses.replace(scope), np.array(sorted(persons)))
    with monkeypatch.context() as patched:
        patched.setattr(engine, "rows_for", lambda scope: None)
        live = aggregates.persons_seen(dataclasses.replace(scope), set(persons))
    return stored, count, live


@pytest.mark.usefixtures("reading")  # each way the engine reads
def test_the_people_seen_are_those_the_sql_sees_merged_records_included(monkeypatch):
    world = World(seed=23)
    rng = world.rng
    ids = list(Usager.objects.order_by("pk").values_list("pk", flat=True))
    chain = rng.sample(ids, 12)
    # Before the store: a record merged into another, one merged into a record merged away.
    _merge(chain[0], chain[1])
    _merge(chain[2], chain[3])
    _merge(chain[3], chain[4])
    call_command("rebuild_figures_store", stdout=io.StringIO())
    # After it (the overlay): the same shapes again.
    _merge(chain[5], chain[6])
    _merge(chain[7], chain[8])
    _merge(chain[8], chain[9])
    _merge(chain[10], chain[1])
    created = Usager.objects.create(genre=world._usager().genre)  # no accompagnement
    candidates = [*ids, created.pk, created.pk + 1000]
    for round_ in range(30):
        scope = world.random_scope()
        if round_ < 4:  # the whole history or a period, no other filter: the indexes answer
            scope = figures.Scope(user=scope.user, start=scope.start if round_ % 2 else None)
        persons = set(rng.sample(candidates, rng.choice([1, 5, 40, 200])))
        persons |= set(rng.sample(chain, rng.randint(0, 6)))
        assert engine.rows_for(scope) is not None
        stored, count, live = _seen(scope, persons, monkeypatch)
        assert stored == live, scope
        assert count == len(live), scope
    every = set(candidates)
    stored, count, live = _seen(world.random_scope(), every, monkeypatch)
    assert stored == live and count == len(live) and live
