"""Writes of Ordinateurs solidaires: the device's path under its rules, the evidence of erasure
and checks (devices.py), donations (donations.py), households' requests, allocation and
hand-over (households.py). Callers use `services.<name>` whichever module holds it.

Every state change of a device writes an append-only event in the same transaction; the rules
of the path are checked here, in one place: a device is *effacé* only when every storage device
has a successful erasure record, *contrôlé* only after a passed functional check, *disponible*
only with both. Reservation and hand-over go through the allocation functions, so a device is
never reserved without the request it is reserved for.
"""

from .ceremonies import (
    answer_invitation,
    households_to_equip,
    invite_donors,
    plan_for_ceremony,
    uninvited_donors,
)
from .devices import (
    ALLOCATION_STATES,
    OrdinateurError,
    erased,
    last_check,
    missing_for,
    move,
    receive_devices,
    record_check,
    record_erasure,
    sha256_of,
    successful_erasures,
)
from .donations import (
    cancel_donation,
    confirm_by_donor,
    offer_donation,
    plan_collection,
    record_collection,
    send_donor_email,
)
from .households import (
    CLOSED,
    anonymise_closed_households,
    decide,
    expire_requests,
    hand_over,
    hand_over_moment,
    propose,
    refer_household,
    withdraw,
)

__all__ = [
    "ALLOCATION_STATES",
    "CLOSED",
    "OrdinateurError",
    "anonymise_closed_households",
    "answer_invitation",
    "cancel_donation",
    "confirm_by_donor",
    "decide",
    "erased",
    "expire_requests",
    "hand_over",
    "hand_over_moment",
    "households_to_equip",
    "invite_donors",
    "last_check",
    "missing_for",
    "move",
    "offer_donation",
    "plan_for_ceremony",
    "plan_collection",
    "propose",
    "receive_devices",
    "record_check",
    "record_collection",
    "record_erasure",
    "refer_household",
    "send_donor_email",
    "sha256_of",
    "successful_erasures",
    "uninvited_donors",
    "withdraw",
]
