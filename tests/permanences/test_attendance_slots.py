"""Attendance counts its slots as numpy arrays (figures.slots): the same slots held, closed,
empty and months as the occurrences the schedule lists (booking.occurrences), for random
permanences, validity dates, closures of a permanence or of a lieu, public holidays, one-off
slots and visits on and off the slots' days."""

import datetime
import random
from collections import defaultdict

import pytest

from permanences.booking import occurrences
from permanences.figures import attendance
from tests.factories import LieuFactory
from tests.permanences.factories import MediationFactory, PermanenceFactory
from tests.permanences.factories_schedule import FermetureFactory

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2023, 1, 1), D(2024, 12, 31)


def _day(rng, low=START, high=END):
    return low + datetime.timedelta(days=rng.randrange((high - low).days + 1))


def _expected(permanences, start, end, visits, label=""):
    """Slots held, closed, empty and months of the occurrences, as attendance counted them
    before the arrays: one Python object per occurrence."""
    found = defaultdict(lambda: attendance.Stats(label))
    months = defaultdict(set)
    lieu_of = {p.pk: p.lieu_id for p in permanences}
    for o in occurrences(permanences, start, end):
        month = o.date.replace(day=1)
        for key in (
            ("total",),
            ("permanence", o.permanence.pk),
            ("lieu", lieu_of[o.permanence.pk]),
            ("month", month),
        ):
            stats = found[key]
            if o.closed:
                stats.closed += 1
                continue
            stats.slots += 1
            months[key].add(month)
            stats.empty += not visits.get((o.permanence.pk, o.date))
    for key, stats in found.items():
        stats.months = len(months[key])
    return found


