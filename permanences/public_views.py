"""Public pages of the drop-in schedule: the schedule of the coming weeks (one commune at a time
at national scale), booking a time, the confirmation and cancellation links.
"""

import datetime
from itertools import groupby

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst

from poitiers_inclusion.perms import public
from poitiers_inclusion.public_forms import PublicPost
from reseau.models import Lieu

from . import booking as services
from . import moves
from .models import Permanence, RendezVous
from .public_forms import BookingForm
from .schedule_forms import PublicScheduleFilter

PUBLIC_WEEKS = 3
HOUR = r"H\hi"  # 14h00


def _parse_day(value: str) -> datetime.date:
    try:
        day = parse_date(value or "")
    except ValueError:
        day = None
    if day is None:
        raise Http404("Date inconnue.")
    return day


def _with_labels(items: list, today: datetime.date) -> list:
    """Each occurrence with its day (`day`: « mardi 8 décembre »; `day_label`: « Demain, mardi 8
    décembre ») and hours (« de 14h00 à 16h00 ») as the page writes them, formatted once per day
    and per permanence: Django's date filter on each of a commune's thousand slots was a third of
    the page's time."""
    named = {today: "Aujourd'hui, ", today + datetime.timedelta(days=1): "Demain, "}
    days, hours = {}, {}
    for o in items:
        if o.date not in days:
            text = date_format(o.date, "l j F")
            days[o.date] = (text, f"{named[o.date]}{text}" if o.date in named else capfirst(text))
        o.day, o.day_label = days[o.date]
        key = (o.permanence.start_time, o.permanence.end_time)
        if key not in hours:
            hours[key] = f"de {time_format(key[0], HOUR)} à {time_format(key[1], HOUR)}"
        o.hours = hours[key]
    return items


@public
def public_schedule(request):
    today = timezone.localdate()
    end = today + datetime.timedelta(weeks=PUBLIC_WEEKS) - datetime.timedelta(days=1)
    form = PublicScheduleFilter(request.GET)
    commune, quartier = form.chosen_commune, form.chosen_quartier
    upcoming = _with_labels(
        services.public_occurrences(today, end, quartier=quartier, commune=commune), today
    )
    upcoming.sort(
        key=lambda o: (
            o.permanence.lieu.quartier is None,
            o.permanence.lieu.quartier.nom if o.permanence.lieu.quartier else "",
            o.permanence.lieu.nom,
            o.date,
            o.permanence.start_time,
        )
    )
    quartiers = []
    for q, by_quartier in groupby(upcoming, key=lambda o: o.permanence.lieu.quartier):
        lieux = []
        for lieu, items in groupby(by_quartier, key=lambda o: o.permanence.lieu):
            items = list(items)
            closures = {o.fermeture.pk: o.fermeture for o in items if o.fermeture}
            lieux.append(
                {
                    "lieu": lieu,
                    "occurrences": items,
                    "closures": closures.values(),
                }
            )
        quartiers.append({"quartier": q, "lieux": lieux})
    if quartier is not None:
        moved_lieux = quartier.lieux.all()
    elif commune is not None:
        moved_lieux = Lieu.objects.filter(commune=commune)
    else:
        moved_lieux = None
    return render(
        request,
        "permanences/public/schedule.html",
        {
            "form": form,
            "quartiers": quartiers,
            "moves": moves.announced_moves(today=today, lieux=moved_lieux),
            "today": today,
            "start": today,
            "end": end,
            "tomorrow": today + datetime.timedelta(days=1),
        },
    )


@public
def booking_new(request, pk, day):
    permanence = get_object_or_404(
        Permanence.objects.visible_for(request.user)
        .filter(lieu__archived_at__isnull=True)
        .select_related("lieu__quartier"),
        pk=pk,
    )
    day = _parse_day(day)
    occurrence = services.occurrence_on(permanence, day)
    context = {"permanence": permanence, "lieu": permanence.lieu, "day": day}
    try:
        services.check_bookable(occurrence)
    except services.BookingError as error:
        context["problem"] = error.message
        return render(request, "permanences/public/unavailable.html", context)
    times = services.free_times(occurrence)
    if not times and request.method != "POST":
        context["problem"] = "Ce créneau est complet. Choisissez un autre jour."
        return render(request, "permanences/public/unavailable.html", context)
    form = BookingForm(data=request.POST or None, times=times)
    guard = PublicPost(request, form, scope="permanences.booking")
    if guard.trapped:
        return guard.decoy()
    if guard.accepts():
        data = form.cleaned_data
        try:
            rendez_vous = services.book(
                permanence=permanence,
                day=day,
                heure=data["heure"],
                nom=data["nom"],
                telephone=data["telephone"],
                email=data["email"],
                besoin=data["besoin"],
                precision=data["precision"],
            )
        except services.BookingError as error:
            times = services.free_times(occurrence)
            form.set_times(times)
            error.add_to(form)
        else:
            return redirect("permanences:booking_done", token=rendez_vous.token)
    context.update({"form": form, "occurrence": occurrence, "times": times})
    return render(request, "permanences/public/book.html", context, status=guard.status)


def _booking_by_token(token):
    return get_object_or_404(
        RendezVous.objects.select_related("creneau__permanence__lieu"), token=token
    )


@public
def booking_done(request, token):
    rendez_vous = _booking_by_token(token)
    response = render(
        request,
        "permanences/public/booking_done.html",
        {"rdv": rendez_vous, "lieu": rendez_vous.creneau.permanence.lieu},
    )
    response["Cache-Control"] = "no-store"
    return response


@public
def booking_cancel(request, token):
    rendez_vous = _booking_by_token(token)
    cancelled_now = False
    if request.method == "POST" and services.can_cancel(rendez_vous):
        services.cancel(rendez_vous=rendez_vous)
        rendez_vous.refresh_from_db()
        cancelled_now = True
    response = render(
        request,
        "permanences/public/booking_cancel.html",
        {
            "rdv": rendez_vous,
            "lieu": rendez_vous.creneau.permanence.lieu,
            "can_cancel": services.can_cancel(rendez_vous),
            "cancelled_now": cancelled_now,
        },
    )
    response["Cache-Control"] = "no-store"
    return response
