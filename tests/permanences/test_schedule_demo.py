"""The demo schedule: closures, a one-off slot and coming bookings, loaded idempotently."""

import io

import pytest

from permanences import demo_schedule
from permanences.booking import occurrences
from permanences.models import Fermeture, Permanence, RendezVous
from poitiers_inclusion import demo as kernel_demo
from reseau import demo as reseau_demo

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Permanence.objects.count(),
        Fermeture.objects.count(),
        RendezVous.objects.count(),
        Permanence.objects.filter(is_one_off=True).count(),
    )


def test_the_demo_schedule_is_idempotent_and_has_something_to_show():
    out = io.StringIO()
    reseau_demo.load(out)
    kernel_demo.load_accounts(out)
    demo_schedule.load(out)
    first = _counts()
    demo_schedule.load(out)
    assert _counts() == first
    permanences, closures, bookings, one_off = first
    assert permanences == len(demo_schedule.SLOTS) + 1 and one_off == 1
    assert closures >= 3 and bookings > 0
    # Bookings only sit on open occurrences of bookable slots, within capacity.
    for rdv in RendezVous.objects.select_related("creneau__permanence"):
        permanence = rdv.creneau.permanence
        found = occurrences([permanence], rdv.date, rdv.date)
        assert found and not found[0].closed
        assert rdv.creneau.rendez_vous.count() <= permanence.capacity
