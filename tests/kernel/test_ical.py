"""The kernel's iCalendar writer: what any text becomes in a feed is read back unchanged."""

import datetime

import icalendar

from poitiers_inclusion import ical


def test_any_text_is_read_back_as_typed():
    text = "Démarches, « impôts » ; CAF\\CPAM\nsur deux lignes — " + "é" * 80
    event = ical.Event(
        uid=ical.uid("essai", 1),
        start=ical.local(datetime.date(2026, 12, 8), datetime.time(14, 0)),
        end=ical.local(datetime.date(2026, 12, 8), datetime.time(16, 0)),
        summary=text,
        location=text,
        description=text,
    )
    body = ical.render_calendar("Calendrier, d'essai ; é", [event]).encode()
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    body.decode()  # no line was cut inside a character
    calendar = icalendar.Calendar.from_ical(body)
    # NAME is TEXT (RFC 7986), so escaped; icalendar gives calendar-level names as written.
    assert str(calendar["NAME"]) == "Calendrier\\, d'essai \\; é"
    (read,) = calendar.walk("VEVENT")
    assert str(read["SUMMARY"]) == str(read["LOCATION"]) == str(read["DESCRIPTION"]) == text


def test_a_line_is_folded_only_beyond_75_octets():
    assert ical.fold("A" * 75) == "A" * 75
    assert ical.fold("A" * 76) == "A" * 75 + "\r\n A"
    # 74 letters and an é are 76 octets: folded before the é, never inside it.
    assert ical.fold("A" * 74 + "é") == "A" * 74 + "\r\n é"
