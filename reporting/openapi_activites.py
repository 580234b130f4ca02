"""The OpenAPI 3.1 description of `GET /api/v1/activites` (our médiations in La Coop's shape).

Written for this API from La Coop's published contract (its `Activite`, `PaginationLinks` and
`ListMetadata`): the same names and codes, so a tool that reads La Coop reads us. Merged into
/api/v1/openapi.json by `openapi_document`.
"""

from permanences.enums import (
    Autonomie,
    Materiel,
    NiveauAtelier,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TypeLieu,
)


def _nullable(kind: str, description: str, **extra) -> dict:
    return {"type": [kind, "null"], "description": description, **extra}


def _codes(*enums) -> list[str]:
    return [value for enum in enums for value in enum.values]


ACTIVITE = {
    "type": "object",
    "required": ["type", "id", "attributes"],
    "properties": {
        "type": {"type": "string", "enum": ["activite"]},
        "id": {
            "type": "string",
            "format": "uuid",
            "description": "Identifiant de l'activité : celui de La Coop pour une activité venue "
            "de La Coop (la même activité n'est ainsi comptée qu'une fois), sinon un UUID stable "
            "propre à cet outil.",
        },
        "attributes": {
            "type": "object",
            "required": [
                "type",
                "mediateur_id",
                "accompagnements",
                "date",
                "duree",
                "type_lieu",
                "structure_id",
                "creation",
                "modification",
                "suppression",
                "materiel",
                "thematiques",
                "tags",
            ],
            "properties": {
                "type": {
                    "type": "string",
                    "enum": ["individuel", "demarche_administrative", "collectif"],
                    "description": "Type d'activité (une aide individuelle avec des démarches "
                    "administratives est une « demarche_administrative »).",
                },
                "mediateur_id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "Le conseiller : son identifiant La Coop s'il est noté sur son "
                    "compte, sinon un UUID stable propre à cet outil.",
                },
                "accompagnements": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Nombre de personnes accompagnées.",
                },
                "date": {"type": "string", "format": "date"},
                "duree": {"type": "integer", "description": "Durée en minutes."},
                "type_lieu": {"type": "string", "enum": list(TypeLieu.values)},
                "structure_id": _nullable(
                    "string", "Le lieu (UUID stable) si type_lieu = lieu_activite.", format="uuid"
                ),
                "lieu_code_postal": _nullable("string", "Toujours null ici."),
                "lieu_commune": _nullable("string", "Toujours null ici."),
                "lieu_code_insee": _nullable("string", "Toujours null ici."),
                "creation": {"type": "string", "format": "date-time"},
                "modification": {"type": "string", "format": "date-time"},
                "suppression": _nullable(
                    "string", "Toujours null : une activité supprimée n'est plus listée."
                ),
                "autonomie": _nullable(
                    "string", "Niveau d'autonomie (individuel).", enum=[*Autonomie.values, None]
                ),
                "oriente_vers_structure": _nullable("boolean", "Réorienté (individuel)."),
                "structure_de_redirection": _nullable(
                    "string", "Vers quoi.", enum=[*StructureRedirection.values, None]
                ),
                "materiel": {"type": "array", "items": {"enum": list(Materiel.values)}},
                "thematiques": {
                    "type": "array",
                    "description": "Les codes de La Coop (et deux de cet outil : "
                    "gere_ses_contenus_numeriques, associations).",
                    "items": {"enum": _codes(Thematique, ThematiqueDemarche)},
                },
                "tags": {"type": "array", "items": {"type": "string"}},
                "precisions_demarche": _nullable("string", "Nom de la démarche."),
                "titre_atelier": _nullable("string", "Titre de l'atelier (collectif)."),
                "niveau_atelier": _nullable(
                    "string", "Niveau de l'atelier.", enum=[*NiveauAtelier.values, None]
                ),
            },
        },
    },
}

ACTIVITES = {
    "type": "object",
    "required": ["data", "links", "meta"],
    "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Activite"}},
        "links": {
            "type": "object",
            "required": ["self"],
            "properties": {
                name: {"type": "string", "format": "uri", "description": text}
                for name, text in (
                    ("self", "Cette page."),
                    ("next", "La page suivante (absent sur la dernière)."),
                    ("prev", "La page précédente (absent sur la première)."),
                )
            },
        },
        "meta": {
            "type": "object",
            "required": [
                "total_count",
                "items_per_page",
                "total_pages",
                "has_next_page",
                "has_prev_page",
            ],
            "properties": {
                "total_count": {
                    "type": "integer",
                    "description": "Activités qui répondent aux filtres.",
                },
                "items_per_page": {"type": "integer"},
                "total_pages": {"type": "integer"},
                "has_next_page": {"type": "boolean"},
                "has_prev_page": {"type": "boolean"},
            },
        },
    },
}


def _query(name: str, description: str, schema: dict) -> dict:
    return {
        "in": "query",
        "name": name,
        "required": False,
        "description": description,
        "schema": schema,
    }


def activites_path(error) -> dict:
    moment = {"type": "string", "format": "date-time", "examples": ["2025-09-01T00:00:00Z"]}
    return {
        "get": {
            "summary": "Activités (médiations) au format de La Coop de la médiation numérique",
            "description": "Les médiations de la ville, triées par date de dernière modification "
            "décroissante, paginées par curseur comme l'API v1 de La Coop.",
            "operationId": "activites",
            "parameters": [
                _query(
                    "page[size]",
                    "Nombre d'activités par page.",
                    {"type": "integer", "minimum": 1, "maximum": 500, "default": 500},
                ),
                _query(
                    "page[after]",
                    "Curseur : les activités qui suivent (lien « next »).",
                    {"type": "string"},
                ),
                _query(
                    "page[before]",
                    "Curseur : les activités qui précèdent (lien « prev »).",
                    {"type": "string"},
                ),
                _query("filter[creation][depuis]", "Créées à partir de cette date-heure.", moment),
                _query(
                    "filter[modification][depuis]",
                    "Modifiées à partir de cette date-heure.",
                    moment,
                ),
            ],
            "responses": {
                "200": {
                    "description": "Une page d'activités.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Activites"}}
                    },
                },
                "400": error("Paramètre illisible (taille, date-heure, curseur)."),
                "401": error("Jeton absent ou invalide."),
                "403": error("Le compte du jeton n'est ni coordinateur ni administrateur."),
            },
        }
    }
