"""Ordinateurs solidaires: donated computers reconditioned and handed over to households.

A *Don* is a batch offered by a *Donateur* (a company); each *Ordinateur* received moves through
its states by append-only *Evenement*s (who, when, note, attachment): the figures (donated,
reconditioned, handed over) are counted from those events, never from stored counters. A device
becomes *disponible* only when every storage device has a successful *Effacement* record and a
passed functional *Controle* exists (the decree on "reconditionné" devices). Households (*Foyer*)
are referred by a partner structure under a pseudonymous code; their *Demande* follows its own
states, and an *Attribution* ties one device to one request until it is handed over, often at a
*Ceremonie*.
"""

from .devices import (
    Controle,
    Effacement,
    Evenement,
    Evidence,
    Ordinateur,
    OrdinateurQuerySet,
    Stockage,
)
from .dons import Don, Donateur, StaffOnlyQuerySet, new_token
from .foyers import (
    Attribution,
    AttributionQuerySet,
    Ceremonie,
    Demande,
    DemandeQuerySet,
    Foyer,
    FoyerQuerySet,
    InvitationCeremonie,
    Temoignage,
)

__all__ = [
    "Attribution",
    "AttributionQuerySet",
    "Ceremonie",
    "Controle",
    "Demande",
    "DemandeQuerySet",
    "Don",
    "Donateur",
    "Effacement",
    "Evenement",
    "Evidence",
    "Foyer",
    "FoyerQuerySet",
    "InvitationCeremonie",
    "Ordinateur",
    "OrdinateurQuerySet",
    "StaffOnlyQuerySet",
    "Stockage",
    "Temoignage",
    "new_token",
]
