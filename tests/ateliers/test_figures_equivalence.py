"""The workshop figures computed with numpy answer exactly what the former SQL computed
(tests/ateliers/reference_figures.py), for random sessions, registrations, merges and filters,
with and without the médiation store answering the age bands."""

import dataclasses
import datetime
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ateliers import figures as ateliers_figures
from ateliers import figures_data
from ateliers.enums import Presence, StatutInscription
from ateliers.models import Inscription, Seance
from poitiers_inclusion import figures
from poitiers_inclusion.enums import TrancheAge
from poitiers_inclusion.models import Usager
from tests.ateliers import reference_figures as reference
from tests.ateliers.factories import InscriptionFactory, ModuleFactory, SeanceFactory
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

FUNCTIONS = ("totals", "per_module", "per_lieu", "per_month", "per_age_band", "participants")


@pytest.fixture(autouse=True)
def store_folder(figures_store_dir):
    return figures_store_dir


def _world(rng: random.Random):
    quartiers = [QuartierFactory() for _ in range(2)]
    # Two lieux share a name: the per-lieu table is per name.
    lieux = [LieuFactory(quartier=quartiers[0], nom="Médiathèque")]
    lieux += [LieuFactory(quartier=quartiers[1], nom="Médiathèque"), LieuFactory(quartier=None)]
    lieux += [LieuFactory(quartier=quartiers[1])]
    conseillers = [UserFactory(conseiller=True) for _ in range(3)]
    modules = [ModuleFactory() for _ in range(4)]
    people = []
    for _ in range(40):
        known = rng.random() < 0.7
        people.append(
            UsagerFactory(
                identified=True,
                birth_year=rng.randint(1940, 2010) if known else None,
                tranche_age="" if known else rng.choice(["", *TrancheAge.values]),
            )
        )
    for _ in range(6):  # duplicates merged into a kept record
        people.append(UsagerFactory(identified=True, merged_into=rng.choice(people[:40])))
    today = timezone.localdate()
    for _ in range(45):
        seance = SeanceFactory(
            module=rng.choice(modules),
            lieu=rng.choice(lieux),
            date=today + datetime.timedelta(days=rng.randint(-700, 20)),
            capacite=rng.randint(1, 6),
            cancelled_at=timezone.now() if rng.random() < 0.1 else None,
            animateurs=rng.sample(conseillers, rng.randint(0, 2)),
        )
        for usager in rng.sample(people, rng.randint(0, 7)):
            statut = rng.choice([StatutInscription.INSCRIT] * 3 + [StatutInscription.ATTENTE])
            presence = rng.choice(["", Presence.PRESENT, Presence.ABSENT])
            InscriptionFactory(
                seance=seance,
                usager=usager,
                statut=statut,
                presence=presence if statut == StatutInscription.INSCRIT else "",
                promoted_at=timezone.now() if rng.random() < 0.15 else None,
            )
    coordinateur = UserFactory(coordinateur=True)
    return quartiers, lieux, conseillers, coordinateur


def _scopes(rng: random.Random, quartiers, lieux, conseillers, coordinateur):
    today = timezone.localdate()
    yield figures.Scope(user=coordinateur)
    yield figures.Scope(user=conseillers[0])  # a conseiller: the sessions they facilitate
    yield figures.Scope(app_filters={"type": ("individuel",)})
    for _ in range(14):
        start = today - datetime.timedelta(days=rng.randint(0, 800))
        yield figures.Scope(
            user=rng.choice([None, coordinateur, *conseillers]),
            start=start if rng.random() < 0.6 else None,
            end=start + datetime.timedelta(days=rng.randint(0, 400))
            if rng.random() < 0.5
            else None,
            lieux=tuple(lieu.pk for lieu in rng.sample(lieux, rng.randint(0, 2))),
            quartiers=tuple(q.pk for q in rng.sample(quartiers, rng.randint(0, 1))),
            conseillers=tuple(c.pk for c in rng.sample(conseillers, rng.randint(0, 1))),
            app_filters={"type": rng.choice([(), ("collectif",), ("individuel", "collectif")])},
        )


def _compare(scopes):
    for scope in scopes:
        for name in FUNCTIONS:
            expected = getattr(reference, name)(dataclasses.replace(scope))
            found = getattr(ateliers_figures, name)(dataclasses.replace(scope))
            assert found == expected, (name, scope)


def _writes(rng: random.Random, lieux, conseillers):
    """Writes of every kind after the store was written, each committed on its own."""
    seances = list(Seance.objects.order_by("pk"))
    people = list(Usager.objects.filter(merged_into__isnull=True).order_by("pk"))
    for seance in rng.sample(seances, 4):  # attendance taken, registrations added
        for inscription in seance.inscriptions.filter(statut=StatutInscription.INSCRIT):
            inscription.presence = rng.choice([Presence.PRESENT, Presence.ABSENT])
            inscription.save()
        taken = set(seance.inscriptions.values_list("usager_id", flat=True))
        for usager in [p for p in people if p.pk not in taken][:2]:
            InscriptionFactory(seance=seance, usager=usager, presence=Presence.PRESENT)
    moved = rng.choice(seances)  # another day and lieu, another facilitator
    moved.date = timezone.localdate() - datetime.timedelta(days=rng.randint(1, 300))
    moved.lieu = rng.choice(lieux)
    moved.save()
    moved.animateurs.add(rng.choice(conseillers))
    Seance.objects.filter(pk=rng.choice(seances).pk).update(cancelled_at=timezone.now())
    Inscription.objects.filter(pk=Inscription.objects.order_by("?").first().pk).delete()
    duplicate, kept = people[0], people[1]  # a merge: the duplicate's presences count as kept
    Usager.objects.filter(pk=duplicate.pk).update(merged_into=kept)
    new = SeanceFactory(date=timezone.localdate() - datetime.timedelta(days=3), lieu=lieux[0])
    InscriptionFactory(seance=new, usager=kept, presence=Presence.PRESENT)


@pytest.mark.parametrize("seed", [1, 2])
def test_numpy_figures_equal_the_former_sql(seed):
    rng = random.Random(seed)
    world = _world(rng)
    scopes = list(_scopes(rng, *world))
    assert any(reference.totals(s)["participants_uniques"] for s in scopes)  # not all empty
    _compare(scopes)
    # With the stores written, the sessions and registrations come from the workshops' store
    # and the age bands from the médiation store's people: same answers, before and after
    # writes of every kind (the store overlays the sessions they touched).
    call_command("rebuild_figures_store", verbosity=0)
    assert figures_data.current_store() is not None
    assert figures.age_bands(ateliers_figures.participant_ids(figures.Scope())) is not None
    _compare(scopes)
    _writes(rng, world[1], world[2])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ateliers_figures_change")
        assert cursor.fetchone()[0] > 0
    _compare(scopes)
    call_command("rebuild_figures_store", verbosity=0)  # and written again
    _compare(scopes)


def test_the_store_is_read_when_there_is_one(monkeypatch):
    rng = random.Random(3)
    _world(rng)
    call_command("rebuild_figures_store", verbosity=0)
    monkeypatch.setattr(figures_data, "_from_sql", None)  # the SQL path would fail
    assert (
        ateliers_figures.totals(figures.Scope())["seances"]
        == reference.totals(figures.Scope())["seances"]
    )
