"""Sentences of the permanences' audit action codes (bookings, the Coop's files)."""

from poitiers_inclusion.audit_labels import before_after

from .models import StatutRendezVous

LABELS = {
    "permanences.rendezvous.created": "Rendez-vous pris en ligne",
    "permanences.rendezvous.cancelled": "Rendez-vous annulé",
    "permanences.rendezvous.status_changed": lambda c: (
        "Statut du rendez-vous : " + before_after(c, "statut", dict(StatutRendezVous.choices))
    ),
    "permanences.rendezvous.mediation_linked": "Rendez-vous relié à la médiation saisie",
    "permanences.rendezvous.purged": "Coordonnées du rendez-vous effacées (durée de conservation)",
    "permanences.coop.exported": "Médiations exportées au format de La Coop",
    "permanences.mediation.imported": "Médiation importée depuis La Coop",
    "permanences.mediation.synced": "Médiation reçue de l’API de La Coop",
    "permanences.mediation.sync_updated": "Médiation mise à jour depuis l’API de La Coop",
    "permanences.mediation.sync_deleted": "Médiation supprimée : effacée dans La Coop",
    "permanences.permanence.moved": "Permanence déménagée dans un autre lieu",
}
