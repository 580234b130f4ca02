"""Donations: an offer, its collection, the donor's confirmation, a cancellation."""

import datetime

from django.db import transaction
from django.utils import timezone

from poitiers_inclusion import mail, phones
from poitiers_inclusion.audit import audited_save

from ..enums import (
    StatutDon,
)
from ..models import (
    Don,
    Donateur,
)
from .devices import OrdinateurError

# --- Donations ----------------------------------------------------------------------------------


def send_donor_email(don: Don, kind: str) -> None:
    """kind: "proposition" (thanks, what happens next) or "collecte" (please confirm)."""
    mail.send(
        f"ordinateurs/emails/{kind}",
        to=don.donateur.email,
        context={
            "don": don,
            "donateur": don.donateur,
            "confirm_url": mail.absolute_url("ordinateurs:don_confirm", don.token),
        },
    )


@transaction.atomic
def offer_donation(
    *, donateur: Donateur | dict, nb_annonce: int, description: str, actor=None
) -> Don:
    """A company offers a batch (public form, or entered by staff).

    `donateur` is a known donor, or the fields typed for one: a donor already on file with the
    same SIRET is reused, and the contact typed this time is kept in the donation's notes."""
    notes = ""
    if isinstance(donateur, Donateur):
        donor = donateur
    else:
        siret = donateur.get("siret")
        donor = Donateur.objects.filter(siret=siret).order_by("pk").first() if siret else None
        if donor is None:
            donor = audited_save(Donateur(**donateur), actor=actor)
        else:
            typed = [
                donateur.get("contact_nom"),
                donateur.get("email"),
                phones.display(donateur.get("telephone")),
            ]
            if any(typed):
                notes = "Contact indiqué avec cette proposition : " + ", ".join(
                    value for value in typed if value
                )
    don = audited_save(
        Don(
            donateur=donor,
            nb_annonce=nb_annonce,
            description=description,
            en_ligne=actor is None,
            notes=notes,
        ),
        actor=actor,
    )
    send_donor_email(don, "proposition")
    return don


@transaction.atomic
def plan_collection(*, don: Don, day: datetime.date, actor) -> Don:
    don = Don.objects.select_for_update().get(pk=don.pk)
    if don.statut not in (StatutDon.PROPOSE, StatutDon.COLLECTE_PREVUE):
        raise OrdinateurError("Ce don a déjà été collecté ou annulé.")
    don.collection_planned_on = day
    don.statut = StatutDon.COLLECTE_PREVUE
    return audited_save(don, actor=actor)


@transaction.atomic
def record_collection(*, don: Don, day: datetime.date, nb_recus: int, poids_kg, actor) -> Don:
    """The batch was collected: units and weight; the donor is asked to confirm."""
    don = Don.objects.select_for_update().get(pk=don.pk)
    if don.statut in (StatutDon.CONFIRME, StatutDon.ANNULE):
        raise OrdinateurError("Ce don est clos.")
    don.collected_on, don.nb_recus, don.poids_kg = day, nb_recus, poids_kg
    don.statut = StatutDon.COLLECTE
    audited_save(don, actor=actor)
    send_donor_email(don, "collecte")
    return don


@transaction.atomic
def confirm_by_donor(*, don: Don) -> Don:
    """The donor confirms, by their link, what was collected."""
    don = Don.objects.select_for_update().get(pk=don.pk)
    if don.statut != StatutDon.COLLECTE:
        raise OrdinateurError("Il n'y a rien à confirmer pour ce don.")
    don.statut, don.confirmed_at = StatutDon.CONFIRME, timezone.now()
    return audited_save(don, actor=None)


@transaction.atomic
def cancel_donation(*, don: Don, actor, motif: str = "") -> Don:
    don = Don.objects.select_for_update().get(pk=don.pk)
    if don.ordinateurs.exists():
        raise OrdinateurError("Des appareils de ce don sont enregistrés : il ne s'annule plus.")
    don.statut, don.cancelled_at = StatutDon.ANNULE, timezone.now()
    if motif:
        don.notes = f"{don.notes}\nAnnulé : {motif}".strip()
    return audited_save(don, actor=actor)
