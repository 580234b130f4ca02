"""The figures store answers exactly what the live SQL answers: every médiation section and API
block, for random filter combinations and viewers, before and after random writes through every
path (forms' saves, bulk updates, deletions, merges, anonymisations, erasures)."""

import dataclasses
import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from permanences import log_totals
from permanences import usagers as usager_services
from permanences.enums import (
    Autonomie,
    Materiel,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TypeActivite,
    TypeLieu,
)
from permanences.figures import attendance_rows, engine
from permanences.models import Accompagnement, Mediation, Permanence
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.models import Usager
from reporting import crossapp
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.factories import LieuFactory, QuartierFactory, UserFactory

# The store overlays what was written after it through PostgreSQL transaction ids: each write
# must commit on its own, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SECTIONS = ("ensemble", "general", "permanences", "publics", "thematiques", "satisfaction")
FIRST = datetime.date(2023, 1, 1)


@pytest.fixture(autouse=True)
def store_folder(figures_store_dir):
    return figures_store_dir


@pytest.fixture(params=["rows", "indexes", "mass_overlay"])
def reading(request, monkeypatch):
    """How the engine reads: small worlds fit in one block of the indexes (their counts come
    from the rows); blocks of 16 rows make every count of a period come from the indexes' blocks
    too; with no overlay correction allowed, the rows of a mass of changes are read instead."""
    from permanences.figures import index

    if request.param != "rows":
        monkeypatch.setattr(index, "BLOCK", 16)
    if request.param == "mass_overlay":
        monkeypatch.setattr(index, "MAX_DROPPED", 0)
    return request.param


def _maybe(rng, choices, empty=""):
    return rng.choice([empty, *[value for value, _label in choices]])


def _subset(rng, choices, most=3):
    return rng.sample([value for value, _label in choices], rng.randint(0, most))


class World:
    """A few thousand accompagnements of every shape the figures distinguish."""

    def __init__(self, seed: int):
        self.rng = rng = random.Random(seed)
        quartiers = [QuartierFactory(qpv=i == 0) for i in range(3)]
        self.lieux = [LieuFactory(quartier=q) for q in quartiers] + [LieuFactory(quartier=None)]
        self.conseillers = [UserFactory(conseiller=True) for _ in range(4)]
        self.coordinateur = UserFactory(coordinateur=True)
        self.quartiers = quartiers
        self.permanences = []
        for i, lieu in enumerate(self.lieux):
            permanence = Permanence.objects.create(
                lieu=lieu,
                weekday=i % 5,
                start_time=datetime.time(9),
                end_time=datetime.time(12),
                valid_from=FIRST,
                valid_until=datetime.date(2024, 6, 30) if i == 1 else None,
            )
            permanence.conseillers.add(*rng.sample(self.conseillers, 2))
            self.permanences.append(permanence)
        Usager.objects.bulk_create(self._usager() for _ in range(500))
        self.usagers = list(Usager.objects.values_list("pk", flat=True))
        mediations = Mediation.objects.bulk_create(
            Mediation(**self.mediation_fields()) for _ in range(1500)
        )
        Accompagnement.objects.bulk_create(
            Accompagnement(mediation=mediation, usager_id=pk)
            for mediation in mediations
            for pk in self._people(mediation.type_activite)
        )
        # Workshop participants, some also seen at médiations: the cross-app count of people.
        for _ in range(5):
            day = FIRST + datetime.timedelta(days=rng.randrange(3 * 365))
            seance = SeanceFactory(lieu=rng.choice(self.lieux), date=day, capacite=30)
            seance.animateurs.add(rng.choice(self.conseillers))
            for pk in rng.sample(self.usagers, 20):
                InscriptionFactory(seance=seance, usager_id=pk, presence="present")

    def _usager(self):
        rng = self.rng
        birth_year = rng.choice([None, None, 1940, 1955, 1980, 1999, 2006, 2015])
        return Usager(
            genre=rng.choice(Genre.values),
            tranche_age=rng.choice(TrancheAge.values),
            birth_year=birth_year,
            consent_at=timezone.now() if birth_year else None,
            statut_social=rng.choice(StatutSocial.values),
            quartier=rng.choice([None, *self.quartiers]),
        )

    def mediation_fields(self) -> dict:
        rng = self.rng
        collectif = rng.random() < 0.2
        at_slot = rng.random() < 0.4
        permanence = rng.choice(self.permanences) if at_slot else None
        day = FIRST + datetime.timedelta(days=rng.randrange(3 * 365))
        return {
            "date": day,
            "conseiller": rng.choice(self.conseillers),
            "type_activite": TypeActivite.COLLECTIF if collectif else TypeActivite.INDIVIDUEL,
            "type_lieu": TypeLieu.LIEU_ACTIVITE,
            "lieu": permanence.lieu if permanence else rng.choice([None, *self.lieux]),
            "permanence": permanence,
            "duree_minutes": rng.choice([10, 30, 45, 60, 90, 120, 180]),
            "thematiques": _subset(rng, Thematique.choices),
            "thematiques_demarche": _subset(rng, ThematiqueDemarche.choices, 2),
            "materiel": _subset(rng, Materiel.choices, 2),
            "autonomie": _maybe(rng, Autonomie.choices),
            "redirige": rng.random() < 0.3,
            "structure_redirection": _maybe(rng, StructureRedirection.choices),
            "satisfaction": _maybe(rng, Satisfaction.choices),
            "source_connaissance": _maybe(rng, SourceConnaissance.choices),
        }

    def add_mediation(self) -> Mediation:
        fields = self.mediation_fields()
        mediation = Mediation.objects.create(**fields)
        Accompagnement.objects.bulk_create(
            Accompagnement(mediation=mediation, usager_id=pk)
            for pk in self._people(mediation.type_activite)
        )
        return mediation

    def _people(self, type_activite) -> list[int]:
        people = 1 if type_activite == TypeActivite.INDIVIDUEL else self.rng.randint(2, 6)
        return self.rng.sample(self.usagers, people)

    def random_scope(self) -> figures.Scope:
        rng = self.rng
        start = (
            FIRST + datetime.timedelta(days=rng.randrange(3 * 365)) if rng.random() < 0.6 else None
        )
        end = (
            (start or FIRST) + datetime.timedelta(days=rng.randrange(600))
            if rng.random() < 0.6
            else None
        )
        app_filters = {}
        if rng.random() < 0.3:
            app_filters["type"] = (rng.choice(TypeActivite.values),)
        if rng.random() < 0.3:  # one thématique, or sometimes two (rows with either)
            app_filters["thematique"] = tuple(rng.sample(Thematique.values, rng.choice([1, 1, 2])))
        return figures.Scope(
            user=rng.choice([None, self.coordinateur, self.coordinateur, *self.conseillers[:1]]),
            start=start,
            end=end,
            lieux=tuple(lieu.pk for lieu in rng.sample(self.lieux, rng.choice([0, 0, 1, 2]))),
            quartiers=tuple(q.pk for q in rng.sample(self.quartiers, rng.choice([0, 0, 0, 1]))),
            conseillers=tuple(c.pk for c in rng.sample(self.conseillers, rng.choice([0, 0, 1, 2]))),
            app_filters=app_filters,
        )


