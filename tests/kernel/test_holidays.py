"""French public holidays: Easter and the days that follow it, the fixed days, Alsace-Moselle."""

import datetime

import pytest
from django.test import override_settings

from poitiers_inclusion.holidays import easter, holiday_name, holidays_between, public_holidays

D = datetime.date


@pytest.mark.parametrize(
    "year, sunday",
    [
        (2019, D(2019, 4, 21)),
        (2022, D(2022, 4, 17)),
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),  # the latest possible date
        (2285, D(2285, 3, 22)),  # the earliest possible date
    ],
)
def test_it_computes_easter(year, sunday):
    assert easter(year) == sunday


def test_it_lists_the_eleven_holidays_of_a_year():
    assert public_holidays(2026, alsace_moselle=False) == {
        D(2026, 1, 1): "Jour de l'an",
        D(2026, 4, 6): "Lundi de Pâques",
        D(2026, 5, 1): "Fête du travail",
        D(2026, 5, 8): "Victoire 1945",
        D(2026, 5, 14): "Ascension",
        D(2026, 5, 25): "Lundi de Pentecôte",
        D(2026, 7, 14): "Fête nationale",
        D(2026, 8, 15): "Assomption",
        D(2026, 11, 1): "Toussaint",
        D(2026, 11, 11): "Armistice 1918",
        D(2026, 12, 25): "Noël",
    }


@pytest.mark.parametrize(
    "year, monday, ascension, whit_monday",
    [
        (2024, D(2024, 4, 1), D(2024, 5, 9), D(2024, 5, 20)),
        (2025, D(2025, 4, 21), D(2025, 5, 29), D(2025, 6, 9)),
        (2027, D(2027, 3, 29), D(2027, 5, 6), D(2027, 5, 17)),
    ],
)
def test_the_movable_days_follow_easter(year, monday, ascension, whit_monday):
    days = public_holidays(year, alsace_moselle=False)
    assert days[monday] == "Lundi de Pâques"
    assert days[ascension] == "Ascension"
    assert days[whit_monday] == "Lundi de Pentecôte"


def test_alsace_moselle_adds_good_friday_and_saint_stephen_when_set():
    assert holiday_name(D(2026, 4, 3)) == "" and holiday_name(D(2026, 12, 26)) == ""
    with override_settings(PUBLIC_HOLIDAYS_ALSACE_MOSELLE=True):
        assert holiday_name(D(2026, 4, 3)) == "Vendredi saint"
        assert holiday_name(D(2026, 12, 26)) == "Saint-Étienne"
        assert len(public_holidays(2026)) == 13


def test_it_finds_the_holidays_of_a_period_across_a_new_year():
    assert holidays_between(D(2026, 12, 20), D(2027, 1, 10)) == {
        D(2026, 12, 25): "Noël",
        D(2027, 1, 1): "Jour de l'an",
    }
