"""The batched slot lookup of the Coop import gives, for every lieu, day and conseiller, the slot
that the log form's `permanence_for` gives, in one query."""

import datetime

import pytest

from permanences.enums import Weekday
from permanences.services import permanence_for, permanences_for
from tests.factories import LieuFactory, UserFactory

from .factories import PermanenceFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


def test_it_gives_the_slot_permanence_for_gives_in_one_query(django_assert_num_queries):
    alice, bruno, chloe = (UserFactory(conseiller=True) for _ in range(3))
    centre, mairie, bare = LieuFactory(), LieuFactory(), LieuFactory()
    morning = PermanenceFactory(
        lieu=centre,
        weekday=Weekday.LUNDI,
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    morning.conseillers.add(alice)
    # Bruno's own slot comes later in the day: it wins over the morning one for him only.
    afternoon = PermanenceFactory(
        lieu=centre,
        weekday=Weekday.LUNDI,
        start_time=datetime.time(14),
        end_time=datetime.time(17),
    )
    afternoon.conseillers.add(bruno, alice)
    # Ended before the second week: the week after, only the newer one is in force.
    ended = PermanenceFactory(
        lieu=mairie,
        weekday=Weekday.MERCREDI,
        start_time=datetime.time(8),
        end_time=datetime.time(10),
        valid_until=MONDAY + datetime.timedelta(days=6),
    )
    ended.conseillers.add(chloe)
    PermanenceFactory(
        lieu=mairie,
        weekday=Weekday.MERCREDI,
        start_time=datetime.time(10),
        end_time=datetime.time(12),
    )
    # Starts in the third week; a one-off slot on a single Friday.
    PermanenceFactory(
        lieu=mairie,
        weekday=Weekday.LUNDI,
        start_time=datetime.time(9),
        end_time=datetime.time(11),
        valid_from=MONDAY + datetime.timedelta(days=14),
    )
    PermanenceFactory(
        lieu=centre,
        weekday=Weekday.VENDREDI,
        start_time=datetime.time(9),
        end_time=datetime.time(11),
        valid_from=MONDAY + datetime.timedelta(days=4),
        valid_until=MONDAY + datetime.timedelta(days=4),
        is_one_off=True,
    ).conseillers.add(chloe)
    lieux = {lieu.pk: lieu for lieu in (centre, mairie, bare)}
    people = {person.pk: person for person in (alice, bruno, chloe)}
    keys = [
        (lieu, MONDAY + datetime.timedelta(days=day), person)
        for lieu in lieux
        for day in range(28)
        for person in people
    ]
    expected = {
        (lieu, day, person): permanence_for(lieu=lieux[lieu], date=day, conseiller=people[person])
        for lieu, day, person in keys
    }

    with django_assert_num_queries(1):
        found = permanences_for(keys)

    assert found == expected
    assert found[centre.pk, MONDAY, bruno.pk] == afternoon
    assert found[centre.pk, MONDAY, chloe.pk] == morning
    assert sum(slot is not None for slot in found.values()) > len(keys) // 10
    assert len(set(found.values())) == 7  # each of the six slots somewhere, and None


def test_it_asks_nothing_without_a_lieu(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert permanences_for([(None, MONDAY, 1)]) == {(None, MONDAY, 1): None}
