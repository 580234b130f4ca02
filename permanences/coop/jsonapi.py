"""Our médiations in La Coop's JSON:API shape (`GET /api/v1/activites`), for the tools that read it.

Same resource (`activite`), same attribute names and codes, same cursor pagination (`page[size]`,
`page[after]`, `page[before]`, links and meta) and filters (`filter[creation][depuis]`,
`filter[modification][depuis]`), newest modification first, as described by La Coop's OpenAPI.
An activity that came from La Coop keeps its id there, so a reader of both tools counts it once;
the others get a stable UUID derived from this site's address and the record's number, as do the
médiateurs (unless their account holds their Coop id) and the lieux. Nothing about the people
helped is published but their number.
"""

import base64
import binascii
import datetime
import json
import math
import re
import uuid

from django.conf import settings
from django.db.models import Count, Q

from ..enums import Thematique, TypeActivite, TypeLieu
from ..models import Mediation

PAGE_SIZE = 500
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class BadParameter(Exception):
    """A query parameter cannot be read; the message says which and why, in French."""


def _namespace() -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL)


def local_uuid(kind: str, pk: int) -> str:
    return str(uuid.uuid5(_namespace(), f"{kind}:{pk}"))


def _iso(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _type(m: Mediation) -> str:
    if m.type_activite == TypeActivite.INDIVIDUEL and m.thematiques_demarche:
        return "demarche_administrative"
    return m.type_activite


def resource(m: Mediation) -> dict:
    """One activity (`m.accompagnements_count` annotated)."""
    collective = m.type_activite == TypeActivite.COLLECTIF
    kind = _type(m)
    thematiques = list(m.thematiques)
    if kind == "demarche_administrative":  # La Coop's démarche names its domains only
        thematiques = [t for t in thematiques if t != Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES]
    at_lieu = m.type_lieu == TypeLieu.LIEU_ACTIVITE and m.lieu_id
    return {
        "type": "activite",
        "id": m.coop_id if m.coop_id and UUID.match(m.coop_id) else local_uuid("mediation", m.pk),
        "attributes": {
            "type": kind,
            "mediateur_id": m.conseiller.coop_id or local_uuid("conseiller", m.conseiller_id),
            "accompagnements": m.accompagnements_count,
            "date": m.date.isoformat(),
            "duree": m.duree_minutes,
            "type_lieu": m.type_lieu,
            "structure_id": local_uuid("lieu", m.lieu_id) if at_lieu else None,
            "lieu_code_postal": None,
            "lieu_commune": None,
            "lieu_code_insee": None,
            "creation": _iso(m.created_at),
            "modification": _iso(m.updated_at),
            "suppression": None,
            "autonomie": (m.autonomie or None) if not collective else None,
            "oriente_vers_structure": None if collective else m.redirige,
            "structure_de_redirection": m.structure_redirection or None,
            "materiel": list(m.materiel),
            "thematiques": thematiques + list(m.thematiques_demarche),
            "tags": list(m.tags),
            "precisions_demarche": m.nom_demarche or None,
            "titre_atelier": m.titre_atelier or None,
            "niveau_atelier": (m.niveau_atelier or None) if collective else None,
        },
    }


# --- Query parameters and cursors ------------------------------------------------------------


def _moment(params, name: str) -> datetime.datetime | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError as error:
        raise BadParameter(
            f"Le paramètre « {name} » doit être une date-heure ISO 8601, par exemple "
            f"2025-09-01T00:00:00Z (reçu : {value})."
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _size(params) -> int:
    value = params.get("page[size]", "").strip() or str(PAGE_SIZE)
    if not value.isdigit() or not 1 <= int(value) <= PAGE_SIZE:
        raise BadParameter(
            f"Le paramètre « page[size] » doit être un nombre de 1 à {PAGE_SIZE} (reçu : {value})."
        )
    return int(value)


def encode_cursor(m: Mediation) -> str:
    raw = json.dumps([_iso(m.updated_at), m.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(value: str, name: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        moment, pk = json.loads(raw)
        return datetime.datetime.fromisoformat(moment), int(pk)
    except (ValueError, TypeError, binascii.Error) as error:
        raise BadParameter(
            f"Le curseur « {name} » n’est pas un curseur de cette API : reprenez le lien "
            "« next » ou « prev » de la page précédente."
        ) from error


def _older(moment, pk) -> Q:
    return Q(updated_at__lt=moment) | Q(updated_at=moment, pk__lt=pk)


def _newer(moment, pk) -> Q:
    return Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk)


def activites_page(mediations, params, url) -> dict:
    """The JSON:API document of one page of `mediations` (already scoped to the reader); `url`
    builds an absolute link from query parameters. Raises BadParameter."""
    size = _size(params)
    created, modified = (
        _moment(params, "filter[creation][depuis]"),
        _moment(params, "filter[modification][depuis]"),
    )
    if created:
        mediations = mediations.filter(created_at__gte=created)
    if modified:
        mediations = mediations.filter(updated_at__gte=modified)
    total = mediations.count()
    after, before = params.get("page[after]", ""), params.get("page[before]", "")
    rows = mediations.select_related("conseiller").annotate(
        accompagnements_count=Count("accompagnements")
    )
    if before:
        cursor = _decode_cursor(before, "page[before]")
        chunk = list(rows.filter(_newer(*cursor)).order_by("updated_at", "pk")[:size])[::-1]
    else:
        if after:
            rows = rows.filter(_older(*_decode_cursor(after, "page[after]")))
        chunk = list(rows.order_by("-updated_at", "-pk")[:size])
    has_next = (
        bool(chunk) and mediations.filter(_older(chunk[-1].updated_at, chunk[-1].pk)).exists()
    )
    has_prev = bool(chunk) and mediations.filter(_newer(chunk[0].updated_at, chunk[0].pk)).exists()
    kept = {k: v for k, v in params.items() if k not in ("page[after]", "page[before]") and v}
    links = {
        "self": url(
            {
                **kept,
                **({"page[after]": after} if after else {}),
                **({"page[before]": before} if before else {}),
            }
        )
    }
    if has_next:
        links["next"] = url({**kept, "page[after]": encode_cursor(chunk[-1])})
    if has_prev:
        links["prev"] = url({**kept, "page[before]": encode_cursor(chunk[0])})
    return {
        "data": [resource(m) for m in chunk],
        "links": links,
        "meta": {
            "total_count": total,
            "items_per_page": size,
            "total_pages": math.ceil(total / size),
            "has_next_page": has_next,
            "has_prev_page": has_prev,
        },
    }
