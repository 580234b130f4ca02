"""The statistics API: `GET /api/v1/statistiques`, composed from the apps' registered API blocks,
and the activities in La Coop's shape (`GET /api/v1/activites`), behind the same bearer token."""

import datetime
import urllib.parse

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from permanences.coop.jsonapi import BadParameter, activites_page
from permanences.models import Mediation
from poitiers_inclusion.figures import Scope
from poitiers_inclusion.models import ApiToken
from poitiers_inclusion.perms import STAFF, public, token_api

from . import snapshots
from .openapi import openapi_document


def _error(status: int, message: str, **headers) -> JsonResponse:
    response = JsonResponse(
        {"erreur": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _bearer_user(request):
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return ApiToken.objects.user_for(raw.strip())


def _date(request, name: str):
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else _bad(name, value)
    except ValueError:
        return _bad(name, value)


class BadDate(Exception):
    pass


def _bad(name, value):
    raise BadDate(
        f"Le paramètre « {name} » doit être une date au format AAAA-MM-JJ (reçu : {value})."
    )


def _staff_token_user(request, realm: str, what: str):
    """The coordination's account the bearer token belongs to, or the 401/403 answer."""
    user = _bearer_user(request)
    if user is None:
        return None, _error(
            401,
            "Authentification requise : en-tête « Authorization: Bearer <jeton> » absent ou jeton invalide.",
            WWW_Authenticate=f'Bearer realm="{realm}"',
        )
    if not user.has_role(*STAFF):
        return None, _error(
            403,
            f"Ce jeton ne donne pas accès {what} (rôle coordinateur ou administrateur requis).",
        )
    return user, None


@require_GET
@token_api
def statistics(request):
    user, refusal = _staff_token_user(request, "statistiques", "aux statistiques")
    if refusal:
        return refusal
    try:
        start, end = _date(request, "du"), _date(request, "au")
    except BadDate as error:
        return _error(400, str(error))
    if start and end and start > end:
        return _error(400, "La date « du » doit précéder la date « au ».")
    result = snapshots.served(Scope(user=user, start=start, end=end), "api")
    payload = {**result.value, "calcule_le": timezone.localtime(result.computed_at).isoformat()}
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@require_GET
@token_api
def activites(request):
    user, refusal = _staff_token_user(request, "activites", "aux activités")
    if refusal:
        return refusal
    base = request.build_absolute_uri(request.path)

    def url(params):
        return f"{base}?{urllib.parse.urlencode(params)}" if params else base

    try:
        document = activites_page(Mediation.objects.visible_for(user), request.GET, url)
    except BadParameter as error:
        return _error(400, str(error))
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@require_GET
@public
def openapi(request):
    return JsonResponse(openapi_document(request), json_dumps_params={"ensure_ascii": False})
