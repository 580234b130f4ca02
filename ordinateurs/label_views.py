"""Device labels: an A4 sheet of asset tags with a QR code of each device's page, for the
devices of the inventory as filtered, or for one device."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from poitiers_inclusion import pdf
from poitiers_inclusion.perms import role_required

from . import documents
from .models import Ordinateur
from .perms import WORKSHOP_ROLES

# Ten sheets: a batch of donated computers fits; a whole inventory printed by mistake does not.
MAX_LABELS = 10 * documents.LABEL_COLUMNS * documents.LABEL_ROWS


def device_url(ordinateur) -> str:
    """What the QR code holds: the device's page. A technician who scans it signs in if need
    be and lands on it; anyone else is refused by the page itself."""
    return settings.SITE_URL + reverse("ordinateurs:ordinateur_detail", args=[ordinateur.pk])


def labels_response(request, devices, list_url: str):
    devices = list(devices[: MAX_LABELS + 1])
    if len(devices) > MAX_LABELS:
        messages.error(
            request,
            f"Plus de {MAX_LABELS} appareils : filtrez la liste (par don, par état…) pour "
            "imprimer au plus dix feuilles d'étiquettes.",
        )
        return redirect(list_url)
    if not devices:
        messages.error(request, "Aucun appareil dans cette liste : il n'y a rien à imprimer.")
        return redirect(list_url)
    return pdf.response(documents.labels(devices, device_url), "etiquettes-appareils.pdf")


@role_required(*WORKSHOP_ROLES)
def etiquette(request, pk):
    ordinateur = get_object_or_404(Ordinateur.objects.visible_for(request.user), pk=pk)
    return pdf.response(
        documents.labels([ordinateur], device_url), f"etiquette-{ordinateur.numero}.pdf"
    )
