"""Sentences of the dashboard's audit action codes."""

import datetime

from poitiers_inclusion.formatting import display_value


def _date(value) -> str:
    try:
        return display_value(datetime.date.fromisoformat(value))
    except (TypeError, ValueError):
        return display_value(value)


def _shared(changes: dict) -> str:
    sentence = "Tableau de bord partagé par un lien"
    if changes.get("jusqu_au"):
        sentence += f", valable jusqu'au {_date(changes['jusqu_au'])}"
    return sentence


LABELS = {
    "reporting.indicatorimport.created": (
        "Indicateurs importés : {rows} ligne(s) lue(s), {skipped} écartée(s)"
    ),
    "reporting.rapport.joint": lambda c: (
        f"Rapport chiffré joint à la réunion (du {_date(c.get('du'))} au {_date(c.get('au'))})"
    ),
    "reporting.vue_partagee.creee": _shared,
    "reporting.vue_partagee.revoquee": "Lien de partage du tableau de bord révoqué",
}
