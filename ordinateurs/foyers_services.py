"""Writes of a household's request that save what a form typed along with a step of its path;
the path itself (decisions, allocation, hand-over) is in `services`."""

from django.db import transaction

from poitiers_inclusion.audit import audited_form_save, audited_save

from . import services
from .enums import StatutDemande
from .models import Demande


def complete_request(*, demande: Demande, foyer_form, besoin: str, actor) -> Demande:
    """The structure completes a request the coordination found incomplete: the household's
    description (`foyer_form`) and the need are saved and the request is submitted again, in one
    transaction (a refused submission saves nothing)."""
    with transaction.atomic():
        audited_form_save(foyer_form, actor=actor)
        demande.besoin = besoin
        audited_save(demande, actor=actor)
        return services.decide(demande=demande, statut=StatutDemande.SOUMISE, actor=actor)
