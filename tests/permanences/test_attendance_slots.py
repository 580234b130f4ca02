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
