"""Sentences of the computer workshop's audit action codes."""

from poitiers_inclusion.audit_labels import before_after
from poitiers_inclusion.formatting import display_value

from .enums import ResultatEffacement, StatutDemande

LABELS = {
    "ordinateurs.ordinateur.received": "Réception d'ordinateurs donnés : {count} appareil(s)",
    "ordinateurs.effacement.created": lambda c: (
        "Effacement des données enregistré : "
        + str(ResultatEffacement(c["resultat"]).label).lower()
        if c.get("resultat") in ResultatEffacement.values
        else "Effacement des données enregistré"
    ),
    "ordinateurs.controle.created": lambda c: (
        "Contrôle fonctionnel enregistré : " + ("réussi" if c.get("reussi") else "échoué")
    ),
    "ordinateurs.demande.status_changed": lambda c: (
        "Statut de la demande : " + before_after(c, "statut", dict(StatutDemande.choices))
    ),
    "ordinateurs.attribution.created": "Ordinateur attribué au foyer",
    "ordinateurs.attribution.handed_over": "Ordinateur remis au foyer",
    "ordinateurs.attribution.withdrawn": "Attribution annulée",
    "ordinateurs.attribution.planned": "Remise prévue lors d'une cérémonie",
    "ordinateurs.invitation_ceremonie.sent": lambda c: (
        "Invitation à la cérémonie envoyée au donateur"
        + (f" (envoi n° {c['envoi']})" if (c.get("envoi") or 1) > 1 else "")
    ),
    "ordinateurs.invitation_ceremonie.answered": lambda c: (
        "Réponse du donateur à l'invitation : "
        + (
            f"vient ({display_value(c.get('nb_personnes'))} personne(s))"
            if c.get("reponse") == "vient"
            else "ne vient pas"
        )
    ),
    "ordinateurs.don.certificate_sent": lambda c: (
        "Certificat d'effacement du don envoyé au donateur "
        f"({display_value(c.get('certified', 0))} appareil(s) certifié(s))"
    ),
    "ordinateurs.foyer.anonymised": lambda c: (
        f"Foyer anonymisé ({display_value(len(c.get('fields') or []))} champ(s) effacé(s))"
    ),
}
