"""What an erasure certificate says (one device's, a whole donation's): the lines per storage
erased, the devices apart, the operators. The pages, their PDF files and the e-mail to the donor
(certificate_views.py, documents.py, donor_certificates.py) all read it from here.
"""

from django.db.models import Prefetch
from django.utils import timezone

from . import services
from .device_path import NOT_REUSED
from .enums import MethodeEffacement, ResultatEffacement
from .models import Effacement, Stockage

# The level of NIST SP 800-88 rev. 1 that each method reaches.
NIST_LEVEL = {
    MethodeEffacement.NIST_CLEAR: "Clear",
    MethodeEffacement.REECRITURE: "Clear",
    MethodeEffacement.NIST_PURGE: "Purge",
    MethodeEffacement.ATA_SECURE_ERASE: "Purge",
    MethodeEffacement.NVME_SECURE_ERASE: "Purge",
    MethodeEffacement.DESTRUCTION: "Destroy",
}


def _who(user) -> str:
    return (user.get_full_name() or user.email) if user else "—"


def successes() -> Prefetch:
    """The storages' successful erasures, for the certificates."""
    return Prefetch(
        "effacements",
        queryset=Effacement.objects.filter(resultat=ResultatEffacement.REUSSI).select_related(
            "operateur"
        ),
    )


def _line(ordinateur, storage) -> dict:
    effacement = services.successful_erasures(storage)[0]
    return {
        "ordinateur": ordinateur,
        "stockage": storage,
        "effacement": effacement,
        "nist": NIST_LEVEL.get(effacement.methode, ""),
        "operateur": _who(effacement.operateur),
    }


def _operators(lines) -> list[str]:
    return list(dict.fromkeys(line["operateur"] for line in lines))


def device_context(ordinateur, storages) -> dict:
    """One device's certificate: `storages` prefetched with `successes()`, each erased."""
    lines = [_line(ordinateur, s) for s in storages]
    return {
        "ordinateur": ordinateur,
        "lines": lines,
        "operators": _operators(lines),
        "today": timezone.localdate(),
    }


def batch_context(don, devices) -> dict:
    """Every device of a donation in one certificate: one line per storage erased; the devices
    that will not be reused, those without data storage and those still in the workshop apart.

    `devices`: the donation's devices the reader may see (a queryset)."""
    devices = list(
        devices.filter(don=don)
        .prefetch_related(
            Prefetch("stockages", queryset=Stockage.objects.prefetch_related(successes()))
        )
        .order_by("numero")
    )
    lines, not_reused, no_storage, pending = [], [], [], []
    for ordinateur in devices:
        storages = list(ordinateur.stockages.all())
        if storages and services.erased(ordinateur):
            lines += [_line(ordinateur, s) for s in storages]
        elif ordinateur.etat in NOT_REUSED:
            not_reused.append(ordinateur)
        elif not storages and not ordinateur.needs_storage:
            no_storage.append(ordinateur)
        else:
            pending.append(ordinateur)
    return {
        "don": don,
        "devices": devices,
        "lines": lines,
        "certified": len({line["ordinateur"].pk for line in lines}),
        "operators": _operators(lines),
        "not_reused": not_reused,
        "no_storage": no_storage,
        "pending": pending,
        "today": timezone.localdate(),
    }
