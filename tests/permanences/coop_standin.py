"""A stand-in for La Coop's API v1, served by wsgiref on 127.0.0.1 in a thread for the tests.

Its answers follow the schemas of La Coop's OpenAPI description (data/coop-api-v1-schemas.json,
checked with jsonschema on every answer): bearer "client-id:secret", cursor pagination with
`page[size]`/`page[after]` and the next page's link, activities newest modification first,
`filter[modification][depuis]`, and the query parameters the description lists (any other is
refused, so the client cannot rely on one that does not exist). A test queues failures (429, 500,
401) to be served before the next answers.
"""

import base64
import datetime
import json
import threading
import urllib.parse
import uuid
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jsonschema

SPEC = json.loads((Path(__file__).parent / "data" / "coop-api-v1-schemas.json").read_text())
TOKEN = "client-ville:secret-de-test"


def _json_schema(node):
    """OpenAPI 3.0 `nullable` and `$ref` written as plain JSON Schema."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items() if k not in ("example", "examples")}
    if "$ref" in node:
        return {"$ref": "#/definitions/" + node["$ref"].rsplit("/", 1)[1]}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    return node


DEFINITIONS = _json_schema(SPEC["schemas"])


def check(path: str, payload) -> None:
    schema = {**_json_schema(SPEC["responses"][path]), "definitions": DEFINITIONS}
    jsonschema.validate(payload, schema)


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def activite(*, mediateur_id, modified, id=None, **attributes) -> dict:
    """An activity with every attribute the schema requires; `attributes` override them."""
    values = {
        "type": "individuel",
        "mediateur_id": mediateur_id,
        "accompagnements": 1,
        "date": "2026-11-02",
        "duree": 45,
        "type_lieu": "a_distance",
        "structure_id": None,
        "lieu_code_postal": "86000",
        "lieu_commune": "Poitiers",
        "lieu_code_insee": "86194",
        "creation": iso(modified - datetime.timedelta(hours=1)),
        "modification": iso(modified),
        "suppression": None,
        "autonomie": "partiellement_autonome",
        "oriente_vers_structure": False,
        "structure_de_redirection": None,
        "materiel": ["ordinateur"],
        "thematiques": ["email"],
        "tags": [],
        "precisions_demarche": None,
        "titre_atelier": None,
        "niveau_atelier": None,
    }
    values.update(attributes)
    return {"type": "activite", "id": id or str(uuid.uuid4()), "attributes": values}


def utilisateur(*, email, mediateur_id, prenom="Camille", nom="Martin") -> dict:
    return {
        "type": "utilisateur",
        "id": str(uuid.uuid4()),
        "attributes": {
            "email": email,
            "prenom": prenom,
            "nom": nom,
            "inscription_validee": "2025-01-05T10:00:00Z",
            "telephone": None,
            "creation": "2025-01-01T12:00:00Z",
            "modification": "2025-01-02T12:00:00Z",
            "suppression": None,
            "dataspace_id": None,
            "emplois": [],
            "mediateur": {
                "id": mediateur_id,
                "creation": "2025-01-01T12:00:00Z",
                "modification": "2025-01-02T12:00:00Z",
                "en_activite": [],
                "coordinations": [],
            },
            "coordinateur": None,
            "conseiller_numerique": {"is_conseiller_numerique": True, "id_pg": 4242},
        },
    }


def structure(*, nom, commune="Poitiers", id=None) -> dict:
    text = {
        "presentation_resume": None,
        "presentation_detail": None,
        "site_web": None,
        "telephone": None,
        "fiche_acces_libre": None,
        "horaires": None,
        "prise_rdv": None,
        "structure_parente": None,
        "complement_adresse": None,
        "siret": None,
        "rna": None,
        "id_pg": None,
        "structure_cartographie_nationale_id": None,
        "latitude": None,
        "longitude": None,
    }
    lists = (
        "typologies",
        "courriels",
        "services",
        "publics_specifiquement_adresses",
        "prise_en_charge_specifique",
        "frais_a_charge",
        "dispositif_programmes_nationaux",
        "formations_labels",
        "autres_formations_labels",
        "itinerance",
        "modalites_acces",
        "modalites_accompagnement",
    )
    return {
        "type": "structure",
        "id": id or str(uuid.uuid4()),
        "attributes": {
            **text,
            **{name: [] for name in lists},
            "creation": "2024-01-01T12:00:00Z",
            "modification": "2024-01-01T12:00:00Z",
            "suppression": None,
            "nom": nom,
            "adresse": "1 place du Marché",
            "commune": commune,
            "code_postal": "86000",
            "code_insee": "86194",
            "visible_pour_cartographie_nationale": True,
        },
    }


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class StandIn:
    def __init__(self):
        self.activites: dict[str, dict] = {}
        self.utilisateurs: list[dict] = []
        self.structures: dict[str, dict] = {}
        self.failures: list[tuple[int, dict]] = []  # served first, one per request
        self.requests: list[tuple[str, dict]] = []
        self.server = None

    # --- data ---

    def add(self, *activities) -> None:
        for activity in activities:
            self.activites[activity["id"]] = activity

    def fail_next(self, status: int, **headers) -> None:
        self.failures.append((status, headers))

    # --- server ---

    def start(self) -> str:
        self.server = make_server("127.0.0.1", 0, self.app, WSGIServer, _Quiet)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/api/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def app(self, environ, start_response):
        path = environ["PATH_INFO"].removeprefix("/api/v1")
        params = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        self.requests.append((path, params))
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {TOKEN}":
            return self._send(start_response, 401, {"error": "Unauthorized"})
        if self.failures:
            status, headers = self.failures.pop(0)
            return self._send(start_response, status, {"error": "Erreur simulée"}, headers)
        if path not in SPEC["parameters"] or set(params) - set(SPEC["parameters"][path]):
            return self._send(start_response, 400, {"error": "Paramètre inconnu"})
        if path == "/activites":
            since = params.get("filter[modification][depuis]")
            items = [
                a
                for a in self.activites.values()
                if not since or a["attributes"]["modification"] >= since
            ]
            items.sort(key=lambda a: (a["attributes"]["modification"], a["id"]), reverse=True)
        elif path == "/utilisateurs":
            items = list(self.utilisateurs)
        else:
            wanted = params.get("ids", "").split(",")
            items = [self.structures[i] for i in wanted if i in self.structures]
        payload = self._page(environ, path, params, items)
        check(path, payload)
        return self._send(start_response, 200, payload)

    def _page(self, environ, path, params, items):
        size = int(params.get("page[size]", 500))
        start = 0
        if params.get("page[after]"):
            start = json.loads(base64.urlsafe_b64decode(params["page[after]"]))["offset"]
        chunk = items[start : start + size]
        base = f"http://{environ['HTTP_HOST']}/api/v1{path}"

        def link(offset):
            cursor = base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()
            query = {**params, "page[after]": cursor}
            return f"{base}?{urllib.parse.urlencode(query)}"

        has_next = start + size < len(items)
        links = {"self": link(start) if start else base}
        if has_next:
            links["next"] = link(start + size)
        if start:
            links["prev"] = link(max(start - size, 0))
        return {
            "data": chunk,
            "links": links,
            "meta": {
                "total_count": len(items),
                "items_per_page": size,
                "total_pages": -(-len(items) // size),
                "has_next_page": has_next,
                "has_prev_page": start > 0,
            },
        }

    def _send(self, start_response, status, payload, headers=None):
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 429: "Too Many Requests"}
        start_response(
            f"{status} {reason.get(status, 'Error')}",
            [("Content-Type", "application/json"), *(headers or {}).items()],
        )
        return [json.dumps(payload).encode()]
