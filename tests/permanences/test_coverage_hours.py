"""The coverage matrix counts the drop-in hours of the permanences in force, not opening hours."""

import datetime

import pytest
from django.utils import timezone

from reseau import hours
from tests.factories import LieuFactory
from tests.permanences.factories import PermanenceFactory

pytestmark = pytest.mark.django_db


def test_drop_in_hours_come_from_the_permanences_in_force():
    today = timezone.localdate()
    lieu = LieuFactory(horaires="Mo-Fr 09:00-12:00")  # the building is open 15 h a week
    without = LieuFactory(horaires="Mo-Fr 09:00-12:00")
    PermanenceFactory(
        lieu=lieu,
        weekday=1,
        start_time=datetime.time(14),
        end_time=datetime.time(16, 30),
        valid_from=today - datetime.timedelta(days=60),
    )
    PermanenceFactory(  # ended: no longer counts
        lieu=lieu,
        weekday=3,
        start_time=datetime.time(9),
        end_time=datetime.time(12),
        valid_from=today - datetime.timedelta(days=90),
        valid_until=today - datetime.timedelta(days=1),
    )
    PermanenceFactory(  # a one-off slot is not a weekly hour
        lieu=lieu,
        weekday=today.weekday(),
        start_time=datetime.time(9),
        end_time=datetime.time(17),
        valid_from=today,
        valid_until=today,
        is_one_off=True,
    )
    assert hours.hours_by_lieu([lieu, without]) == {lieu.pk: 2.5, without.pk: 15}
