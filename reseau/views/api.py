"""Public open data: the city's lieux in the national places standard (CSV and JSON), and the
partner network as data·inclusion's structures and services (JSON)."""

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from poitiers_inclusion.perms import public

from .. import data_inclusion, standard


@public
def lieux_csv(request):
    response = HttpResponse(standard.csv_text(), content_type="text/csv; charset=utf-8")
    filename = f"lieux-mediation-numerique-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
def lieux_json(request):
    """The same rows as the CSV (multi-valued fields joined with `|`), as a JSON array."""
    return _open_json([standard.row(lieu) for lieu in standard.lieux_for_export()])


def _open_json(rows):
    response = JsonResponse(rows, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
def data_inclusion_structures(request):
    return _open_json(data_inclusion.structures())


@public
def data_inclusion_services(request):
    return _open_json(data_inclusion.services())
