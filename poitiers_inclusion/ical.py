"""iCalendar feeds (RFC 5545): the events an app lists, written as a calendar people subscribe to.

Every feed goes through `calendar_response`: one writer for the escaping, the line folding, the
Europe/Paris time zone and the stable UIDs, whatever the app (drop-ins, workshops).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

TZID = "Europe/Paris"
PARIS = ZoneInfo(TZID)
CONTENT_TYPE = "text/calendar; charset=utf-8"
# How often a calendar application fetches the feed again (RFC 7986).
REFRESH_INTERVAL = "PT6H"

# The rules of French time since 1996: a calendar application that meets TZID=Europe/Paris without
# knowing the zone reads them here (RFC 5545 asks for a VTIMEZONE for each TZID used).
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True)
class Event:
    """One dated event of a feed. `start` and `end` are aware datetimes; a cancelled event stays
    in the feed, marked, so that calendars which already hold it show it cancelled."""

    uid: str
    start: datetime.datetime
    end: datetime.datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False


def uid(kind: str, *parts) -> str:
    """A UID that stays the same from one fetch to the next: what it names, and the site."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return "-".join([kind, *(str(p) for p in parts)]) + f"@{host}"


def local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    """A day and a wall-clock time in the city, as an aware datetime."""
    return datetime.datetime.combine(day, at, tzinfo=PARIS)


def escape(text: str) -> str:
    """TEXT values: backslash, semicolon, comma and line breaks escaped (RFC 5545 §3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space, never inside a character."""
    if len(line.encode()) <= 75:  # most lines: no character by character (thousands of events)
        return line
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not parts else 74  # a continuation line starts with its space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _paris(moment: datetime.datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y%m%dT%H%M%S")


def _event_lines(event: Event, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID={TZID}:{_paris(event.start)}",
        f"DTEND;TZID={TZID}:{_paris(event.end)}",
        f"SUMMARY:{escape(event.summary)}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def render_calendar(name: str, events: Iterable[Event], *, now=None) -> str:
    stamp = (now or timezone.now()).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Ville de {escape(settings.CITY_NAME)}//Inclusion numérique//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape(name)}",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{TZID}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}",
        f"X-PUBLISHED-TTL:{REFRESH_INTERVAL}",
        *VTIMEZONE,
    ]
    for event in sorted(events, key=lambda e: (e.start, e.uid)):
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def calendar_response(name: str, events: Iterable[Event], *, filename: str) -> HttpResponse:
    """The feed, shown inline (a calendar application subscribes to its address)."""
    response = HttpResponse(render_calendar(name, events), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=900"
    return response
