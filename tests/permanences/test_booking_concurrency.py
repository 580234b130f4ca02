"""Two people can never take the last place: concurrent bookings against the real PostgreSQL."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from permanences import booking
from permanences.models import RendezVous
from tests.concurrency import run_together
from tests.permanences.factories_schedule import BookablePermanenceFactory, next_weekday

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_booking_the_last_place_at_once_get_exactly_one_booking():
    permanence = BookablePermanenceFactory(capacity=1)
    day = next_weekday(permanence.weekday)

    def work(n):
        return booking.book(
            permanence=permanence,
            day=day,
            heure=datetime.time(14, 0),
            nom=f"Personne {n}",
            telephone="0612345678",
            besoin="demarches",
        )

    outcomes = run_together(2, work)
    booked = [o for o in outcomes if isinstance(o, RendezVous)]
    refused = [o for o in outcomes if isinstance(o, booking.BookingError)]
    assert len(booked) == 1 and len(refused) == 1, outcomes
    assert RendezVous.objects.filter(creneau__permanence=permanence).count() == 1


def test_concurrent_posts_of_the_booking_page_never_exceed_the_capacity():
    permanence = BookablePermanenceFactory(capacity=3)
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    times = [t.strftime("%H:%M") for t in booking.slot_times(permanence)]

    def work(n):
        data = {
            "heure": times[n % len(times)],
            "nom": f"Personne {n}",
            "telephone": "0612345678",
            "besoin": "demarches",
            "consent": "on",
        }
        return Client().post(url, data).status_code

    statuses = run_together(8, work)
    assert all(s in (200, 302) for s in statuses), statuses  # never a 500
    assert statuses.count(302) == 3
    heures = RendezVous.objects.filter(creneau__permanence=permanence).values_list(
        "heure", flat=True
    )
    assert sorted(h.strftime("%H:%M") for h in heures) == sorted(times)