def _counts(stats):
    return (stats.slots, stats.closed, stats.empty, stats.months)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_slots_are_counted_as_the_occurrences_list_them(seed):
    rng = random.Random(seed)
    lieux = [LieuFactory() for _ in range(3)]
    permanences = []
    for _ in range(7):
        valid_from = _day(rng, D(2022, 6, 1), D(2024, 6, 1))
        one_off = rng.random() < 0.2
        until = valid_from if one_off else rng.choice([None, _day(rng, valid_from, D(2025, 6, 1))])
        permanences.append(
            PermanenceFactory(
                lieu=rng.choice(lieux),
                weekday=valid_from.weekday() if one_off else rng.randrange(7),
                valid_from=valid_from,
                valid_until=until,
                is_one_off=one_off,
            )
        )
    for _ in range(6):
        low = _day(rng, D(2022, 10, 1))
        on_lieu = rng.random() < 0.4
        FermetureFactory(
            permanence=None if on_lieu else rng.choice(permanences),
            lieu=rng.choice(lieux) if on_lieu else None,
            start_date=low,
            end_date=low + datetime.timedelta(days=rng.randrange(60)),
        )
    visits = defaultdict(int)
    for _ in range(60):
        permanence = rng.choice(permanences)
        day = _day(rng)
        MediationFactory(permanence=permanence, lieu=permanence.lieu, date=day)
        visits[(permanence.pk, day)] += 1

    start, end = _day(rng, START, D(2023, 6, 1)), _day(rng, D(2024, 1, 1), END)
    data = attendance.Attendance(permanences, start, end)
    expected = _expected(permanences, start, end, visits)

    assert _counts(data.total()) == _counts(expected[("total",)])
    for stats in data.by_permanence():
        assert _counts(stats) == _counts(expected[("permanence", stats.extra["key"])])
    for stats in data.by_lieu():
        assert _counts(stats) == _counts(expected[("lieu", stats.extra["key"])])
    for stats in data.by_month():
        assert _counts(stats) == _counts(expected[("month", stats.extra["month"])])
    keys = {k for k, s in expected.items() if s.slots or s.closed}
    assert {
        ("permanence", s.extra["key"]) for s in data.by_permanence() if s.slots or s.closed
    } == {k for k in keys if k[0] == "permanence"}
    # A window of some permanences (the moves' comparisons).
    chosen = {p.pk for p in rng.sample(permanences, 3)}
    low, high = _day(rng, start, D(2023, 12, 1)), _day(rng, D(2024, 1, 1), end)
    window = data.window(chosen, low, high)
    some = [p for p in permanences if p.pk in chosen]
    wanted = _expected(some, low, high, visits)[("total",)]
    assert _counts(window) == _counts(wanted)
    held = [o for o in occurrences(some, low, high) if not o.closed]
    assert window.visits == sum(visits.get((o.permanence.pk, o.date), 0) for o in held)
    # The page's list of one permanence's slots reads the same visits.
    assert sum(v or 0 for _o, v in data.slots()) == sum(
        visits.get((o.permanence.pk, o.date), 0)
        for o in occurrences(permanences, start, end)
        if not o.closed
    )


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_visits_in_order_of_permanence_and_day_land_on_the_same_slots(seed):
    # The store's runs (ordered: no lookup or sort per run, the rows read again apart) and the
    # SQL's rows (any order, a day twice) give the same counts, whatever the visits' days and
    # the closures.
    import numpy as np

    from permanences.figures.slots import SlotTable, day_number

    rng = random.Random(seed)
    lieu = LieuFactory()
    permanences = []
    for i in range(5):
        valid_from = D(2022, 6, 1) if i == 0 else _day(rng, D(2022, 6, 1), D(2024, 6, 1))
        permanences.append(
            PermanenceFactory(
                lieu=lieu,
                weekday=rng.randrange(7),
                valid_from=valid_from,
                valid_until=rng.choice([None, _day(rng, valid_from, D(2025, 6, 1))]) if i else None,
            )
        )
    for i in range(3):
        low = _day(rng, D(2023, 7, 1), D(2023, 10, 1)) if i == 0 else _day(rng, D(2022, 10, 1))
        FermetureFactory(
            permanence=permanences[0] if i == 0 else rng.choice(permanences),
            start_date=low,
            end_date=low + datetime.timedelta(days=rng.randrange(60)),
        )
    visits = defaultdict(int)
    for _ in range(300):
        permanence = rng.choice(permanences)
        # Half on the permanence's weekday (a slot, or outside its validity), half any day.
        day = _day(rng)
        if rng.random() < 0.5:
            day += datetime.timedelta(days=(permanence.weekday - day.weekday()) % 7)
        visits[(permanence.pk, day_number(day))] += rng.choice([0, 1, 1, 2])
    start, end = _day(rng, START, D(2023, 6, 1)), _day(rng, D(2024, 1, 1), END)
    keys = sorted(visits)
    runs = [k for k in keys if visits[k]]  # the store's runs: each with visits
    # A few visits read again since the store was written, on slots of their own: apart.
    extra = rng.sample(runs, 12)
    runs = [k for k in runs if k not in extra]
    pids = np.array([k[0] for k in keys], dtype=np.int32)
    days = np.array([k[1] for k in keys], dtype=np.int32)
    counts = np.array([visits[k] for k in keys], dtype=np.int64)
    ordered, general = SlotTable(permanences, start, end), SlotTable(permanences, start, end)
    ordered.add_visits(
        np.array([k[0] for k in runs], dtype=np.int32),
        np.array([k[1] for k in runs], dtype=np.int32),
        np.array([visits[k] for k in runs], dtype=np.int64),
        ordered=True,
        extra=tuple(np.array([k[i] for k in extra], dtype=np.int64) for i in (0, 1))
        + (np.array([visits[k] for k in extra], dtype=np.int64),),
    )
    shuffled = list(range(len(keys))) + [0, 1]  # a slot twice: the SQL's rows are not runs
    rng.shuffle(shuffled)
    twice = np.zeros(len(shuffled), dtype=np.int64)
    twice[:] = counts[shuffled]
    twice[shuffled.index(0)] = 0  # the first two keys' counts, split over two rows
    twice[shuffled.index(1)] = 0
    general.add_visits(pids[shuffled], days[shuffled], twice)
    for table in (ordered, general):
        assert len(table.visited) and len(table.closed)
    assert len(ordered.extra[0])  # some of the extra visits are on open slots
    for low, high in ((start, end), (D(2023, 7, 1), D(2023, 12, 31)), (D(2023, 9, 1), end)):
        indexes = list(range(len(permanences)))
        assert ordered.window(indexes, low, high) == general.window(indexes, low, high)
    groups = np.arange(len(permanences))
    for name, values in ordered.grouped(groups, len(permanences)).items():
        assert values.tolist() == general.grouped(groups, len(permanences))[name].tolist(), name
    low, by_month = ordered.per_month()
    assert low == general.per_month()[0]
    for name, values in by_month.items():
        assert values.tolist() == general.per_month()[1][name].tolist(), name
