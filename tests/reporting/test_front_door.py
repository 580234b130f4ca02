"""The residents' front door (`/`): this week's drop-ins, the next workshops, how to ask for and
give a computer, the map, in a fixed number of queries however many places there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from permanences.enums import Weekday
from poitiers_inclusion.enums import Role
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.factories import LieuFactory, QuartierFactory, StructureFactory
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import BookablePermanenceFactory

pytestmark = pytest.mark.django_db

URL = reverse("front:home")


@pytest.fixture(autouse=True)
def christmas_week(monkeypatch):
    """Monday 21 December 2026, 8 a.m.: Christmas (Friday 25) is in the week shown."""
    now = timezone.make_aware(datetime.datetime(2026, 12, 21, 8, 0))
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(timezone, "localdate", lambda value=None: now.date())
    return now


def _page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_it_opens_without_an_account(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<h1>Se faire aider au numérique à " in html
    assert "Espace réservé aux professionnels" not in html  # no longer the sign-in page


def test_it_shows_this_weeks_drop_ins_with_their_hours(client):
    lieu = LieuFactory(
        nom="Maison des Trois Quartiers", quartier=QuartierFactory(nom="Montbernage")
    )
    PermanenceFactory(lieu=lieu, weekday=Weekday.MARDI)
    bookable = BookablePermanenceFactory(lieu=LieuFactory(nom="Médiathèque"), weekday=Weekday.JEUDI)
    PermanenceFactory(lieu=LieuFactory(nom="Lieu fermé", archived_at=timezone.now()))
    html = _page(client)
    assert "Demain, mardi 22 décembre" in html and "de 14h00 à 17h00" in html
    assert "Maison des Trois Quartiers" in html and "(Montbernage)" in html
    assert "Sans rendez-vous : venez directement" in html
    assert "Jeudi 24 décembre" in html and "Sur rendez-vous · 4 places" in html
    assert reverse("permanences:booking_new", args=[bookable.pk, "2026-12-24"]) in html
    assert "Lieu fermé" not in html
    assert "Mardi 29 décembre" not in html  # next week: on the schedule page, linked
    assert reverse("permanences:public_schedule") in html


def test_a_public_holiday_closes_the_drop_ins_of_that_day(client):
    PermanenceFactory(lieu=LieuFactory(nom="Épicerie solidaire"), weekday=Weekday.VENDREDI)
    html = _page(client)
    assert "Vendredi 25 décembre" in html
    assert "Fermé (jour férié) · Noël" in html
    assert "venez directement" not in html


def test_it_shows_the_next_workshops_with_places_left_and_a_way_to_register(client):
    today = timezone.localdate()
    seance = SeanceFactory(module__titre="Découvrir l'ordinateur", date=today, capacite=8)
    InscriptionFactory.create_batch(3, seance=seance)
    SeanceFactory(module__titre="Séance annulée", cancelled_at=timezone.now())
    SeanceFactory(module__titre="Séance passée", date=today - datetime.timedelta(days=1))
    html = _page(client)
    assert "Découvrir l&#x27;ordinateur" in html and "Aujourd'hui, lundi 21 décembre" in html
    assert "5 places restantes" in html
    assert reverse("ateliers:register_public", args=[seance.pk]) in html
    assert "Séance annulée" not in html and "Séance passée" not in html
    assert reverse("ateliers:programme") in html
    assert reverse("ateliers:calendar") in html  # S'abonner au calendrier des ateliers


def test_it_says_through_which_partners_a_household_asks_for_a_computer(client, make_user):
    partner = StructureFactory(nom="CCAS de la Ville", typologies=["CCAS"])
    make_user(Role.PRESCRIPTEUR, structure=partner)
    make_user(
        Role.PRESCRIPTEUR, structure=StructureFactory(nom="Partenaire parti"), is_active=False
    )
    StructureFactory(nom="Structure sans prescripteur")
    html = _page(client)
    assert "CCAS de la Ville" in html and "Centre communal d&#x27;action sociale" in html
    assert "Partenaire parti" not in html and "Structure sans prescripteur" not in html


def test_it_links_the_gift_the_map_the_calendars_the_statement_and_the_professionals(client):
    html = _page(client)
    for name in (
        "ordinateurs:don_offer",
        "reseau:carte",
        "front:calendars",
        "accessibility",
        "login",
    ):
        assert f'href="{reverse(name)}"' in html, name
    assert "Espace professionnels" in html


def test_a_signed_in_professional_finds_the_way_to_their_space(users, client_for):
    for role in Role.values:
        html = _page(client_for(users[role]))
        assert f'href="{reverse("home")}">Aller à votre espace' in html, role


def test_the_accessibility_statement_is_public(client):
    response = client.get(reverse("accessibility"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Déclaration d'accessibilité" in html
    assert "non conforme" in html and "Défenseur des droits" in html


def _a_place_with_everything(n):
    lieu = LieuFactory(nom=f"Lieu {n}", quartier=QuartierFactory())
    PermanenceFactory(lieu=lieu, weekday=Weekday.MARDI)
    BookablePermanenceFactory(lieu=lieu, weekday=Weekday.MERCREDI)
    SeanceFactory(lieu=lieu)


def test_the_query_count_does_not_grow_with_the_places(
    client, make_user, django_assert_max_num_queries
):
    _a_place_with_everything(0)
    make_user(Role.PRESCRIPTEUR)
    with CaptureQueriesContext(connection) as one_place:
        _page(client)
    for n in range(1, 8):
        _a_place_with_everything(n)
        make_user(Role.PRESCRIPTEUR)
    with django_assert_max_num_queries(len(one_place)):
        html = _page(client)
    assert html.count("Sur rendez-vous · 4 places") == 8  # every place is on the page
