"""The residents' front door and the calendars page at national scale: one commune at a time (the
city's by default, the resident's choice in the URL), in a number of queries that does not grow
with the places; a city-sized programme's pages unchanged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from permanences.enums import Weekday
from reseau import communes
from tests.ateliers.factories import SeanceFactory
from tests.factories import LieuFactory, QuartierFactory
from tests.permanences.factories import PermanenceFactory

pytestmark = pytest.mark.django_db

HOME = reverse("front:home")
CALENDARS = reverse("front:calendars")


@pytest.fixture(autouse=True)
def a_plain_week(monkeypatch):
    """Monday 9 November 2026, 8 a.m.: no public holiday in the week shown."""
    now = timezone.make_aware(datetime.datetime(2026, 11, 9, 8, 0))
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(timezone, "localdate", lambda value=None: now.date())
    return now


@pytest.fixture
def national(monkeypatch, settings):
    settings.CITY_NAME = "Poitiers"
    monkeypatch.setattr(communes, "WHOLE_PROGRAMME_UP_TO", 1)


def _place(nom, commune, *, workshop=None):
    lieu = LieuFactory(nom=nom, commune=commune, quartier=QuartierFactory(commune=commune))
    PermanenceFactory(lieu=lieu, weekday=Weekday.MARDI)
    if workshop:
        SeanceFactory(lieu=lieu, module__titre=workshop, date=datetime.date(2026, 11, 12))
    return lieu


def _html(client, url, data=None) -> str:
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def test_the_front_door_opens_on_the_citys_commune(client, national):
    _place("Médiathèque de Poitiers", "Poitiers", workshop="Découvrir la tablette")
    _place("Maison de Niort", "Niort", workshop="Atelier de Niort")
    html = _html(client, HOME)
    assert "Médiathèque de Poitiers" in html and "Découvrir la tablette" in html
    assert "Maison de Niort" not in html and "Atelier de Niort" not in html
    assert '<label class="form-label" for="id_commune">Commune</label>' in html
    assert '<option value="Poitiers" selected>Poitiers</option>' in html
    schedule = reverse("permanences:public_schedule")
    assert f'href="{schedule}?commune=Poitiers">Toutes les permanences' in html


def test_the_resident_chooses_the_commune_of_the_front_door(client, national):
    _place("Médiathèque de Poitiers", "Poitiers", workshop="Découvrir la tablette")
    _place("Maison de Niort", "Niort", workshop="Atelier de Niort")
    html = _html(client, HOME, {"commune": "Niort"})
    assert "Maison de Niort" in html and "Atelier de Niort" in html
    assert "Médiathèque de Poitiers" not in html and "Découvrir la tablette" not in html


def test_a_city_sized_front_door_is_unchanged(client):
    _place("Médiathèque", "Poitiers", workshop="Découvrir la tablette")
    html = _html(client, HOME)
    assert "Médiathèque" in html and "Découvrir la tablette" in html
    assert 'name="commune"' not in html
    assert f'href="{reverse("permanences:public_schedule")}">Toutes les permanences' in html


def test_the_front_door_lists_the_next_four_workshops_in_time_order(client):
    lieu = _place("Médiathèque", "Poitiers")
    for day in (16, 12, 13, 10, 11):
        SeanceFactory(
            lieu=lieu, module__titre=f"Atelier du {day}", date=datetime.date(2026, 11, day)
        )
    SeanceFactory(lieu=lieu, module__titre="Atelier annulé", cancelled_at=timezone.now())
    html = _html(client, HOME)
    shown = [f"Atelier du {day}" for day in (10, 11, 12, 13)]
    assert [html.index(title) for title in shown] == sorted(html.index(t) for t in shown)
    assert "Atelier du 16" not in html and "Atelier annulé" not in html


def test_the_calendars_page_lists_the_lieux_of_the_commune(client, national):
    _place("Médiathèque de Poitiers", "Poitiers")
    niort = _place("Maison de Niort", "Niort")
    html = _html(client, CALENDARS)
    assert "Médiathèque de Poitiers" in html and "Maison de Niort" not in html
    html = _html(client, CALENDARS, {"commune": "Niort"})
    assert "Maison de Niort" in html and "Médiathèque de Poitiers" not in html
    assert reverse("front:lieu_calendar", args=[niort.pk]) in html


@pytest.mark.parametrize("url", [HOME, CALENDARS])
def test_the_queries_do_not_grow_with_the_places(
    client, national, django_assert_max_num_queries, url
):
    _place("Médiathèque 0", "Poitiers", workshop="Atelier 0")
    _place("Maison 0", "Niort")
    _html(client, url)
    with CaptureQueriesContext(connection) as few:
        _html(client, url)
    for n in range(1, 8):
        _place(f"Médiathèque {n}", "Poitiers", workshop=f"Atelier {n}")
        _place(f"Maison {n}", "Niort", workshop=f"Atelier de Niort {n}")
    with django_assert_max_num_queries(len(few)):
        html = _html(client, url)
    assert "Médiathèque 7" in html and "Maison 7" not in html
