"""Sentences of the workshops' audit action codes."""

from poitiers_inclusion.audit_labels import before_after

from .enums import Origine, Presence, StatutInscription


def _created(changes: dict) -> str:
    statut = dict(StatutInscription.choices).get(changes.get("statut"), "")
    origine = dict(Origine.choices).get(changes.get("origine"), "")
    details = " · ".join(str(part).lower() for part in (statut, origine) if part)
    return "Inscription à l'atelier" + (f" ({details})" if details else "")


LABELS = {
    "ateliers.inscription.created": _created,
    "ateliers.inscription.promoted": "Inscription confirmée depuis la liste d'attente",
    "ateliers.inscription.cancelled": "Inscription annulée",
    "ateliers.inscription.presence": lambda c: (
        "Présence à l'atelier : " + before_after(c, "presence", dict(Presence.choices))
    ),
}
