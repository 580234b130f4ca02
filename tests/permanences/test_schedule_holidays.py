"""Public holidays close every recurring permanence: the public page, booking, the agenda."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from permanences import booking
from permanences.enums import Weekday
from permanences.models import RendezVous
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import BookablePermanenceFactory

pytestmark = pytest.mark.django_db

CHRISTMAS = datetime.date(2026, 12, 25)  # a Friday


@pytest.fixture
def december(monkeypatch):
    """Monday 21 December 2026, 8 a.m.: Christmas is in the public page's weeks."""
    now = timezone.make_aware(datetime.datetime(2026, 12, 21, 8, 0))
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(timezone, "localdate", lambda value=None: now.date())
    return now


def test_the_public_page_says_closed_for_the_holiday(client, december):
    PermanenceFactory(weekday=Weekday.VENDREDI)
    page = client.get(reverse("permanences:public_schedule")).content.decode()
    assert page.count("Fermé (jour férié) · Noël") == 1
    assert page.count("Fermé (jour férié) · Jour de l&#x27;an") == 1
    assert page.count("Sans rendez-vous</span>") == 1  # 8 January 2027
    assert "Vendredi 25 décembre" in page


def test_a_one_off_slot_opens_on_a_holiday(client, december):
    PermanenceFactory(
        weekday=Weekday.VENDREDI, valid_from=CHRISTMAS, valid_until=CHRISTMAS, is_one_off=True
    )
    page = client.get(reverse("permanences:public_schedule")).content.decode()
    assert "jour férié" not in page
    assert page.count("Sans rendez-vous</span>") == 1


def test_booking_is_refused_on_a_holiday(client, december):
    permanence = BookablePermanenceFactory(weekday=Weekday.VENDREDI)
    occurrence = booking.occurrence_on(permanence, CHRISTMAS)
    assert occurrence.closed and not occurrence.bookable
    with pytest.raises(booking.BookingError, match=r"fermée ce jour-là : jour férié \(Noël\)"):
        booking.book(
            permanence=permanence,
            day=CHRISTMAS,
            heure=datetime.time(14, 0),
            nom="Jeanne",
            telephone="0612345678",
            email="",
            besoin="demarches",
            precision="",
        )
    url = reverse("permanences:booking_new", args=[permanence.pk, CHRISTMAS.isoformat()])
    response = client.post(url, {"nom": "Jeanne", "telephone": "0612345678", "heure": "14:00"})
    assert "fermée ce jour-là : jour férié (Noël)" in response.content.decode()
    assert not RendezVous.objects.exists()


def test_the_agenda_shows_the_holiday(users, client_for, december):
    from poitiers_inclusion.enums import Role

    conseiller = users[Role.CONSEILLER]
    permanence = PermanenceFactory(weekday=Weekday.VENDREDI)
    permanence.conseillers.add(conseiller)
    page = (
        client_for(conseiller)
        .get(reverse("permanences:agenda"), {"date": CHRISTMAS.isoformat()})
        .content.decode()
    )
    assert "Fermé ce jour : jour férié (Noël)" in page
