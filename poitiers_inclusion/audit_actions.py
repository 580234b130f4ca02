"""Sentences of the kernel's own audit action codes (the usager record, the outbox, the calls)."""

from .formatting import display_value

EXPORT_FORMS = {"json": "fichier JSON", "print": "version imprimable"}
ANONYMISED_BECAUSE = {
    "demande": "à la demande de la personne",
    "conservation": "à la fin de la durée de conservation",
}

LABELS = {
    "kernel.usager.merged": lambda c: (
        f"Fiche fusionnée avec la fiche n°{display_value(c.get('merged'))} : "
        f"{display_value(c.get('accompagnements_moved', 0))} accompagnement(s) repris, "
        f"{display_value(c.get('duplicates_removed', 0))} doublon(s) retiré(s)"
    ),
    "kernel.usager.merged_into": "Fiche fusionnée dans la fiche n°{into}",
    "kernel.usager.anonymised": lambda c: (
        "Fiche anonymisée "
        + ANONYMISED_BECAUSE.get(c.get("reason"), f"({display_value(c.get('reason'))})")
    ),
    "kernel.usager.deleted": (
        "Fiche supprimée avec {accompagnements} accompagnement(s) et {fiches} fiche(s) liée(s)"
    ),
    "kernel.usager.exported": lambda c: (
        f"Données de la personne exportées ({EXPORT_FORMS.get(c.get('as'), 'export')})"
    ),
    "kernel.usager.viewed": "Fiche de la personne consultée",
    "kernel.email.retried": "Nouvel essai d'envoi d'un e-mail non envoyé",
    "kernel.call.done": "Appel fait à une personne que ni e-mail ni SMS ne joint",
    "kernel.user.invited": "Invitation à choisir son mot de passe envoyée",
}
