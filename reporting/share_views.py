"""Dashboard views shared by link: created and revoked by the coordinator, read by anyone."""

import dataclasses
import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import log_event
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User
from poitiers_inclusion.perms import STAFF, public, role_required

from . import snapshots
from .forms import DashboardFilterForm, ShareForm
from .models import VuePartagee

CITYWIDE_READER = User(role=Role.COORDINATEUR)  # never saved


# Filters that name a person: a shared view never carries one. The share form refuses them; a
# link made before that rule shows its figures without them.
PERSONAL_FILTERS = ("conseiller",)


def _filters_of(query: QueryDict) -> dict:
    """The dashboard's own filters: anything else in the query string is not kept."""
    names = ("du", "au", *DashboardFilterForm.names())
    return {name: query[name] for name in names if query.get(name)}


def _shareable(filters: dict) -> dict:
    return {name: value for name, value in filters.items() if name not in PERSONAL_FILTERS}


def _share_url(filters: dict) -> str:
    query = urlencode(filters)
    return reverse("reporting:share_create") + (f"?{query}" if query else "")


@role_required(*STAFF)
def share_create(request):
    filters = _filters_of(request.GET if request.method == "GET" else request.POST)
    view = DashboardFilterForm(data=filters or None, user=request.user)
    described = view.description()
    initial = {
        "titre": f"Inclusion numérique — {described[0][1]}",
        "expires_on": timezone.localdate() + datetime.timedelta(days=90),
    }
    names_a_person = filters != _shareable(filters)
    form = ShareForm(data=request.POST or None, initial=initial, names_a_person=names_a_person)
    if request.method == "POST" and form.is_valid():
        share = form.save(commit=False)
        share.filtres = filters
        share.created_by = request.user
        share.save()
        log_event(
            actor=request.user,
            action="reporting.vue_partagee.creee",
            target=share,
            changes={"filtres": filters, "jusqu_au": share.expires_on.isoformat()},
        )
        messages.success(request, f"Lien créé : « {share.titre} ». Copiez-le ci-dessous.")
        return redirect("reporting:share_list")
    return render(
        request,
        "reporting/share_form.html",
        {
            "form": form,
            "filters": filters,
            "described": described,
            "names_a_person": names_a_person,
            "anonymous_view": _share_url(_shareable(filters)),
        },
    )


@role_required(*STAFF)
def share_list(request):
    today = timezone.localdate()
    shares = list(VuePartagee.objects.select_related("created_by"))
    for share in shares:
        share.active = share.is_active(today)
        share.url = request.build_absolute_uri(
            reverse("reporting:share_public", args=[share.token])
        )
    return render(request, "reporting/share_list.html", {"shares": shares})


@require_POST
@role_required(*STAFF)
def share_revoke(request, pk):
    share = get_object_or_404(VuePartagee, pk=pk, revoked_at__isnull=True)
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])
    log_event(actor=request.user, action="reporting.vue_partagee.revoquee", target=share)
    messages.success(request, f"Le lien « {share.titre} » ne fonctionne plus.")
    return redirect("reporting:share_list")


@public
def share_public(request, token):
    share = VuePartagee.objects.filter(token=token).first()
    if share is None or not share.is_active(timezone.localdate()):
        raise Http404("Ce lien de partage n'existe pas, a expiré ou a été révoqué.")
    # The view is the whole city's (user=None), as its author, a coordinator or an admin, saw
    # it; the filter form only needs a citywide reader to read its filters back.
    form = DashboardFilterForm(data=_shareable(share.filtres) or None, user=CITYWIDE_READER)
    scope = dataclasses.replace(form.scope(), user=None)
    result = snapshots.served(scope, "sections")
    sections = [
        dataclasses.replace(section, tables=[t for t in section.tables if t.public])
        for section in result.value
    ]
    return render(
        request,
        "reporting/share_public.html",
        {
            "share": share,
            "sections": sections,
            "filters": form.description(),
            "not_applied": form.not_applied(),
            "computed_at": result.computed_at,
            "printable": True,
        },
    )
