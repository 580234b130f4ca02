"""The statistics API: `GET /api/v1/statistiques`, composed from the apps' registered API blocks."""

import datetime

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

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


@require_GET
@token_api
def statistics(request):
    user = _bearer_user(request)
    if user is None:
        return _error(
            401,
            "Authentification requise : en-tête « Authorization: Bearer <jeton> » absent ou jeton invalide.",
            WWW_Authenticate='Bearer realm="statistiques"',
        )
    if not user.has_role(*STAFF):
        return _error(
            403,
            "Ce jeton ne donne pas accès aux statistiques (rôle coordinateur ou administrateur requis).",
        )
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
@public
def openapi(request):
    return JsonResponse(openapi_document(request), json_dumps_params={"ensure_ascii": False})
