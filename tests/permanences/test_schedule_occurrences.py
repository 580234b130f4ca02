"""Occurrences of the recurring slots: weekday, validity dates, closures, one-off slots."""

import datetime

import pytest

from permanences.booking import occurrences
from permanences.enums import Weekday
from tests.factories import LieuFactory
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import FermetureFactory

pytestmark = pytest.mark.django_db

# March 2023: Tuesdays are the 7th, 14th, 21st and 28th.
MARCH_1, MARCH_31 = datetime.date(2023, 3, 1), datetime.date(2023, 3, 31)


def test_it_lists_every_tuesday_of_the_month():
    permanence = PermanenceFactory(weekday=Weekday.MARDI, valid_from=datetime.date(2023, 1, 1))
    days = [o.date for o in occurrences([permanence], MARCH_1, MARCH_31)]
    assert days == [datetime.date(2023, 3, d) for d in (7, 14, 21, 28)]


def test_it_respects_the_validity_dates_inclusively():
    permanence = PermanenceFactory(
        weekday=Weekday.MARDI,
        valid_from=datetime.date(2023, 3, 14),
        valid_until=datetime.date(2023, 3, 21),
    )
    days = [o.date for o in occurrences([permanence], MARCH_1, MARCH_31)]
    assert days == [datetime.date(2023, 3, 14), datetime.date(2023, 3, 21)]


def test_it_marks_the_days_a_closure_covers_with_its_message():
    permanence = PermanenceFactory(weekday=Weekday.MARDI, valid_from=datetime.date(2023, 1, 1))
    FermetureFactory(
        permanence=permanence,
        start_date=datetime.date(2023, 3, 13),
        end_date=datetime.date(2023, 3, 14),
        message="Conseiller en formation",
    )
    closed = [o for o in occurrences([permanence], MARCH_1, MARCH_31) if o.closed]
    assert [o.date for o in closed] == [datetime.date(2023, 3, 14)]
    assert closed[0].fermeture.message == "Conseiller en formation"


def test_a_lieu_closure_closes_every_permanence_of_that_lieu_only():
    lieu = LieuFactory()
    tuesday = PermanenceFactory(lieu=lieu, weekday=Weekday.MARDI, valid_from=MARCH_1)
    friday = PermanenceFactory(lieu=lieu, weekday=Weekday.VENDREDI, valid_from=MARCH_1)
    elsewhere = PermanenceFactory(weekday=Weekday.MARDI, valid_from=MARCH_1)
    FermetureFactory(permanence=None, lieu=lieu, start_date=MARCH_1, end_date=MARCH_31)
    result = occurrences([tuesday, friday, elsewhere], MARCH_1, MARCH_31)
    assert all(o.closed for o in result if o.permanence.lieu_id == lieu.pk)
    assert not any(o.closed for o in result if o.permanence == elsewhere)


def test_a_one_off_slot_occurs_once():
    day = datetime.date(2023, 3, 18)
    slot = PermanenceFactory(
        is_one_off=True, weekday=day.weekday(), valid_from=day, valid_until=day
    )
    assert [o.date for o in occurrences([slot], MARCH_1, MARCH_31)] == [day]
