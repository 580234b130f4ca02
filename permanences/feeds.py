"""The drop-ins as calendar events: the public schedule's occurrences in iCalendar feeds."""

from collections.abc import Iterable

from poitiers_inclusion import ical
from poitiers_inclusion.mail import absolute_url

from .booking import Occurrence
from .enums import ModePermanence


def occurrence_events(items: Iterable[Occurrence]) -> list[ical.Event]:
    """One event per occurrence of `booking.public_occurrences`. A day the permanence is closed
    (a closure, a public holiday) stays in the feed marked cancelled, with the reason: a calendar
    that already holds the day then shows it closed."""
    events = []
    for o in items:
        permanence = o.permanence
        by_appointment = permanence.mode == ModePermanence.SUR_RDV
        summary = "Permanence numérique " + (
            "sur rendez-vous" if by_appointment else "sans rendez-vous"
        )
        if o.closed:
            summary = f"Fermé : {summary}"
            description = f"Fermé ce jour-là : {o.closed_message}."
            url = absolute_url("permanences:public_schedule")
        elif by_appointment:
            description = (
                "Un conseiller numérique vous aide gratuitement. Réservez un horaire en ligne."
            )
            url = absolute_url("permanences:booking_new", permanence.pk, o.date.isoformat())
        else:
            description = "Un conseiller numérique vous aide gratuitement : venez directement."
            url = absolute_url("permanences:public_schedule")
        events.append(
            ical.Event(
                uid=ical.uid("permanence", permanence.pk, o.date.strftime("%Y%m%d")),
                start=ical.local(o.date, permanence.start_time),
                end=ical.local(o.date, permanence.end_time),
                summary=summary,
                location=permanence.lieu.postal_address,
                description=description,
                url=url,
                cancelled=o.closed,
            )
        )
    return events
