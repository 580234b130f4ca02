"""The conseiller's agenda of the day: the permanences, their bookings, and from a booking to the
log form.
"""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from poitiers_inclusion.enums import Role
from poitiers_inclusion.perms import TEAM, role_required

from . import booking as services
from .models import Permanence, RendezVous, StatutRendezVous
from .schedule_forms import AgendaForm, PublicScheduleFilter


@role_required(*TEAM)
def agenda(request):
    form = AgendaForm(request.GET or None)
    day = (form.cleaned_data["date"] if form.is_valid() else None) or timezone.localdate()
    permanences = (
        Permanence.objects.active_on(day)
        .filter(weekday=day.weekday())
        .select_related("lieu")
        .prefetch_related("conseillers")
    )
    place = None
    if request.user.role == Role.CONSEILLER:
        permanences = permanences.filter(conseillers=request.user)
    else:
        # The whole programme's desks of a weekday are thousands nationally: one commune at a
        # time there, as on the public schedule (the city's by default, kept in the links).
        place = PublicScheduleFilter(request.GET, with_quartier=False)
        if place.chosen_commune:
            permanences = permanences.filter(lieu__commune=place.chosen_commune)
    items = services.occurrences(permanences, day, day)
    bookings = (
        RendezVous.objects.visible_for(request.user)
        .filter(creneau__date=day, creneau__permanence__in=[o.permanence.pk for o in items])
        .select_related("creneau")
        .order_by("heure")
    )
    by_permanence = defaultdict(list)  # thousands of desks a day nationally: no nested loop
    for booking in bookings:
        by_permanence[booking.creneau.permanence_id].append(booking)
    for o in items:
        o.rendez_vous = by_permanence.get(o.permanence.pk, [])
        o.booked = sum(1 for b in o.rendez_vous if b.is_active)
    return render(
        request,
        "permanences/schedule/agenda.html",
        {
            "form": form,
            "place": place,
            "commune_query": (
                f"&{urlencode({'commune': place.chosen_commune})}"
                if place and place.chosen_commune
                else ""
            ),
            "day": day,
            "today": timezone.localdate(),
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "occurrences": items,
            "Statut": StatutRendezVous,
        },
    )


def _agenda_url(rendez_vous):
    return f"{reverse('permanences:agenda')}?date={rendez_vous.date.isoformat()}"


@require_POST
@role_required(*TEAM)
def booking_status(request, pk):
    rendez_vous = get_object_or_404(
        RendezVous.objects.visible_for(request.user).select_related("creneau"), pk=pk
    )
    try:
        services.set_status(
            rendez_vous=rendez_vous, statut=request.POST.get("statut", ""), actor=request.user
        )
    except services.BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Rendez-vous de {rendez_vous.heure:%H:%M} : {rendez_vous.get_statut_display()}.",
        )
    return redirect(_agenda_url(rendez_vous))


@require_POST
@role_required(*TEAM)
def booking_mediation(request, pk):
    """One click from a booking to the log form, pre-filled; the booking is marked as seen."""
    rendez_vous = get_object_or_404(
        RendezVous.objects.visible_for(request.user).select_related("creneau__permanence"), pk=pk
    )
    if rendez_vous.statut in (StatutRendezVous.CONFIRME, StatutRendezVous.ARRIVE):
        services.set_status(rendez_vous=rendez_vous, statut=StatutRendezVous.VU, actor=request.user)
    elif rendez_vous.statut == StatutRendezVous.ANNULE:
        messages.error(request, "Ce rendez-vous a été annulé.")
        return redirect(_agenda_url(rendez_vous))
    return redirect(services.mediation_url(rendez_vous))
