"""Weekly opening hours: a parser for the simple OpenStreetMap `opening_hours` forms, and the
registry through which activity apps may contribute the real drop-in hours of each Lieu.

Why a registry: a Lieu's `horaires` are the place's opening hours, not the hours when help is
actually given. `permanences` knows the drop-in slots but `reseau` must not import it; so
`permanences` (or any activity app) registers a provider in its AppConfig.ready():

    from reseau import hours
    hours.register_provider(weekly_hours_by_lieu)   # (lieu_ids) -> {lieu_id: hours per week}

The coverage matrix then takes the providers' figure for each Lieu they know, and falls back on
the Lieu's own `horaires` for the others.
"""

import re
from collections.abc import Callable, Iterable

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
DAY_LABELS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

_RULE = re.compile(
    r"^(?P<days>[A-Z][a-z](?:\s*[-,]\s*[A-Z][a-z])*)\s+(?P<times>\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}"
    r"(?:\s*,\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2})*)$"
)
_OFF = re.compile(r"^(?P<days>[A-Z][a-z](?:\s*[-,]\s*[A-Z][a-z])*)\s+off$")


class UnsupportedHours(ValueError):
    """The value uses an opening_hours feature beyond the simple weekly forms."""


def _days(spec: str) -> list[int]:
    result = []
    for part in spec.replace(" ", "").split(","):
        if "-" in part:
            start, end = part.split("-")
            i, j = DAYS.index(start), DAYS.index(end)
            result.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        else:
            result.append(DAYS.index(part))
    return result


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.strip().split(":")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > 24 * 60:
        raise UnsupportedHours(f"heure invalide : {hhmm}")
    return value


def parse(value: str) -> dict[int, list[tuple[int, int]]]:
    """Parse `Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00` into {weekday: [(start, end)]}
    in minutes. Later rules replace earlier ones for the days they name, as in OSM."""
    week: dict[int, list[tuple[int, int]]] = {}
    if not value or not value.strip():
        return week
    for raw in value.split(";"):
        rule = raw.strip()
        if not rule:
            continue
        try:
            off = _OFF.match(rule)
            if off:
                for day in _days(off["days"]):
                    week.pop(day, None)
                continue
            match = _RULE.match(rule)
            if not match:
                raise UnsupportedHours(f"règle non reconnue : {rule}")
            ranges = []
            for span in match["times"].split(","):
                start, end = (_minutes(t) for t in span.split("-"))
                if end <= start:
                    raise UnsupportedHours(f"plage horaire à l'envers : {span.strip()}")
                ranges.append((start, end))
            for day in _days(match["days"]):
                week[day] = ranges
        except ValueError as error:  # unknown day names included
            if isinstance(error, UnsupportedHours):
                raise
            raise UnsupportedHours(f"règle non reconnue : {rule}") from error
    return week


def weekly_hours(value: str) -> float | None:
    """Hours open per week, or None when the value is empty or beyond the simple forms."""
    try:
        week = parse(value)
    except UnsupportedHours:
        return None
    if not week:
        return None
    return sum(end - start for ranges in week.values() for start, end in ranges) / 60


def describe(value: str) -> list[tuple[str, str]]:
    """[(jour, "9 h – 12 h, 14 h – 18 h")] in French, for people who do not read OSM syntax."""
    try:
        week = parse(value)
    except UnsupportedHours:
        return [("", value)] if value else []

    def fmt(minutes):
        h, m = divmod(minutes, 60)
        return f"{h} h {m:02d}" if m else f"{h} h"

    return [
        (DAY_LABELS[day], ", ".join(f"{fmt(s)} – {fmt(e)}" for s, e in week[day]))
        for day in sorted(week)
    ]


HoursProvider = Callable[[Iterable[int]], dict[int, float]]
_PROVIDERS: list[HoursProvider] = []


def register_provider(provider: HoursProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def unregister_provider(provider: HoursProvider) -> None:
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def hours_by_lieu(lieux) -> dict[int, float]:
    """Drop-in hours per week of each Lieu: from the providers when they know it, else from the
    Lieu's `horaires` (0 when neither says anything)."""
    lieux = list(lieux)
    ids = [lieu.pk for lieu in lieux]
    provided: dict[int, float] = {}
    for provider in _PROVIDERS:
        for lieu_id, value in provider(ids).items():
            provided[lieu_id] = provided.get(lieu_id, 0) + value
    return {
        lieu.pk: provided[lieu.pk] if lieu.pk in provided else (weekly_hours(lieu.horaires) or 0)
        for lieu in lieux
    }
