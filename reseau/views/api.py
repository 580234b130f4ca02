"""Public open data: the city's lieux in the national places standard (CSV and JSON)."""

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from poitiers_inclusion.perms import public

from .. import standard


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
    rows = [standard.row(lieu) for lieu in standard.lieux_for_export()]
    response = JsonResponse(rows, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
