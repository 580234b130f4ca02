"""The territory and its actors: referential, update campaigns, meetings, orientations."""

from .campagnes import Campagne, Verification, new_token
from .offres import OffreInternetSociale
from .orientations import Orientation
from .referentiel import (
    Archivable,
    ArchivableQuerySet,
    Contact,
    Lieu,
    Quartier,
    Structure,
    code_insee_validator,
    code_postal_validator,
    new_lieu_identifier,
    pivot_validator,
    telephone_validator,
)
from .reunions import Invitation, Reunion

__all__ = [
    "Archivable",
    "ArchivableQuerySet",
    "Campagne",
    "Contact",
    "Invitation",
    "Lieu",
    "OffreInternetSociale",
    "Orientation",
    "Quartier",
    "Reunion",
    "Structure",
    "Verification",
    "code_insee_validator",
    "code_postal_validator",
    "new_lieu_identifier",
    "new_token",
    "pivot_validator",
    "telephone_validator",
]