def _everything(scope: figures.Scope) -> dict:
    """Every médiation figure a page, the API or an export reads, for a fresh request."""
    built = {}
    for spec in figures.sections():
        if spec.key in SECTIONS:
            built[spec.key] = spec.build(dataclasses.replace(scope))
    blocks = figures.api_blocks()
    built["api"] = blocks["mediations"](dataclasses.replace(scope))
    built["ensemble_api"] = crossapp.people(dataclasses.replace(scope))
    built["list_totals"] = log_totals.scope_totals(dataclasses.replace(scope))
    return built


def _whole_periods(world: World) -> list[figures.Scope]:
    """Scopes of the period only, the whole history first, then the same of one thématique: the
    indexes answer these without reading the rows (random filters seldom draw them)."""
    periods = [(None, None), (FIRST + datetime.timedelta(days=400), None)]
    periods += [
        (None, datetime.date(2024, 2, 29)),
        (datetime.date(2023, 7, 3), datetime.date(2025, 1, 9)),
    ]
    users = (None, world.coordinateur)
    scopes = [figures.Scope(user=users[i % 2], start=s, end=e) for i, (s, e) in enumerate(periods)]
    # One thématique alone, one type alone: their rows are counted from the indexes per key.
    keys = (
        {"thematique": (Thematique.SANTE.value,)},
        {"type": (TypeActivite.INDIVIDUEL.value,)},
        {"thematique": (Thematique.SANTE.value, Thematique.EMAIL.value)},  # two keys
        {"thematique": (Thematique.SANTE.value,), "type": (TypeActivite.INDIVIDUEL.value,)},
    )
    return scopes + [dataclasses.replace(s, app_filters=key) for key in keys for s in scopes]


def _live(patched) -> None:
    """Every figure computed by the live SQL: the médiations' rows and attendance's."""
    patched.setattr(engine, "rows_for", lambda scope: None)
    patched.setattr(attendance_rows, "visits", lambda *args: None)


