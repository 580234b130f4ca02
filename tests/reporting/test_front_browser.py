"""Browser check of the residents' front door: on a 390-px phone, this week's drop-ins and a
workshop, then on to the workshop's registration; the same page on a 1280-px screen."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.ateliers.factories import SeanceFactory
from tests.browser import axe_violations, csp_refusals, screenshot
from tests.factories import LieuFactory, QuartierFactory
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import BookablePermanenceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _week():
    """Drop-ins every day of the week at two places, and a workshop to come."""
    maison = LieuFactory(
        nom="Maison des Trois Quartiers",
        quartier=QuartierFactory(nom="Montbernage"),
        adresse="25 rue du Général-Sarrail",
    )
    mediatheque = LieuFactory(
        nom="Médiathèque François-Mitterrand",
        quartier=QuartierFactory(nom="Centre-ville"),
        adresse="4 rue de l'Université",
    )
    for weekday in range(7):
        PermanenceFactory(
            lieu=maison,
            weekday=weekday,
            start_time=datetime.time(9, 30),
            end_time=datetime.time(12, 0),
        )
        BookablePermanenceFactory(
            lieu=mediatheque,
            weekday=weekday,
            start_time=datetime.time(14, 0),
            end_time=datetime.time(16, 0),
        )
    return SeanceFactory(
        lieu=mediatheque,
        date=timezone.localdate() + datetime.timedelta(days=3),
        capacite=8,
        module__titre="Premiers pas sur la tablette",
    )


def _check(page, name):
    assert _fits_the_screen(page), name
    assert axe_violations(page) == [], name
    screenshot(page, name)


def test_a_resident_finds_help_this_week_and_registers_for_a_workshop(phone_page, live_server):
    seance = _week()
    refusals = csp_refusals(phone_page)
    phone_page.goto(f"{live_server.url}/")
    assert phone_page.title().startswith("Se faire aider au numérique")
    week = phone_page.get_by_role("region", name="Cette semaine : où se faire aider")
    week.get_by_text("Maison des Trois Quartiers").first.wait_for()
    assert week.get_by_text("de 09h30 à 12h00").first.is_visible()
    workshops = phone_page.get_by_role("region", name="Les prochains ateliers")
    assert workshops.get_by_role("heading", name="Premiers pas sur la tablette").is_visible()
    assert workshops.get_by_text("8 places restantes").is_visible()
    assert phone_page.get_by_role("link", name="Espace professionnels").is_visible()
    _check(phone_page, "front-accueil-390")

    phone_page.get_by_role("link", name="S'inscrire à « Premiers pas sur la tablette »").click()
    phone_page.wait_for_url(f"**{reverse('ateliers:register_public', args=[seance.pk])}")
    assert phone_page.get_by_role("heading", name="S'inscrire à l'atelier").is_visible()
    _check(phone_page, "front-inscription-390")

    phone_page.goto(f"{live_server.url}{reverse('front:calendars')}")
    assert phone_page.get_by_role("link", name="S'abonner au calendrier des ateliers").is_visible()
    _check(phone_page, "front-calendriers-390")
    assert refusals == []


def test_the_front_door_on_a_wide_screen(page, live_server):
    _week()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/")
    page.get_by_role("heading", name="Les prochains ateliers").wait_for()
    _check(page, "front-accueil-1280")
