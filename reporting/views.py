"""The coordinator's dashboard, its exports, the printable network report, external indicators."""

import pandas as pd
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from poitiers_inclusion.enums import Role
from poitiers_inclusion.exports import Sheet, csv_response, xlsx_response
from poitiers_inclusion.perms import STAFF, role_required

from . import compose
from .crossapp import opening_dates
from .did import caveats, difference_in_differences, result_tables
from .forms import DashboardFilterForm, IndicatorChoiceForm, IndicatorImportForm
from .indicators import import_file
from .models import ExternalIndicator, IndicatorImport

DASHBOARD_ROLES = (Role.COORDINATEUR, Role.ADMIN, Role.CONSEILLER, Role.PRESCRIPTEUR)


def _filters(request) -> DashboardFilterForm:
    return DashboardFilterForm(data=request.GET or None, user=request.user)


def _stamp() -> str:
    return timezone.localdate().strftime("%Y-%m-%d")


@role_required(*DASHBOARD_ROLES)
def dashboard(request):
    form = _filters(request)
    sections = compose.build_sections(form.scope())
    return render(
        request,
        "reporting/dashboard.html",
        {
            "form": form,
            "sections": sections,
            "filters": form.description(),
            "querystring": request.GET.urlencode(),
        },
    )


@role_required(*DASHBOARD_ROLES)
def export_dashboard(request):
    form = _filters(request)
    sections = compose.build_sections(form.scope())
    return xlsx_response(
        f"tableau-de-bord-{_stamp()}.xlsx", compose.dashboard_sheets(sections, form.description())
    )


def _table_for(request, section_key, table_key):
    form = _filters(request)
    section = compose.build_section(section_key, form.scope())
    table = compose.find_table(section, table_key)
    title = f"{section.title} — {table.title}"
    return table, compose.preamble(title, form.description())


@role_required(*DASHBOARD_ROLES)
def export_table_csv(request, section, table):
    data, preamble = _table_for(request, section, table)
    name = f"{slugify(section)}-{slugify(table)}-{_stamp()}.csv"
    return csv_response(name, data.columns, data.rows, preamble)


@role_required(*DASHBOARD_ROLES)
def export_table_xlsx(request, section, table):
    data, preamble = _table_for(request, section, table)
    name = f"{slugify(section)}-{slugify(table)}-{_stamp()}.xlsx"
    sheet = Sheet(title=data.title[:31], columns=data.columns, rows=data.rows, preamble=preamble)
    return xlsx_response(name, [sheet])


@role_required(*STAFF)
def network_report(request):
    """The page printed for the network's meetings: key figures, charts and tables of a period."""
    form = _filters(request)
    sections = compose.build_sections(form.scope())
    return render(
        request,
        "reporting/report.html",
        {
            "form": form,
            "sections": sections,
            "filters": form.description(),
            "printed_on": timezone.localdate(),
        },
    )


@role_required(*STAFF)
def indicator_import(request):
    form = IndicatorImportForm(data=request.POST or None, files=request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_file(
            upload=form.cleaned_data["fichier"],
            actor=request.user,
            keep_valid_rows=form.cleaned_data["importer_lignes_valides"],
        )
        if result.saved:
            skipped = len(result.errors)
            text = f"{len(result.rows)} valeur(s) importée(s)"
            if skipped:
                text += f", {skipped} ligne(s) écartée(s)"
            messages.success(request, text + ".")
            if not skipped:
                return redirect("reporting:indicators")
    imports = IndicatorImport.objects.select_related("imported_by")[:10]
    return render(
        request,
        "reporting/indicator_import.html",
        {"form": form, "result": result, "imports": imports},
    )


@role_required(*STAFF)
def indicators(request):
    """For a chosen indicator: quartiers with a permanence against those without (DiD)."""
    names = ExternalIndicator.objects.names()
    form = IndicatorChoiceForm(data=request.GET or None, names=names)
    chosen = form.cleaned_data["indicateur"] if form.is_valid() else (names[0] if names else None)
    context = {"form": form, "names": names, "chosen": chosen}
    if chosen:
        rows = ExternalIndicator.objects.filter(indicateur=chosen).values(
            "quartier", "mois", "valeur"
        )
        frame = pd.DataFrame.from_records(rows, columns=["quartier", "mois", "valeur"])
        result = difference_in_differences(frame, opening_dates())
        context.update(
            result=result,
            tables=result_tables(result),
            caveats=caveats(result),
            did=None if result.did is None else round(result.did, 2),
        )
    return render(request, "reporting/indicators.html", context)
