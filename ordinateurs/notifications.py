"""Who Ordinateurs solidaires tells by e-mail, and what: the partner that referred a household
is told of each decision on its request.

The e-mail names the household by its code only (DESIGN.md §9: the programme knows nothing
else); the partner reads the rest behind the link, signed in.
"""

from django.contrib.auth import get_user_model

from poitiers_inclusion import mail, phones
from poitiers_inclusion.enums import Role

from .enums import StatutDemande

# The partner itself sends the request (back) to the coordination: nothing to tell it.
NOT_TOLD = (StatutDemande.SOUMISE,)
# A reason the partner must read: what is missing, why it was refused.
REASON_TOLD = (StatutDemande.INCOMPLETE, StatutDemande.REFUSEE)


def partner_addresses(demande) -> list[str]:
    """Where to write about a request: the account that referred it while it still works for
    the structure; else the structure's active prescripteurs; else its contact address."""
    structure = demande.foyer.structure
    prescripteurs = get_user_model().objects.filter(
        is_active=True, role=Role.PRESCRIPTEUR, structure=structure
    )
    referrer = demande.created_by_id or demande.foyer.created_by_id
    if referrer is not None:
        own = list(prescripteurs.filter(pk=referrer).values_list("email", flat=True))
        if own:
            return own
    colleagues = list(prescripteurs.order_by("email").values_list("email", flat=True))
    if colleagues:
        return colleagues
    return mail.recipients(structure.courriel)


def tell_partner(demande, *, became_eligible=False) -> bool:
    """E-mail the referring partner the request's new status; returns whether one was queued.
    `became_eligible`: found eligible and put on the waiting list in one decision (one e-mail
    says both)."""
    if demande.statut in NOT_TOLD:
        return False
    statut = demande.get_statut_display().lower()
    return mail.send(
        "ordinateurs/emails/demande_statut",
        to=partner_addresses(demande),
        context={
            "code": demande.foyer.code,
            "statut": f"éligible, sur la {statut}" if became_eligible else statut,
            "became_eligible": became_eligible,
            "StatutDemande": StatutDemande,
            "status": demande.statut,
            "motif": demande.motif if demande.statut in REASON_TOLD else "",
            "url": mail.absolute_url("ordinateurs:demande_detail", demande.pk),
        },
    )


def partner_informed(demande) -> str:
    """What the coordination reads once the partner has (or could not have) been told."""
    structure = demande.foyer.structure
    if partner_addresses(demande):
        return f"La structure « {structure} » en est informée par e-mail."
    phone = f" au {phones.display(structure.telephone)}" if structure.telephone else ""
    return f"La structure « {structure} » n'a pas d'adresse e-mail : téléphonez-lui{phone}."


def partner_told(demande) -> str:
    """After a proposal: the partner told, then the hand-over to note."""
    told = partner_informed(demande)
    if told.endswith("par e-mail."):
        return f"{told} Notez ensuite la remise."
    return f"{told.removesuffix('.')}, puis notez la remise."
