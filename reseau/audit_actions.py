"""Sentences of the réseau's audit action codes."""

from .enums import EtatOrientation

CHANNELS = {"lien": "depuis le lien reçu par e-mail", "compte": "depuis un compte"}

LABELS = {
    "reseau.campagne.reminded": "Relance de la campagne envoyée à {relances} contact(s)",
    "reseau.reunion.invited": "Invitations à la réunion envoyées : {invitations}",
    "reseau.reunion.attendance": "Présences à la réunion notées : {presents} personne(s)",
    "reseau.orientation.viewed": lambda c: (
        "Orientation consultée " + CHANNELS.get(c.get("canal"), "")
    ).strip(),
    "reseau.orientation.answered": lambda c: (
        "Réponse à l'orientation : "
        + str(dict(EtatOrientation.choices).get(c.get("etat"), "—")).lower()
        + (f" ({CHANNELS[c['canal']]})" if c.get("canal") in CHANNELS else "")
    ),
    "reseau.orientation.reminded": "Relance de l'orientation envoyée",
    "reseau.lieu.merged": "Lieu créé par un import fusionné dans ce lieu ({moved} enregistrement(s))",
    "reseau.lieu.created": lambda c: (
        "Création : lieu" + (" (import)" if c.get("source") == "import" else "")
    ),
}
