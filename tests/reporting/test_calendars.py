"""iCalendar feeds: every upcoming workshop, and each lieu's drop-ins and workshops, read back with
the `icalendar` package as a calendar application would."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from permanences.enums import Weekday
from poitiers_inclusion import ical
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.factories import LieuFactory
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import BookablePermanenceFactory, FermetureFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
WORKSHOPS = reverse("ateliers:calendar")


def _at(monkeypatch, moment: datetime.datetime):
    now = moment.replace(tzinfo=PARIS)
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(timezone, "localdate", lambda value=None: now.date())
    return now


@pytest.fixture
def christmas_week(monkeypatch):
    """Monday 21 December 2026, 8 a.m."""
    return _at(monkeypatch, datetime.datetime(2026, 12, 21, 8, 0))


def _feed(client, url) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    # RFC 5545: CRLF line ends, lines of at most 75 octets.
    assert all(len(line) <= 75 for line in body.split(b"\r\n")), body
    assert b"\n" not in body.replace(b"\r\n", b"")
    return icalendar.Calendar.from_ical(body)


def _events(calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _uid(kind, *parts) -> str:
    return ical.uid(kind, *parts)


def test_the_workshops_feed_lists_every_upcoming_session_in_paris_time(client, christmas_week):
    seance = SeanceFactory(
        module__titre="Word, Excel; et le reste",
        lieu=LieuFactory(nom="Médiathèque François-Mitterrand", adresse="4 rue de l'Université"),
        date=datetime.date(2026, 12, 22),
        start_time=datetime.time(14, 0),
        end_time=datetime.time(16, 30),
        capacite=8,
    )
    InscriptionFactory.create_batch(2, seance=seance)
    SeanceFactory(module__titre="Séance passée", date=datetime.date(2026, 12, 18))
    calendar = _feed(client, WORKSHOPS)
    events = _events(calendar)
    assert list(events) == [_uid("atelier-seance", seance.pk)]
    event = events[_uid("atelier-seance", seance.pk)]
    assert str(event["SUMMARY"]) == "Atelier numérique : Word, Excel; et le reste"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime.datetime(2026, 12, 22, 14, 0, tzinfo=PARIS)
    assert end == datetime.datetime(2026, 12, 22, 16, 30, tzinfo=PARIS)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert "Médiathèque François-Mitterrand, 4 rue de l'Université" in str(event["LOCATION"])
    assert "6 places restantes." in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(reverse("ateliers:register_public", args=[seance.pk]))
    assert str(event["STATUS"]) == "CONFIRMED"
    assert [c["TZID"] for c in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_summer_and_winter_times_are_the_citys(client, monkeypatch):
    _at(monkeypatch, datetime.datetime(2027, 3, 22, 8, 0))
    before = SeanceFactory(date=datetime.date(2027, 3, 23), start_time=datetime.time(14, 0))
    after = SeanceFactory(date=datetime.date(2027, 3, 30), start_time=datetime.time(14, 0))
    events = _events(_feed(client, WORKSHOPS))
    utc = datetime.UTC
    winter = events[_uid("atelier-seance", before.pk)].decoded("DTSTART").astimezone(utc)
    summer = events[_uid("atelier-seance", after.pk)].decoded("DTSTART").astimezone(utc)
    assert (winter.hour, summer.hour) == (13, 12)  # 14h in Poitiers either side of 28 March


def test_uids_stay_the_same_from_one_fetch_to_the_next(client, christmas_week):
    lieu = LieuFactory()
    PermanenceFactory(lieu=lieu, weekday=Weekday.MARDI)
    SeanceFactory(lieu=lieu)
    url = reverse("front:lieu_calendar", args=[lieu.pk])
    first, second = _events(_feed(client, url)), _events(_feed(client, url))
    assert len(first) == 8 + 1 and list(first) == list(second)


def test_a_cancelled_session_is_marked_cancelled(client, christmas_week):
    seance = SeanceFactory(cancelled_at=timezone.now(), motif_annulation="Animateur malade")
    event = _events(_feed(client, WORKSHOPS))[_uid("atelier-seance", seance.pk)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Annulé : ")
    assert "Séance annulée : Animateur malade." in str(event["DESCRIPTION"])


def test_a_lieu_feed_holds_its_drop_ins_and_workshops_only(client, christmas_week):
    lieu, other = LieuFactory(nom="Maison de quartier"), LieuFactory(nom="Ailleurs")
    tuesday = PermanenceFactory(lieu=lieu, weekday=Weekday.MARDI)
    bookable = BookablePermanenceFactory(lieu=lieu, weekday=Weekday.JEUDI)
    seance = SeanceFactory(lieu=lieu)
    PermanenceFactory(lieu=other)
    SeanceFactory(lieu=other)
    events = _events(_feed(client, reverse("front:lieu_calendar", args=[lieu.pk])))
    assert all("Ailleurs" not in str(e["LOCATION"]) for e in events.values())
    drop_in = events[_uid("permanence", tuesday.pk, "20261222")]
    assert str(drop_in["SUMMARY"]) == "Permanence numérique sans rendez-vous"
    assert drop_in.decoded("DTSTART") == datetime.datetime(2026, 12, 22, 14, 0, tzinfo=PARIS)
    assert str(drop_in["STATUS"]) == "CONFIRMED"
    booked = events[_uid("permanence", bookable.pk, "20261224")]
    assert str(booked["URL"]).endswith(
        reverse("permanences:booking_new", args=[bookable.pk, "2026-12-24"])
    )
    assert _uid("atelier-seance", seance.pk) in events


def test_public_holidays_and_closures_are_marked_closed(client, christmas_week):
    lieu = LieuFactory()
    friday = PermanenceFactory(lieu=lieu, weekday=Weekday.VENDREDI)
    tuesday = PermanenceFactory(lieu=lieu, weekday=Weekday.MARDI)
    FermetureFactory(
        permanence=tuesday,
        start_date=datetime.date(2026, 12, 29),
        end_date=datetime.date(2026, 12, 29),
        message="Fermé pour inventaire",
    )
    events = _events(_feed(client, reverse("front:lieu_calendar", args=[lieu.pk])))
    christmas = events[_uid("permanence", friday.pk, "20261225")]
    assert str(christmas["STATUS"]) == "CANCELLED"
    assert str(christmas["SUMMARY"]).startswith("Fermé : ")
    assert "jour férié (Noël)" in str(christmas["DESCRIPTION"])
    assert str(events[_uid("permanence", friday.pk, "20270101")]["STATUS"]) == "CANCELLED"
    assert str(events[_uid("permanence", friday.pk, "20270108")]["STATUS"]) == "CONFIRMED"
    closed = events[_uid("permanence", tuesday.pk, "20261229")]
    assert str(closed["STATUS"]) == "CANCELLED"
    assert "Fermé pour inventaire" in str(closed["DESCRIPTION"])


def test_an_unknown_or_archived_lieu_has_no_feed(client, christmas_week):
    archived = LieuFactory(archived_at=timezone.now())
    assert client.get(reverse("front:lieu_calendar", args=[archived.pk])).status_code == 404
    assert client.get(reverse("front:lieu_calendar", args=[999999])).status_code == 404


def test_the_calendars_page_links_every_feed(client, christmas_week):
    with_drop_in, with_workshop, empty = LieuFactory(), LieuFactory(), LieuFactory()
    PermanenceFactory(lieu=with_drop_in)
    SeanceFactory(lieu=with_workshop)
    html = client.get(reverse("front:calendars")).content.decode()
    assert f'href="{WORKSHOPS}"' in html
    for lieu in (with_drop_in, with_workshop):
        assert f'href="{reverse("front:lieu_calendar", args=[lieu.pk])}"' in html
    assert reverse("front:lieu_calendar", args=[empty.pk]) not in html
    assert "webcal://" in html


def test_the_feeds_query_count_does_not_grow_with_the_events(
    client, christmas_week, django_assert_max_num_queries
):
    lieu = LieuFactory()
    PermanenceFactory(lieu=lieu)
    BookablePermanenceFactory(lieu=lieu)
    SeanceFactory(lieu=lieu)
    url = reverse("front:lieu_calendar", args=[lieu.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
        client.get(WORKSHOPS)
        client.get(reverse("front:calendars"))
    for n in range(6):
        PermanenceFactory(lieu=lieu, weekday=n)
        BookablePermanenceFactory(lieu=lieu, weekday=n)
        SeanceFactory(lieu=lieu, date=datetime.date(2026, 12, 22 + n))
        SeanceFactory(lieu=LieuFactory())
        PermanenceFactory()
    with django_assert_max_num_queries(len(few)):
        client.get(url)
        client.get(WORKSHOPS)
        client.get(reverse("front:calendars"))
