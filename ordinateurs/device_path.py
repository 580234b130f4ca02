"""Where a device stands on its path, as the workshop's pages show it: the to-do per state, the
states that still prepare a device, lock its storage or end its reuse, and the moves a technician
may make from a device's page.
"""

from . import services
from .enums import PATH, TRANSITIONS, Etat

# The workbench's to-do, one list per state: what the device waits for.
TODO = [
    (Etat.RECU, "À diagnostiquer"),
    (Etat.DIAGNOSTIQUE, "À effacer"),
    (Etat.EFFACE, "À reconditionner"),
    (Etat.RECONDITIONNE, "À contrôler"),
    (Etat.CONTROLE, "À rendre disponible"),
    (Etat.EN_REPARATION, "En réparation"),
]
# States of a device still being prepared: its page says what it lacks to become available.
IN_PREPARATION = (*PATH[: PATH.index(Etat.DISPONIBLE)], Etat.EN_REPARATION, Etat.RETOURNE)
# Devices that will not be reused: their data goes with physical destruction or the DEEE channel.
NOT_REUSED = (Etat.NON_REEMPLOYABLE, Etat.DEMANTELE, Etat.RECYCLE)
# A device handed out or promised keeps its storage as certified.
STORAGE_LOCKED = (Etat.DISPONIBLE, Etat.RESERVE, Etat.REMIS)


def offered_moves(ordinateur) -> list[str]:
    """The states a technician may give the device from its page: the path's, except the ones
    set by a household's request (reservation, hand-over). A reserved device is handled from the
    request it is reserved for."""
    if ordinateur.etat == Etat.RESERVE:
        return []
    return [
        vers
        for vers in TRANSITIONS.get(ordinateur.etat, ())
        if vers not in services.ALLOCATION_STATES
    ]


def still_to_pass(ordinateur) -> list[Etat]:
    """The steps of the path between the device's state and *disponible*."""
    if ordinateur.etat not in PATH:
        start = PATH.index(Etat.DIAGNOSTIQUE)  # out of the path, it comes back by a diagnosis
    else:
        start = PATH.index(ordinateur.etat) + 1
    return PATH[start : PATH.index(Etat.DISPONIBLE)]