def _assert_same(world: World, monkeypatch, scopes: int, *, expect_store=True):
    drawn = [world.random_scope() for _ in range(scopes)]
    for scope in (_whole_periods(world) if expect_store else []) + drawn:
        assert (engine.rows_for(scope) is not None) is expect_store
        stored = _everything(scope)
        with monkeypatch.context() as patched:
            _live(patched)
            live = _everything(scope)
        for key, value in live.items():
            assert stored[key] == value, (key, scope)


def test_it_answers_like_the_live_sql_for_random_filters(monkeypatch, reading):
    world = World(seed=14)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    _assert_same(world, monkeypatch, 25)


def _writes(world: World) -> list:
    """Writes of every kind, through every path, in stages."""
    rng = world.rng
    staff = world.coordinateur

    def new_mediations():
        for _ in range(40):
            world.add_mediation()

    def edits():
        for mediation in Mediation.objects.order_by("?")[:40]:  # edits through save()
            for name, value in world.mediation_fields().items():
                if name not in ("type_activite",) or not rng.random() < 0.5:
                    setattr(mediation, name, value)
            mediation.save()

    def bulk_update():
        Mediation.objects.filter(
            pk__in=list(Mediation.objects.order_by("?").values_list("pk", flat=True)[:30])
        ).update(date=datetime.date(2024, 2, 29), thematiques=[Thematique.SANTE.value])

    def deletions():
        Mediation.objects.filter(
            pk__in=list(Mediation.objects.order_by("?").values_list("pk", flat=True)[:25])
        ).delete()
        Accompagnement.objects.filter(
            pk__in=list(Accompagnement.objects.order_by("?").values_list("pk", flat=True)[:25])
        ).delete()

    people = []

    def merges():
        people.extend(Usager.objects.filter(merged_into=None).order_by("?")[:40])
        for kept, other in zip(people[0:20:2], people[1:20:2], strict=True):
            usager_services.merge_usagers(kept=kept, other=other, actor=staff)

    def anonymisations_and_edits():
        for usager in people[20:28]:
            usager_services.anonymise_usager(usager=usager, actor=staff, reason="test")
        for usager in people[28:34]:
            usager.genre, usager.birth_year = rng.choice(Genre.values), rng.choice([None, 1970])
            usager.consent_at = timezone.now() if usager.birth_year else usager.consent_at
            usager.save()
        for usager in people[34:37]:
            usager_services.delete_usager(usager=usager, actor=staff)

    def bare_merges():
        # Records merged by a bare update, their accompagnements and participations left behind:
        # they count as the record kept (aggregates.PERSON).
        left = Usager.objects.filter(merged_into=None).exclude(pk__in=[p.pk for p in people])
        left = rng.sample(list(left), 16)
        for other, kept in zip(left[::2], left[1::2], strict=True):
            Usager.objects.filter(pk=other.pk).update(merged_into=kept)

    def newcomers():
        Usager.objects.bulk_create(world._usager() for _ in range(10))
        world.usagers = list(Usager.objects.filter(merged_into=None).values_list("pk", flat=True))
        for _ in range(10):
            world.add_mediation()

    return [
        new_mediations,
        edits,
        bulk_update,
        deletions,
        merges,
        anonymisations_and_edits,
        bare_merges,
        newcomers,
    ]


def test_it_follows_every_kind_of_write_after_it_was_built(monkeypatch, reading):
    world = World(seed=41)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    for write in _writes(world):
        write()

    _assert_same(world, monkeypatch, 25)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    _assert_same(world, monkeypatch, 8)


def test_it_follows_writes_read_between_them_from_the_previous_overlay(monkeypatch, reading):
    """Figures read between writes: each state of the change log is the previous state's
    overlay with the changes logged since (store.current), the same figures as the live SQL."""
    from permanences.figures import overlay

    world = World(seed=43)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    apply = overlay.apply
    calls = []

    def spied(cursor, base, changes, previous=None):
        calls.append((len(changes), previous is not None))
        return apply(cursor, base, changes, previous)

    monkeypatch.setattr(overlay, "apply", spied)
    logged = 0
    for write in _writes(world):
        write()
        calls.clear()
        _assert_same(world, monkeypatch, 4)
        total = _change_count()
        # One overlay for the new state, of the changes logged since the previous state only.
        assert calls == [(total - logged, logged > 0)]
        logged = total


def _change_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM permanences_figures_change")
        return cursor.fetchone()[0]


