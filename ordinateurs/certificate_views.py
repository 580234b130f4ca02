"""The erasure certificates, to print and archive: one device's, and every device of a donation
in one document. Technicians, the coordinator and the admin use them (`WORKSHOP_ROLES`).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from poitiers_inclusion import pdf
from poitiers_inclusion.perms import role_required

from . import certificates, documents, services
from .enums import Etat
from .models import Don
from .perms import WORKSHOP_ROLES
from .staff_views import detail_url, devices_of, get_device


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
    storages = list(ordinateur.stockages.prefetch_related(certificates.successes()))
    if not storages:
        messages.error(
            request,
            f"{ordinateur.numero} n'a aucun support de stockage enregistré : il n'y a pas de "
            "données à certifier effacées.",
        )
        return redirect(detail_url(ordinateur, "stockages"))
    return pdf.page_or_file(
        request,
        "ordinateurs/atelier/certificat.html",
        certificates.device_context(ordinateur, storages),
        builder=documents.certificate,
        filename=f"certificat-effacement-{ordinateur.numero}.pdf",
    )


@role_required(*WORKSHOP_ROLES)
def certificats_don(request, pk):
    """Every device of a batch in one document: one line per storage erased; the devices that
    will not be reused, those without data storage and those still in the workshop apart."""
    don = get_object_or_404(Don.objects.visible_for(request.user).select_related("donateur"), pk=pk)
    return pdf.page_or_file(
        request,
        "ordinateurs/atelier/certificats_don.html",
        certificates.batch_context(don, devices_of(request.user)),
        builder=documents.batch_certificates,
        filename=f"certificats-effacement-don-{don.pk}.pdf",
    )
