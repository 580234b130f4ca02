"""The coordination's page of the synchronisation with La Coop's API: where it stands, run it now."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from poitiers_inclusion.forms import Form
from poitiers_inclusion.perms import STAFF, role_required

from .coop.client import CoopApiError
from .coop.sync import client_from_settings, is_configured, sync
from .models import CoopSync

COUNT_LABELS = (
    ("creees", "Activités créées"),
    ("mises_a_jour", "Activités mises à jour"),
    ("inchangees", "Activités inchangées"),
    ("supprimees", "Activités supprimées (effacées dans La Coop)"),
    ("refusees", "Activités refusées"),
)


class CoopSyncForm(Form):
    depuis = forms.DateField(
        label="Tout relire depuis le (facultatif)",
        required=False,
        help_text="Vide : les activités modifiées dans La Coop depuis le dernier passage. Une date "
        "relit toutes celles modifiées depuis ce jour, sans rien dupliquer.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


@role_required(*STAFF)
def coop_sync(request):
    # A run without a date posts nothing but the CSRF token: the form is bound on any POST.
    form = CoopSyncForm(data=request.POST if request.method == "POST" else None)
    configured = is_configured()
    if request.method == "POST" and configured and form.is_valid():
        try:
            report = sync(
                client=client_from_settings(),
                since=form.cleaned_data["depuis"],
                actor=request.user,
            )
        except CoopApiError as error:
            messages.error(request, f"La synchronisation s’est arrêtée : {error}")
            return redirect("permanences:coop_sync")
        if report.busy:
            messages.warning(
                request, "Une synchronisation est déjà en cours : réessayez dans quelques minutes."
            )
        else:
            counts = report.counts
            messages.success(
                request,
                f"Synchronisation faite : {counts['creees']} activité(s) créée(s), "
                f"{counts['mises_a_jour']} mise(s) à jour, {counts['inchangees']} inchangée(s), "
                f"{counts['supprimees']} supprimée(s), {counts['refusees']} refusée(s)."
                + ("" if report.complete else " La suite sera lue au prochain passage."),
            )
        return redirect("permanences:coop_sync")
    state = CoopSync.objects.filter(pk=1).first()
    counts = [(label, (state.counts if state else {}).get(key, 0)) for key, label in COUNT_LABELS]
    return render(
        request,
        "permanences/coop/sync.html",
        {
            "form": form,
            "configured": configured,
            "state": state,
            "counts": counts,
            "api_url": settings.COOP_API_URL,
            "max_pages": settings.COOP_SYNC_MAX_PAGES,
        },
    )