def test_a_store_without_the_index_of_mediations_is_overlaid_by_a_scan(monkeypatch):
    """A store written before the indexes of médiations and of thématiques: the overlay finds
    the rows of the médiations written since, and a thématique filter its rows, by a scan, the
    same figures; it is due for a rewrite."""
    from permanences.figures import store

    world = World(seed=44)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    assert not store.rebuild_due()
    for path in [*store.root().glob("*/index_*_med.npy"), *store.root().glob("*/index_*_tbit.npy")]:
        path.unlink()
    store._LOADED.clear()
    assert store.rebuild_due()
    for write in _writes(world)[:4]:
        write()
    assert not {"sorted_med", "perm_tbit"} & set(store.current().index)
    _assert_same(world, monkeypatch, 6)


def test_it_computes_live_without_a_store(monkeypatch):
    world = World(seed=7)
    _assert_same(world, monkeypatch, 3, expect_store=False)


def test_a_mediation_saved_is_on_the_dashboard_at_once(client):
    world = World(seed=3)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    client.force_login(world.coordinateur)

    def total():
        response = client.get(reverse("reporting:dashboard"))
        assert "Chiffres à jour" in response.text
        general = next(s for s in response.context["sections"] if s.key == "general")
        return dict(general.kpis)["Médiations (accompagnements)"]

    before = total()
    world.add_mediation()
    after = total()
    assert after > before and after == Accompagnement.objects.count()
    assert engine.rows_for(figures.Scope(user=world.coordinateur)) is not None


def test_a_restored_database_forgets_the_store_of_the_server_it_came_from(monkeypatch):
    """The store's snapshot holds transaction ids of the server that wrote it: after a restore
    they mean nothing, so the figures are computed live until the next rebuild."""
    from permanences.figures import store
    from poitiers_inclusion.backups import _AFTER_RESTORE

    world = World(seed=7)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    assert store.current() is not None
    assert store.forget in _AFTER_RESTORE  # run by backups.restore, after pg_restore
    assert "rebuild_figures_store" in store.forget()
    assert store.current() is None
    _assert_same(world, monkeypatch, 3, expect_store=False)


def _beyond_int32(world: World) -> None:
    """A usager whose id does not fit 32 bits (ids are bigint), with some médiations."""
    usager = world._usager()
    usager.pk = 2**31 + 7
    usager.save()
    world.usagers.append(usager.pk)
    for _ in range(5):
        mediation = world.add_mediation()
        Accompagnement.objects.get_or_create(mediation=mediation, usager_id=usager.pk)


def test_ids_beyond_32_bits_are_computed_live(monkeypatch):
    """The store holds ids as int32 and arrays indexed by id; past 2**31 (ids are bigint) it
    does not answer and the figures are computed live, the same figures."""
    from permanences.figures import store

    world = World(seed=5)
    _beyond_int32(world)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    assert store.current() is None
    _assert_same(world, monkeypatch, 3, expect_store=False)


def test_an_id_beyond_32_bits_written_after_the_store_is_computed_live(monkeypatch):
    from permanences.figures import store

    world = World(seed=6)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    assert store.current() is not None
    _beyond_int32(world)
    assert store.current() is None  # the rows read again hold it
    _assert_same(world, monkeypatch, 3, expect_store=False)


def test_a_permanence_moved_to_another_lieu_after_the_store_is_counted_there(monkeypatch):
    """The store knows each permanence's lieu when it was written (attendance per lieu); a
    permanence moved since (not a logged change) is counted at its new lieu."""
    world = World(seed=8)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    moved = world.permanences[0]
    Permanence.objects.filter(pk=moved.pk).update(lieu=world.lieux[3])
    scope = figures.Scope(user=world.coordinateur)
    stored = _everything(scope)
    with monkeypatch.context() as patched:
        _live(patched)
        live = _everything(scope)
    assert stored["permanences"] == live["permanences"]
    _assert_same(world, monkeypatch, 4)


def test_a_participant_is_seen_at_mediations_through_a_record_merged_into_them(monkeypatch):
    """The cross-app count meets workshop participants and médiations through the store's
    people: a record merged into the participant, its accompagnements left behind, is them."""
    from permanences.figures import aggregates

    world = World(seed=9)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    kept = Usager.objects.create(genre=Genre.values[0])  # no accompagnement of their own
    other = Accompagnement.objects.order_by("pk").first().usager_id
    Usager.objects.filter(pk=other).update(merged_into=kept)
    scope = figures.Scope(user=world.coordinateur)
    assert engine.rows_for(scope) is not None
    assert aggregates.persons_seen(dataclasses.replace(scope), {kept.pk}) == {kept.pk}
    with monkeypatch.context() as patched:
        _live(patched)
        assert aggregates.persons_seen(dataclasses.replace(scope), {kept.pk}) == {kept.pk}
