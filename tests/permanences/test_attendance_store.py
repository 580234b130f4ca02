"""Attendance read from the figures store's rows at permanences (figures.attendance_rows) gives
what the live SQL gives: every grouping of `Attendance`, for random scopes, before and after
writes the store overlays (tests/permanences/test_figures_store.py compares the dashboard)."""

import dataclasses
import datetime
import io

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Max

from permanences import usagers as usager_services
from permanences.enums import Thematique, TypeActivite
from permanences.figures import attendance, attendance_overlay, attendance_rows, last_visit, store
from permanences.figures.permanence_rows import permanence_rows
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion import figures
from poitiers_inclusion.models import Usager
from tests.permanences.test_figures_store import FIRST, World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def store_folder(figures_store_dir):
    return figures_store_dir


KEYS = {"permanence": "pid", "lieu": "lieu", "month": "month", "total": None}


def _numbers(stats) -> tuple:
    return (stats.label, stats.slots, stats.closed, stats.empty, stats.visits, stats.usagers)


def _groupings(scope, monkeypatch, *, live: bool) -> dict:
    permanences = permanence_rows(attendance.permanences_for(scope))
    start, end = attendance.period(scope, permanences)
    with monkeypatch.context() as patched:
        if live:
            patched.setattr(attendance_rows, "visits", lambda *args: None)
        data = attendance.Attendance(
            permanences,
            start,
            end,
            attendance.mediations_for(scope),
            scope=dataclasses.replace(scope),
        )
        # The live SQL's rows carry its GROUPING SETS columns too: compare what is read.
        found = {
            name: [(row.get(key), row["n"], row["usagers"]) for row in data._grouping[name]]
            for name, key in KEYS.items()
        }
        found["slots"] = data.visits_by_slot
        found["stats"] = [
            _numbers(stats)
            for stats in [data.total(), *data.by_permanence(), *data.by_lieu(), *data.by_month()]
        ]
    for name in KEYS:  # the SQL's grand total is a row even without rows: (None, 0, 0)
        found[name] = sorted(row for row in found[name] if row[1])
    return found


def _assert_same(world, monkeypatch, scopes: int) -> None:
    # One thématique alone, one type alone, over the whole history and periods: their rows are
    # counted from the store's rows and tables per key (random filters seldom draw them alone).
    alone = []
    for key in (
        {"thematique": (Thematique.SANTE.value,)},
        {"type": (TypeActivite.COLLECTIF.value,)},
        {"thematique": (Thematique.SANTE.value, Thematique.EMAIL.value)},  # not a key
    ):
        alone += [
            figures.Scope(user=world.coordinateur, app_filters=key),
            # From a day inside a month to the last: the tables from that month, its days
            # before the period counted out.
            figures.Scope(user=None, start=datetime.date(2024, 3, 17), app_filters=key),
            figures.Scope(
                user=None,
                start=datetime.date(2023, 7, 3),
                end=datetime.date(2025, 1, 9),
                app_filters=key,
            ),
        ]
    for scope in alone + [world.random_scope() for _ in range(scopes)]:
        stored = _groupings(scope, monkeypatch, live=False)
        live = _groupings(scope, monkeypatch, live=True)
        for key, value in live.items():
            assert stored[key] == value, (key, scope)


@pytest.mark.parametrize(
    "sort_below, few_groups",
    [(None, None), (0, 0), (10**9, 50_000)],
    ids=["as-shipped", "marks-found-in-order", "sorted"],
)
def test_the_stored_rows_at_permanences_count_like_the_live_sql(
    monkeypatch, sort_below, few_groups
):
    # Each way of counting distinct pairs, whatever the size of the world: the rows' previous
    # visits (as shipped, where they hold), the pair ids sorted or marked.
    firsts = []
    if sort_below is None:
        count = attendance_rows._Selection._firsts
        monkeypatch.setattr(
            attendance_rows._Selection, "_firsts", lambda *a: firsts.append(a[1]) or count(*a)
        )
    else:
        monkeypatch.setattr(store, "SORT_BELOW", sort_below)
        monkeypatch.setattr(store, "FEW_GROUPS", few_groups)
        monkeypatch.setattr(attendance_rows._Selection, "_firsts_hold", False)
    world = World(seed=23)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    scope = dataclasses.replace(world.random_scope(), user=world.coordinateur)
    permanences = [p.pk for p in world.permanences]
    lieu_of = {p.pk: p.lieu_id for p in world.permanences}
    read = attendance_rows.visits(scope, permanences, lieu_of, FIRST, FIRST.replace(year=2026))
    assert read is not None  # the store answers: the comparisons below are not live to live
    assert len(read["slot"][0]) == len(np.unique(read["slot"][0] * 100_000 + read["slot"][1]))
    _assert_same(world, monkeypatch, 20)
    assert sort_below is not None or {"pperm", "plieu"} <= set(firsts)
    for _ in range(15):
        world.add_mediation()
    for mediation in Mediation.objects.order_by("?")[:10]:
        for name, value in world.mediation_fields().items():
            setattr(mediation, name, value)
        mediation.save()
    _assert_same(world, monkeypatch, 15)


def _last_visit_live(permanences, today):
    visits = Mediation.objects.filter(permanence__in=permanences, date__lte=today)
    return visits.aggregate(last=Max("date"))["last"]


