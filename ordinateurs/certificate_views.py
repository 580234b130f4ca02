"""The erasure certificates, to print and archive: one device's, and every device of a donation
in one document. Technicians, the coordinator and the admin use them (`WORKSHOP_ROLES`).
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from poitiers_inclusion import pdf
from poitiers_inclusion.perms import role_required

from . import documents, services
from .device_path import NOT_REUSED
from .enums import Etat, MethodeEffacement, ResultatEffacement
from .models import Don, Effacement, Stockage
from .perms import WORKSHOP_ROLES
from .staff_views import detail_url, devices_of, get_device

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


def _successes():
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


@role_required(*WORKSHOP_ROLES)
def certificat_effacement(request, pk):
    ordinateur = get_device(request, pk)
    if not services.erased(ordinateur):
        missing = services.missing_for(ordinateur, Etat.EFFACE) or [
            "Chaque support de stockage doit avoir un effacement réussi."
        ]
        messages.error(
            request,
            f"Le certificat d'effacement de {ordinateur.numero} ne peut pas être établi : "
            + " ".join(missing),
        )
        return redirect(detail_url(ordinateur, "stockages"))
    storages = list(ordinateur.stockages.prefetch_related(_successes()))
    if not storages:
        messages.error(
            request,
            f"{ordinateur.numero} n'a aucun support de stockage enregistré : il n'y a pas de "
            "données à certifier effacées.",
        )
        return redirect(detail_url(ordinateur, "stockages"))
    lines = [_line(ordinateur, s) for s in storages]
    return pdf.page_or_file(
        request,
        "ordinateurs/atelier/certificat.html",
        {
            "ordinateur": ordinateur,
            "lines": lines,
            "operators": _operators(lines),
            "today": timezone.localdate(),
        },
        builder=documents.certificate,
        filename=f"certificat-effacement-{ordinateur.numero}.pdf",
    )


@role_required(*WORKSHOP_ROLES)
def certificats_don(request, pk):
    """Every device of a batch in one document: one line per storage erased; the devices that
    will not be reused, those without data storage and those still in the workshop apart."""
    don = get_object_or_404(Don.objects.visible_for(request.user).select_related("donateur"), pk=pk)
    devices = list(
        devices_of(request.user)
        .filter(don=don)
        .prefetch_related(
            Prefetch("stockages", queryset=Stockage.objects.prefetch_related(_successes()))
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
    return pdf.page_or_file(
        request,
        "ordinateurs/atelier/certificats_don.html",
        {
            "don": don,
            "devices": devices,
            "lines": lines,
            "certified": len({line["ordinateur"].pk for line in lines}),
            "operators": _operators(lines),
            "not_reused": not_reused,
            "no_storage": no_storage,
            "pending": pending,
            "today": timezone.localdate(),
        },
        builder=documents.batch_certificates,
        filename=f"certificats-effacement-don-{don.pk}.pdf",
    )
