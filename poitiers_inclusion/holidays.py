"""French public holidays (jours fériés), computed: every permanence is closed on them."""

import datetime
from functools import lru_cache

from django.conf import settings


def easter(year: int) -> datetime.date:
    """Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher")."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@lru_cache(maxsize=64)
def _holidays(year: int, alsace_moselle: bool) -> dict[datetime.date, str]:
    sunday = easter(year)
    days = {
        datetime.date(year, 1, 1): "Jour de l'an",
        sunday + datetime.timedelta(days=1): "Lundi de Pâques",
        datetime.date(year, 5, 1): "Fête du travail",
        datetime.date(year, 5, 8): "Victoire 1945",
        sunday + datetime.timedelta(days=39): "Ascension",
        sunday + datetime.timedelta(days=50): "Lundi de Pentecôte",
        datetime.date(year, 7, 14): "Fête nationale",
        datetime.date(year, 8, 15): "Assomption",
        datetime.date(year, 11, 1): "Toussaint",
        datetime.date(year, 11, 11): "Armistice 1918",
        datetime.date(year, 12, 25): "Noël",
    }
    if alsace_moselle:
        days[sunday - datetime.timedelta(days=2)] = "Vendredi saint"
        days[datetime.date(year, 12, 26)] = "Saint-Étienne"
    return dict(sorted(days.items()))


def public_holidays(year: int, *, alsace_moselle: bool | None = None) -> dict[datetime.date, str]:
    """The public holidays of a year, date -> French name. Alsace-Moselle's two extra days are
    added when asked, by default when the PUBLIC_HOLIDAYS_ALSACE_MOSELLE setting is on."""
    if alsace_moselle is None:
        alsace_moselle = settings.PUBLIC_HOLIDAYS_ALSACE_MOSELLE
    return dict(_holidays(year, alsace_moselle))


def holiday_name(day: datetime.date) -> str:
    """The holiday's name on that day, or "" on a working day."""
    return public_holidays(day.year).get(day, "")


def holidays_between(start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    """The public holidays from start to end, both included."""
    found = {}
    for year in range(start.year, end.year + 1):
        found.update({d: n for d, n in public_holidays(year).items() if start <= d <= end})
    return found