def test_the_last_visit_is_read_from_the_runs_as_from_the_database():
    world = World(seed=31)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    rng = world.rng
    for _ in range(2):
        for _ in range(12):
            some = [p.pk for p in rng.sample(world.permanences, rng.randint(1, 3))]
            today = FIRST + datetime.timedelta(days=rng.randrange(4 * 365))
            found = last_visit.last_visit(some, today)
            assert found == _last_visit_live(some, today), (some, today)
        world.add_mediation()  # read again from PostgreSQL on top of the files


def test_a_store_written_without_the_rows_at_permanences_is_rewritten_soon():
    """A store from before these files would leave attendance to the live SQL until its daily
    rewrite: refresh_figures (every ten minutes) rewrites it at once."""
    World(seed=5)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    assert not store.rebuild_due()
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM permanences_figures_store")
        folder = store.root() / cursor.fetchone()[0]
    for path in folder.glob(f"{attendance_rows.PREFIX}*.npy"):
        path.unlink()
    assert store.rebuild_due()


def _unfiltered_scopes(world) -> list:
    """Scopes without a filter of the rows (whole period, a year, from a day on, up to a day,
    within a month, a lieu): those whose pairs the previous visits count, the overlay's apart,
    and whose months cut by the period are counted from their runs."""
    user = world.coordinateur
    return [
        figures.Scope(user=user),
        figures.Scope(user=user, start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31)),
        figures.Scope(user=user, start=datetime.date(2023, 5, 17)),
        figures.Scope(user=user, end=datetime.date(2024, 3, 3)),
        figures.Scope(user=user, lieux=(world.lieux[0].pk,)),
        figures.Scope(user=None, start=datetime.date(2024, 2, 10), end=datetime.date(2025, 2, 9)),
        figures.Scope(user=user, start=datetime.date(2024, 3, 5), end=datetime.date(2024, 3, 20)),
    ]


@pytest.mark.parametrize("limit", [None, -1], ids=["changes-counted-apart", "scatter"])
def test_the_overlay_counts_again_only_the_pairs_of_the_usagers_written_since(monkeypatch, limit):
    # After each kind of write, the unfiltered scopes count the touched usagers' pairs apart
    # (attendance_overlay) or, past the limit of changed rows, by the scatter: both as the SQL.
    if limit is not None:
        monkeypatch.setattr(attendance_overlay, "DELTA_LIMIT", limit)
    corrected = []
    corrections = attendance_overlay.Delta.corrections
    monkeypatch.setattr(
        attendance_overlay.Delta,
        "corrections",
        lambda self, pair: corrected.append(pair) or corrections(self, pair),
    )
    world = World(seed=47)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    staff = world.coordinateur

    def add():  # new médiations: rows read again only
        for _ in range(6):
            world.add_mediation()

    def edit():  # rows dropped and read again, some at another permanence or day
        for mediation in Mediation.objects.order_by("?")[:8]:
            for name, value in world.mediation_fields().items():
                setattr(mediation, name, value)
            mediation.save()

    def delete():  # rows dropped only: a médiation, an accompagnement
        Mediation.objects.filter(
            pk__in=Mediation.objects.filter(permanence__isnull=False).order_by("?")[:4]
        ).delete()
        Accompagnement.objects.filter(
            pk__in=Accompagnement.objects.filter(mediation__permanence__isnull=False).order_by("?")[
                :4
            ]
        ).delete()

    def merge():  # a usager's rows moved: read again as the record kept
        people = list(Usager.objects.filter(merged_into=None).order_by("?")[:4])
        for kept, other in zip(people[::2], people[1::2], strict=True):
            usager_services.merge_usagers(kept=kept, other=other, actor=staff)
        world.usagers = list(Usager.objects.filter(merged_into=None).values_list("pk", flat=True))

    for write in (add, edit, delete, merge):
        write()
        for scope in _unfiltered_scopes(world) + [world.random_scope() for _ in range(3)]:
            stored = _groupings(scope, monkeypatch, live=False)
            live = _groupings(scope, monkeypatch, live=True)
            for key, value in live.items():
                assert stored[key] == value, (write.__name__, key, scope)
    if limit is None:
        assert {"pperm", "plieu", "pmonth", "usager"} <= set(corrected)
    else:
        assert not corrected


def test_a_store_without_the_counts_per_run_counts_by_the_scatter_and_is_rewritten_soon(
    monkeypatch,
):
    """A store written before the per-run and per-month counts (run_new_*, month_*): its pairs
    are counted by the scatter, exactly, until refresh_figures rewrites it."""
    world = World(seed=53)
    call_command("rebuild_figures_store", stdout=io.StringIO())
    assert not store.rebuild_due()
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM permanences_figures_store")
        folder = store.root() / cursor.fetchone()[0]
    for pattern in ("run_new_*", "month_*"):
        for path in folder.glob(f"{attendance_rows.PREFIX}{pattern}.npy"):
            path.unlink()
    store._LOADED.clear()
    store._OVERLAID.clear()
    assert store.rebuild_due()
    monkeypatch.setattr(
        attendance_overlay.Delta, "of", lambda *a: pytest.fail("the overlay's delta needs them")
    )
    world.add_mediation()
    for scope in _unfiltered_scopes(world):
        stored = _groupings(scope, monkeypatch, live=False)
        live = _groupings(scope, monkeypatch, live=True)
        for key, value in live.items():
            assert stored[key] == value, (key, scope)
