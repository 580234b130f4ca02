"""Pages on the people helped: list, record with its history, merge, export, anonymise.

A conseiller sees the usagers they helped, the coordinator and admin everyone
(`Usager.objects.visible_for`). Opening an identified person's page, exporting or changing it is
written to the audit log.
"""

import json

from django.contrib import messages
from django.db.models import Count, Exists, Max, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from poitiers_inclusion import usager_records
from poitiers_inclusion.audit import log_event, log_view
from poitiers_inclusion.models import Usager
from poitiers_inclusion.paging import CappedPaginator, paginate
from poitiers_inclusion.perms import STAFF, TEAM, role_required

from . import usagers as services
from .enums import Thematique
from .models import Accompagnement, Mediation
from .usager_forms import AnonymiseForm, DeleteForm, MergeForm, UsagerFilter


def _visible(user):
    return Usager.objects.visible_for(user)


def _get(request, pk):
    """The usager through the user's scope; a merged record leads to the one it was merged into."""
    usager = _visible(request.user).select_related("quartier").filter(pk=pk).first()
    if usager is None:
        merged = Usager.objects.filter(pk=pk, merged_into__isnull=False).first()
        if merged and _visible(request.user).filter(pk=merged.merged_into_id).exists():
            return None, merged.merged_into_id
        raise Http404("Aucun usager ne correspond.")
    return usager, None


def _with_visits(usagers: list) -> list:
    """Each row's number of accompagnements and last visit, counted for the page's rows only
    (one query), not for every record before paging."""
    visits = {
        row["usager_id"]: row
        for row in Accompagnement.objects.filter(usager__in=usagers)
        .values("usager_id")
        .annotate(n=Count("pk"), last=Max("mediation__date"))
        .order_by()
    }
    for usager in usagers:
        row = visits.get(usager.pk, {})
        usager.nb_accompagnements = row.get("n", 0)
        usager.derniere_venue = row.get("last")
    return usagers


@role_required(*TEAM)
def usager_list(request):
    qs = (
        _visible(request.user).select_related("quartier").order_by("last_name", "first_name", "-pk")
    )
    filterset = UsagerFilter(request.GET, queryset=qs, request=request)
    page, querystring = paginate(request, filterset.qs, 25)
    page.object_list = _with_visits(list(page.object_list))
    return render(
        request,
        "permanences/usagers/list.html",
        {"page": page, "filter": filterset, "querystring": querystring},
    )


@role_required(*TEAM)
def usager_detail(request, pk):
    usager, moved_to = _get(request, pk)
    if moved_to:
        messages.info(request, "Cette fiche a été fusionnée : voici la fiche conservée.")
        return redirect("permanences:usager_detail", pk=moved_to)
    if usager.is_identified:
        log_view(actor=request.user, target=usager)
    mediations = Mediation.objects.visible_for(request.user)
    rows = services.history(usager, mediations=mediations)
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    themes = dict(Thematique.choices)
    for acc in page.object_list:
        acc.themes = ", ".join(themes.get(t, t) for t in acc.mediation.thematiques)
    # The visits the viewer does not see: one probe per visit (a NOT IN over every médiation
    # a coordinator sees read ten million rows at national scale).
    seen = Exists(mediations.filter(pk=OuterRef("mediation_id")))
    hidden = usager.accompagnements.filter(~seen).count()
    return render(
        request,
        "permanences/usagers/detail.html",
        {
            "usager": usager,
            "page": page,
            "hidden": hidden,
            "conseillers": usager.conseillers.order_by("last_name", "first_name"),
            "querystring": "",
            "held_elsewhere": usager_records.tables_for(usager, request.user),
        },
    )


def _fetch(request, pk):
    usager, moved_to = _get(request, pk)
    if moved_to:
        raise Http404("Cette fiche a été fusionnée.")
    return usager


@role_required(*TEAM)
def usager_merge(request, pk):
    kept = _fetch(request, pk)
    candidates = _visible(request.user).exclude(pk=kept.pk).filter(anonymised_at__isnull=True)
    # A form of one checkbox posts nothing else than the token when unchecked: bind on POST.
    form = MergeForm(data=request.POST if request.method == "POST" else None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["autre"]
        try:
            kept = services.merge_usagers(kept=kept, other=other, actor=request.user)
        except services.MergeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"La fiche n°{other.pk} a été fusionnée dans celle-ci.")
            return redirect("permanences:usager_detail", pk=kept.pk)
    for error in form.errors.get("autre", []):
        messages.error(request, error)
    other_pk = request.POST.get("autre") or request.GET.get("autre")
    other = candidates.filter(pk=other_pk).first() if str(other_pk or "").isdigit() else None
    if other is not None and not form.is_bound:
        form = MergeForm(initial={"autre": other.pk}, candidates=candidates)
    query = request.GET.get("q", "").strip()
    results = []
    if query and other is None:
        results = (
            candidates.search(query, request.user)
            .annotate(nb_accompagnements=Count("accompagnements", distinct=True))
            .order_by("last_name", "first_name", "pk")[:20]
        )
    preview = None
    if other is not None:
        values = services.merge_preview(kept, other)
        preview = Usager(**{k: v for k, v in values.items()})
    return render(
        request,
        "permanences/usagers/merge.html",
        {
            "usager": kept,
            "other": other,
            "preview": preview,
            "form": form,
            "query": query,
            "results": results,
        },
    )


@role_required(*TEAM)
def usager_export_json(request, pk):
    usager = _fetch(request, pk)
    data = services.usager_data(usager)
    log_event(
        actor=request.user, action="kernel.usager.exported", target=usager, changes={"as": "json"}
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="usager-{usager.pk}-{timezone.localdate():%Y-%m-%d}.json"'
    )
    return response


@role_required(*TEAM)
def usager_export_print(request, pk):
    usager = _fetch(request, pk)
    data = services.usager_data(usager)
    log_event(
        actor=request.user, action="kernel.usager.exported", target=usager, changes={"as": "print"}
    )
    return render(
        request,
        "permanences/usagers/print.html",
        {"usager": usager, "data": data, "held_elsewhere": usager_records.tables_for(usager, None)},
    )


@role_required(*TEAM)
def usager_anonymise(request, pk):
    usager = _fetch(request, pk)
    if not usager.is_identified:
        messages.info(
            request, "Cette fiche est déjà anonyme : elle ne contient aucune donnée nominative."
        )
        return redirect("permanences:usager_detail", pk=usager.pk)
    form = AnonymiseForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.anonymise_usager(usager=usager, actor=request.user, reason="demande")
        messages.success(
            request, "La fiche est anonymisée : seules les données statistiques sont conservées."
        )
        return redirect("permanences:usager_detail", pk=usager.pk)
    return render(request, "permanences/usagers/anonymise.html", {"usager": usager, "form": form})


@role_required(*STAFF)
def usager_delete(request, pk):
    """Erase a person at their request; the conseiller's tool for this is anonymisation."""
    usager = _fetch(request, pk)
    form = DeleteForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        removed = services.delete_usager(usager=usager, actor=request.user)
        messages.success(
            request,
            f"Fiche n°{pk} supprimée, avec {removed['accompagnements']} participation(s) ; "
            f"{removed['mediations']} activité(s) restée(s) sans participant supprimée(s).",
        )
        return redirect("permanences:usager_list")
    mediations = usager.accompagnements.count()
    return render(
        request,
        "permanences/usagers/delete.html",
        {"usager": usager, "form": form, "participations": mediations},
    )
