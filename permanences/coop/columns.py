"""The Coop layout: its columns, and the labels of each field mapped to our codes."""

import re

from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.text import normalise

from ..enums import (
    Autonomie,
    Materiel,
    NiveauAtelier,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TypeActivite,
    TypeLieu,
)

SHEET_NAME = "Activités"
ANONYMOUS_NAMES = {"beneficiaire anonyme", "anonyme"}
ANONYMOUS_LABEL = "Bénéficiaire anonyme"
DEFAULT_SOURCE = "La Coop de la médiation numérique (import)"
# Lieux created from a file have no known SIRET; the national standard requires one (9–14 chars).
UNKNOWN_PIVOT = "00000000000000"
CONSENT_SOURCE = "import_coop"
# "ID CRA" written for an activity logged in the app (it has no Coop ID): recognised on import.
GENERATED_ID_PREFIX = "poitiers-"
GENERATED_ID = re.compile(rf"^{re.escape(GENERATED_ID_PREFIX)}(\d{{1,18}})$")
USAGER_REF_PREFIX = "U-"


# --- Columns ---------------------------------------------------------------------------------

# key -> header as La Coop writes it (the export writes exactly these).
HEADERS = {
    "date": "Date",
    "enregistre_le": "Enregistré le",
    "modifie_le": "Dernière modification le",
    "prenom_mediateur": "Prénom du médiateur",
    "nom_mediateur": "Nom du médiateur",
    "role": "Rôle",
    "id_conum": "ID - Conum",
    "type": "Type",
    "participants": "Participants",
    "beneficiaire": "Bénéficiaire",
    "canal": "Canaux d’accompagnement",
    "lieu_nom": "Nom du lieu",
    "lieu_adresse": "Adresse",
    "lieu_commune": "Commune",
    "lieu_code_postal": "Code postal",
    "lieu_code_insee": "Code Insee",
    "duree": "Durée (min)",
    "atelier": "Nom de l’atelier",
    "materiel": "Matériel numérique utilisé",
    "thematiques": "Thématique(s) d’accompagnement",
    "tags": "Tags",
    "demarche": "Nom de la démarche administrative",
    "niveau": "Niveau d’autonomie (ou de l’atelier)",
    "reoriente": "Bénéficiaire réorienté",
    "structure_redirection": "Structure de redirection",
    "usager_commune": "Commune du bénéficiaire",
    "usager_code_postal": "Code postal du bénéficiaire",
    "usager_code_insee": "Code Insee du bénéficiaire",
    "genre": "Genre du bénéficiaire",
    "tranche_age": "Tranche d’âge du bénéficiaire",
    "statut": "Statut du bénéficiaire",
    "notes": "Notes supplémentaires",
    "source": "Source de la donnée",
    "coop_id": "ID CRA",
}
# The app's own columns, written after La Coop's (which ignores unknown columns).
EXTRA_HEADERS = {
    "satisfaction": "Satisfaction",
    "connu_par": "Connu par",
    "premiere_visite": "Première visite",
    "quartier": "Quartier de résidence",
    "usager_ref": "Réf. usager",
}
REQUIRED_COLUMNS = ("date", "type", "duree", "thematiques", "coop_id")
COORDINATOR_COLUMNS = ("prenom_mediateur", "nom_mediateur", "role", "id_conum")


HEADER_KEYS = {normalise(label): key for key, label in {**HEADERS, **EXTRA_HEADERS}.items()}


def _labels(*choices, extra=None) -> dict[str, str]:
    """Label or code (normalised) -> code."""
    mapping = {}
    for enum in choices:
        for value, label in enum.choices:
            mapping[normalise(label)] = value
            mapping[normalise(value)] = value
    mapping.update({normalise(k): v for k, v in (extra or {}).items()})
    return mapping


TYPE_LABELS = _labels(
    TypeActivite,
    extra={
        "Individuel": TypeActivite.INDIVIDUEL,
        "Collectif": TypeActivite.COLLECTIF,
        # La Coop's third type (its API's code): individual help with an administrative procedure,
        # whose thématiques are the démarches ones.
        "demarche_administrative": TypeActivite.INDIVIDUEL,
        "Aide aux démarches administratives": TypeActivite.INDIVIDUEL,
    },
)
CANAL_LABELS = _labels(TypeLieu)
MATERIEL_LABELS = _labels(Materiel)
THEMATIQUE_LABELS = _labels(Thematique)
DEMARCHE_LABELS = _labels(ThematiqueDemarche)
REDIRECTION_LABELS = _labels(StructureRedirection)
GENRE_LABELS = _labels(Genre)
TRANCHE_LABELS = _labels(TrancheAge)
STATUT_LABELS = _labels(StatutSocial)
SATISFACTION_LABELS = _labels(Satisfaction)
SOURCE_LABELS = _labels(SourceConnaissance)
AUTONOMIE_LEVELS = list(Autonomie)  # 1/3, 2/3, 3/3
NIVEAU_LEVELS = list(NiveauAtelier)
AUTONOMIE_LABELS = _labels(Autonomie)
NIVEAU_LABELS = _labels(NiveauAtelier)
YES_NO = {"oui": True, "non": False}
