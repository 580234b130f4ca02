"""The OpenAPI 3 description of the statistics API and of the activities in La Coop's shape
(served at /api/v1/openapi.json).

It documents the published contract: the blocks the apps register (`mediations`, `reseau`, and
`ateliers`, `ordinateurs` once those modules exist). A block whose module is absent is absent from
the answer, which is why only `periode` is required.
"""

from django.urls import reverse

from .openapi_activites import ACTIVITE, ACTIVITES, activites_path

COUNT = {"type": "integer", "minimum": 0}


def _breakdown(description: str) -> dict:
    return {
        "type": "array",
        "description": description,
        "items": {
            "type": "object",
            "properties": {
                "code": {"type": ["string", "null"], "description": "Code (national si existant)."},
                "label": {"type": "string", "description": "Libellé affiché."},
                "valeur": COUNT,
            },
            "additionalProperties": True,
        },
    }


def _block(description: str, counts: dict[str, str], extra: dict | None = None) -> dict:
    properties = {key: {**COUNT, "description": text} for key, text in counts.items()}
    properties.update(extra or {})
    return {
        "type": "object",
        "description": description,
        "required": list(counts),
        "properties": properties,
        "additionalProperties": True,
    }


SCHEMA = {
    "type": "object",
    "required": ["periode", "calcule_le"],
    "properties": {
        "calcule_le": {
            "type": "string",
            "format": "date-time",
            "description": "Quand ces chiffres ont été calculés : à la demande, ou pour les très "
            "grands volumes par le recalcul périodique (au plus une heure plus tôt).",
        },
        "periode": {
            "type": "object",
            "description": "La période demandée (null : sans borne).",
            "properties": {
                "du": {"type": ["string", "null"], "format": "date"},
                "au": {"type": ["string", "null"], "format": "date"},
            },
        },
        "mediations": _block(
            "Médiations (accompagnements : une personne aidée dans une activité).",
            {
                "total": "Accompagnements, individuels et collectifs.",
                "individuels": "Accompagnements individuels.",
                "collectifs": "Participants aux ateliers collectifs.",
                "usagers_uniques": "Usagers distincts accompagnés.",
            },
            {
                "par_lieu": _breakdown("Accompagnements par lieu."),
                "par_thematique": _breakdown("Accompagnements par thématique."),
                "par_tranche_age": _breakdown("Usagers uniques par tranche d'âge."),
                "par_genre": _breakdown("Usagers uniques par genre."),
                "par_mois": _breakdown("Accompagnements par mois (code AAAA-MM)."),
            },
        ),
        "reseau": _block(
            "Réseau d'acteurs.",
            {
                "structures": "Structures partenaires actives.",
                "contacts": "Contacts actifs.",
                "reunions": "Réunions du réseau tenues.",
            },
        ),
        "ateliers": _block(
            "Parcours d'ateliers.",
            {
                "seances": "Séances tenues (non annulées, jour passé).",
                "participants_uniques": "Personnes distinctes présentes à au moins une séance.",
                "participations": "Présences notées.",
                "inscriptions": "Places réservées sur les séances tenues.",
                "places": "Places offertes sur les séances tenues.",
                "liste_attente": "Personnes restées en liste d'attente.",
                "passes_de_la_liste_attente": "Places obtenues depuis la liste d'attente.",
            },
            {
                "taux_remplissage": {
                    "type": ["number", "null"],
                    "description": "Places réservées / places offertes, en %.",
                },
                "taux_presence": {
                    "type": ["number", "null"],
                    "description": "Présents / inscrits, en %, là où la présence a été notée.",
                },
                "par_module": _breakdown("Séances par module (avec présences et participants)."),
                "par_mois": _breakdown("Séances par mois (code AAAA-MM), avec les présences."),
                "par_tranche_age": _breakdown("Participants uniques par tranche d'âge."),
            },
        ),
        "ensemble": _block(
            "Toutes activités : chaque personne comptée une fois.",
            {
                "usagers_uniques": "Personnes distinctes, en médiation ou en atelier.",
                "en_mediation": "Usagers uniques des médiations.",
                "en_atelier": "Participants uniques des ateliers.",
                "aux_deux": "Personnes venues en médiation et en atelier.",
            },
        ),
        "ordinateurs": _block(
            "Ordinateurs solidaires (présent quand le module existe).",
            {
                "dons": "Appareils donnés et reçus.",
                "reconditionnes": "Appareils reconditionnés.",
                "remis": "Appareils remis.",
                "foyers_equipes": "Foyers équipés.",
            },
        ),
    },
    "additionalProperties": {"type": "object"},
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"erreur": {"type": "string"}}}
            }
        },
    }


def openapi_document(request) -> dict:
    server = request.build_absolute_uri("/").rstrip("/")
    path = reverse("reporting_api:statistics")
    date_param = {
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date"},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Statistiques et activités de l'inclusion numérique",
            "version": "1.0.0",
            "description": "Chiffres publiés du programme, calculés par chaque module, et les "
            "médiations au format de l'API v1 de La Coop de la médiation numérique. "
            "Jeton : `python manage.py create_api_token EMAIL` (coordinateur ou administrateur).",
        },
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {"jeton": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Statistiques": SCHEMA, "Activite": ACTIVITE, "Activites": ACTIVITES},
        },
        "security": [{"jeton": []}],
        "paths": {
            path: {
                "get": {
                    "summary": "Statistiques sur une période",
                    "operationId": "statistiques",
                    "parameters": [
                        {**date_param, "name": "du", "description": "Premier jour inclus."},
                        {**date_param, "name": "au", "description": "Dernier jour inclus."},
                    ],
                    "responses": {
                        "200": {
                            "description": "Les chiffres, tous entiers.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Statistiques"}
                                }
                            },
                        },
                        "400": _error("Date mal formée ou période inversée."),
                        "401": _error("Jeton absent ou invalide."),
                        "403": _error(
                            "Le compte du jeton n'est ni coordinateur ni administrateur."
                        ),
                    },
                }
            },
            reverse("reporting_api:activites"): activites_path(_error),
        },
    }
