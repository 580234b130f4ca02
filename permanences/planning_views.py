"""The coordinator's planning of the drop-in schedule: recurring permanences, one-off slots,
temporary closures.
"""

import datetime

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import audited_delete, audited_form_save, audited_save
from poitiers_inclusion.paging import CappedPaginator
from poitiers_inclusion.perms import STAFF, role_required

from .models import Fermeture, Permanence, RendezVous
from .schedule_forms import (
    EndPermanenceForm,
    ExtraSlotForm,
    FermetureForm,
    PermanenceForm,
    ScheduleFilter,
)


@role_required(*STAFF)
def schedule(request):
    today = timezone.localdate()
    recurring = (
        Permanence.objects.visible_for(request.user)
        .filter(is_one_off=False)
        .select_related("lieu__quartier")
        .prefetch_related("conseillers")
    )
    filterset = ScheduleFilter(request.GET, queryset=recurring)
    page = CappedPaginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    one_off = (
        Permanence.objects.filter(is_one_off=True, valid_from__gte=today - datetime.timedelta(30))
        .select_related("lieu")
        .prefetch_related("conseillers")
        .order_by("valid_from", "start_time")
    )
    closures = Fermeture.objects.select_related("lieu", "permanence__lieu")
    return render(
        request,
        "permanences/schedule/list.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": query.urlencode(),
            "one_off": one_off,
            "closures_current": closures.filter(end_date__gte=today).order_by("start_date"),
            "closures_past": closures.filter(
                end_date__lt=today, end_date__gte=today - datetime.timedelta(days=183)
            ),
            "today": today,
        },
    )


def _slot_form_page(request, form, title, *, instance=None):
    if request.method == "POST" and form.is_valid():
        slot = audited_form_save(form, actor=request.user)
        messages.success(request, f"« {slot} » est enregistrée.")
        return redirect("permanences:schedule")
    return render(
        request,
        "permanences/schedule/form.html",
        {"form": form, "title": title, "object": instance},
    )


@role_required(*STAFF)
def permanence_create(request):
    form = PermanenceForm(data=request.POST or None, initial={"valid_from": timezone.localdate()})
    return _slot_form_page(request, form, "Nouvelle permanence")


@role_required(*STAFF)
def permanence_edit(request, pk):
    permanence = get_object_or_404(Permanence.objects.visible_for(request.user), pk=pk)
    form_class = ExtraSlotForm if permanence.is_one_off else PermanenceForm
    form = form_class(data=request.POST or None, instance=permanence)
    title = "Créneau ponctuel" if permanence.is_one_off else "Permanence"
    return _slot_form_page(request, form, f"{title} : {permanence}", instance=permanence)


@role_required(*STAFF)
def extra_slot_create(request):
    form = ExtraSlotForm(data=request.POST or None)
    return _slot_form_page(request, form, "Nouveau créneau ponctuel")


@role_required(*STAFF)
def permanence_end(request, pk):
    permanence = get_object_or_404(Permanence.objects.visible_for(request.user), pk=pk)
    form = EndPermanenceForm(
        data=request.POST or None,
        permanence=permanence,
        initial={"last_day": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        last_day = form.cleaned_data["last_day"]
        permanence.valid_until = last_day
        audited_save(permanence, actor=request.user)
        later = (
            RendezVous.objects.actifs()
            .filter(creneau__permanence=permanence, creneau__date__gt=last_day)
            .count()
        )
        messages.success(request, f"« {permanence} » se termine le {last_day:%d/%m/%Y}.")
        if later:
            messages.warning(
                request,
                f"{later} rendez-vous pris après cette date sont à reporter : "
                "prévenez les personnes.",
            )
        return redirect("permanences:schedule")
    return render(
        request, "permanences/schedule/end.html", {"form": form, "permanence": permanence}
    )


@role_required(*STAFF)
def closure_create(request):
    initial = {"start_date": timezone.localdate()}
    for key in ("lieu", "permanence"):
        if request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    form = FermetureForm(data=request.POST or None, initial=initial)
    return _closure_form_page(request, form, "Nouvelle fermeture temporaire")


@role_required(*STAFF)
def closure_edit(request, pk):
    closure = get_object_or_404(Fermeture.objects.visible_for(request.user), pk=pk)
    form = FermetureForm(data=request.POST or None, instance=closure)
    return _closure_form_page(request, form, "Fermeture temporaire", instance=closure)


def _closure_form_page(request, form, title, *, instance=None):
    if request.method == "POST" and form.is_valid():
        closure = audited_form_save(form, actor=request.user)
        messages.success(request, f"Fermeture enregistrée : {closure}.")
        affected = (
            RendezVous.objects.actifs()
            .filter(creneau__date__range=(closure.start_date, closure.end_date))
            .filter(
                Q(creneau__permanence=closure.permanence_id)
                if closure.permanence_id
                else Q(creneau__permanence__lieu=closure.lieu_id)
            )
            .count()
        )
        if affected:
            messages.warning(
                request,
                f"{affected} rendez-vous étaient pris pendant cette fermeture : "
                "prévenez les personnes (voir l'agenda de ces jours).",
            )
        return redirect("permanences:schedule")
    return render(
        request,
        "permanences/schedule/form.html",
        {"form": form, "title": title, "object": instance, "is_closure": True},
    )


@require_POST
@role_required(*STAFF)
def closure_delete(request, pk):
    closure = get_object_or_404(Fermeture.objects.visible_for(request.user), pk=pk)
    label = str(closure)
    audited_delete(closure, actor=request.user)
    messages.success(request, f"Fermeture supprimée : {label}.")
    return redirect("permanences:schedule")
