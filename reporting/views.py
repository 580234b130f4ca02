"""The coordinator's dashboard, its exports, the printable network report, external indicators."""

import datetime
import tempfile

import pandas as pd
from django.contrib import messages
from django.core.files import File
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from poitiers_inclusion.exports import table_response, write_xlsx, xlsx_response
from poitiers_inclusion.perms import STAFF, role_required
from reseau.models import Reunion
from reseau.services import attach_report as attach_report_to_meeting

from . import compose, snapshots
from .crossapp import opening_dates
from .did import caveats, difference_in_differences, result_tables
from .forms import DashboardFilterForm, IndicatorChoiceForm, IndicatorImportForm
from .indicators import import_file
from .models import ExternalIndicator, IndicatorImport
from .perms import DASHBOARD_ROLES


def _filters(request) -> DashboardFilterForm:
    return DashboardFilterForm(data=request.GET or None, user=request.user)


def _stamp() -> str:
    return timezone.localdate().strftime("%Y-%m-%d")


@role_required(*DASHBOARD_ROLES)
def dashboard(request):
    form = _filters(request)
    result = snapshots.dashboard_sections(form.scope())
    return render(
        request,
        "reporting/dashboard.html",
        {
            "form": form,
            "sections": result.value,
            "computed_at": result.computed_at if result.from_snapshot else None,
            "filters": form.description(),
            "not_applied": form.not_applied(),
            "querystring": request.GET.urlencode(),
        },
    )


@role_required(*DASHBOARD_ROLES)
def export_dashboard(request):
    form = _filters(request)
    sections = snapshots.dashboard_sections(form.scope()).value
    return xlsx_response(
        f"tableau-de-bord-{_stamp()}.xlsx", compose.dashboard_sheets(sections, form.description())
    )


def _table_for(request, section_key, table_key):
    form = _filters(request)
    section = compose.build_section(section_key, form.scope())
    table = compose.find_table(section, table_key)
    title = f"{section.title} — {table.title}"
    return table, compose.preamble(title, form.description())


def _export_table(request, section, table, fmt):
    data, preamble = _table_for(request, section, table)
    name = f"{slugify(section)}-{slugify(table)}-{_stamp()}"
    return table_response(fmt, name, data.title, data.columns, data.rows, preamble)


@role_required(*DASHBOARD_ROLES)
def export_table_csv(request, section, table):
    return _export_table(request, section, table, "csv")


@role_required(*DASHBOARD_ROLES)
def export_table_xlsx(request, section, table):
    return _export_table(request, section, table, "xlsx")


@role_required(*STAFF)
def network_report(request):
    """The page printed for the network's meetings: key figures, charts and tables of a period."""
    form = _filters(request)
    sections = snapshots.dashboard_sections(form.scope()).value
    return render(
        request,
        "reporting/report.html",
        {
            "form": form,
            "sections": sections,
            "filters": form.description(),
            "not_applied": form.not_applied(),
            "printed_on": timezone.localdate(),
        },
    )


def _report_period(reunion: Reunion) -> tuple[datetime.date, datetime.date]:
    """From the previous network meeting (or six months back) to the eve of this one."""
    day = timezone.localtime(reunion.date).date()
    end = min(day - datetime.timedelta(days=1), timezone.localdate())
    previous = (
        Reunion.objects.filter(date__lt=reunion.date).order_by("-date").values("date").first()
    )
    start = (
        timezone.localtime(previous["date"]).date()
        if previous
        else end - datetime.timedelta(days=182)
    )
    return min(start, end), end


@require_POST
@role_required(*STAFF)
def attach_report(request, pk):
    """Attach the dashboard's workbook for the period since the last meeting to a meeting."""
    reunion = get_object_or_404(Reunion.objects.visible_for(request.user), pk=pk)
    start, end = _report_period(reunion)
    form = DashboardFilterForm(
        data={"du": start.isoformat(), "au": end.isoformat()}, user=request.user
    )
    sections = snapshots.dashboard_sections(form.scope()).value
    with tempfile.TemporaryFile() as spool:
        write_xlsx(compose.dashboard_sheets(sections, form.description()), spool)
        spool.seek(0)
        attach_report_to_meeting(
            reunion=reunion,
            name=f"rapport-{reunion.date:%Y-%m-%d}.xlsx",
            content=File(spool),
            actor=request.user,
            action="reporting.rapport.joint",
            changes={"du": start.isoformat(), "au": end.isoformat()},
        )
    messages.success(
        request,
        f"Rapport du {start:%d/%m/%Y} au {end:%d/%m/%Y} (tableau de bord, Excel) joint à la réunion.",
    )
    return redirect("reseau:reunion_detail", pk=reunion.pk)


@role_required(*STAFF)
def indicator_import(request):
    form = IndicatorImportForm(data=request.POST or None, files=request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_file(
            lines=form.lines,
            file_name=form.cleaned_data["fichier"].name,
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
        tables = result_tables(result)
        wanted = next((t for t in tables if t.key == request.GET.get("export")), None)
        if wanted is not None:
            title = f"{chosen} — {wanted.title}"
            preamble = compose.preamble(title, [("Indicateur", chosen)])
            name = f"indicateur-{slugify(chosen)}-{wanted.key}-{_stamp()}"
            fmt = request.GET.get("format")
            return table_response(fmt, name, wanted.title, wanted.columns, wanted.rows, preamble)
        context.update(
            result=result,
            tables=tables,
            caveats=caveats(result),
            did=None if result.did is None else round(result.did, 2),
        )
    return render(request, "reporting/indicators.html", context)
