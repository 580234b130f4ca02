"""The workshops as calendar events: the public programme's sessions in iCalendar feeds."""

from collections.abc import Iterable

from poitiers_inclusion import ical
from poitiers_inclusion.mail import absolute_url

from .models import Seance

_KEY = 987654321  # a placeholder key, found once in the reversed address


def seance_events(seances: Iterable[Seance]) -> list[ical.Event]:
    """One event per session of `programme.listed` (places left known); a cancelled session is
    kept, marked cancelled, so that a calendar which holds it shows it cancelled."""
    events = []
    # The registration address of every session from one reversal: thousands of them otherwise
    # cost a national feed more than its queries.
    register_url = absolute_url("ateliers:register_public", _KEY).replace(str(_KEY), "{}", 1)
    for seance in seances:
        lieu = seance.lieu
        details = [f"Niveau : {seance.module.get_niveau_display()}"]
        if seance.is_cancelled:
            motif = f" : {seance.motif_annulation}" if seance.motif_annulation else ""
            details.append(f"Séance annulée{motif}.")
        elif seance.places_left:
            details.append(
                f"{seance.places_left} place{'s' if seance.places_left > 1 else ''} "
                f"restante{'s' if seance.places_left > 1 else ''}."
            )
        else:
            details.append("Complet : liste d'attente possible.")
        if not seance.is_cancelled:
            if seance.inscription_en_ligne:
                details.append("Inscription gratuite en ligne (adresse ci-dessous).")
            else:
                details.append("Inscription auprès du lieu.")
        summary = f"Atelier numérique : {seance.module.titre}"
        events.append(
            ical.Event(
                uid=ical.uid("atelier-seance", seance.pk),
                start=ical.local(seance.date, seance.start_time),
                end=ical.local(seance.date, seance.end_time),
                summary=f"Annulé : {summary}" if seance.is_cancelled else summary,
                location=lieu.postal_address,
                description="\n".join(details),
                url=register_url.format(seance.pk),
                cancelled=seance.is_cancelled,
            )
        )
    return events
