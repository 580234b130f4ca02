"""Pages of the drop-in schedule: the coordinator's planning, the public schedule and booking,
the conseiller's agenda of the day and the attendance figures.
"""

import datetime
from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import audited_delete, audited_form_save, audited_save
from poitiers_inclusion.enums import Role
from poitiers_inclusion.exports import table_response
from poitiers_inclusion.perms import STAFF, TEAM, public, role_required
from poitiers_inclusion.public_forms import PublicPost

from . import booking as services
from .figures import attendance as figures
from .models import Fermeture, Mediation, Permanence, RendezVous, StatutRendezVous
from .schedule_forms import (
    AgendaForm,
    AttendanceForm,
    BeforeAfterForm,
    BookingForm,
    CompareForm,
    EndPermanenceForm,
    ExtraSlotForm,
    FermetureForm,
    PermanenceForm,
    PublicScheduleFilter,
    ScheduleFilter,
)

PUBLIC_WEEKS = 3


def _parse_day(value: str) -> datetime.date:
    try:
        day = parse_date(value or "")
    except ValueError:
        day = None
    if day is None:
        raise Http404("Date inconnue.")
    return day


# --- Coordinator: the planning ------------------------------------------------------------------


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
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
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


# --- Public: the schedule and booking -----------------------------------------------------------


@public
def public_schedule(request):
    today = timezone.localdate()
    end = today + datetime.timedelta(weeks=PUBLIC_WEEKS) - datetime.timedelta(days=1)
    form = PublicScheduleFilter(request.GET or None)
    quartier = form.cleaned_data["quartier"] if form.is_valid() else None
    upcoming = services.public_occurrences(today, end, quartier=quartier)
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
    return render(
        request,
        "permanences/public/schedule.html",
        {
            "form": form,
            "quartiers": quartiers,
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


# --- The conseiller's agenda --------------------------------------------------------------------


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
    if request.user.role == Role.CONSEILLER:
        permanences = permanences.filter(conseillers=request.user)
    items = services.occurrences(permanences, day, day)
    bookings = (
        RendezVous.objects.visible_for(request.user)
        .filter(creneau__date=day, creneau__permanence__in=[o.permanence.pk for o in items])
        .select_related("creneau")
        .order_by("heure")
    )
    for o in items:
        o.rendez_vous = [b for b in bookings if b.creneau.permanence_id == o.permanence.pk]
        o.booked = sum(1 for b in o.rendez_vous if b.is_active)
    return render(
        request,
        "permanences/schedule/agenda.html",
        {
            "form": form,
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


# --- Attendance ---------------------------------------------------------------------------------


def _default_period(permanences) -> tuple[datetime.date, datetime.date]:
    """Twelve months up to the last day with visits (today at most), so the page is never blank."""
    today = timezone.localdate()
    last = (
        Mediation.objects.filter(permanence__in=permanences, date__lte=today).aggregate(
            last=Max("date")
        )["last"]
        or today
    )
    return figures.add_months(last, -12) + datetime.timedelta(days=1), last


def _latest_move(permanences) -> datetime.date:
    """The last day a permanence opened or closed: the natural pivot of a before/after view."""
    today = timezone.localdate()
    dates = [p.valid_from for p in permanences if p.valid_from <= today and not p.is_one_off]
    dates += [
        p.valid_until + datetime.timedelta(days=1)
        for p in permanences
        if p.valid_until and p.valid_until < today and not p.is_one_off
    ]
    starts = sorted(set(dates))
    return starts[-1] if len(starts) > 1 else today


ATTENDANCE_COLUMNS = [
    "Créneaux tenus",
    "Créneaux fermés",
    "Passages",
    "Passages par créneau",
    "Usagers uniques",
    "Créneaux vides (%)",
]
ATTENDANCE_EXPORTS = {
    "lieux": (
        "Fréquentation par lieu",
        ["Lieu", "Quartier", *ATTENDANCE_COLUMNS, "Très peu fréquenté"],
    ),
    "permanences": ("Fréquentation par permanence", ["Permanence", *ATTENDANCE_COLUMNS]),
    "mois": ("Fréquentation par mois", ["Mois", *ATTENDANCE_COLUMNS]),
}


def _attendance_export(request, start, end, quartier, lieux, by_permanence, months):
    """One of the page's tables as CSV or Excel, its period and quartier written above it."""
    key = request.GET["export"]
    title, columns = ATTENDANCE_EXPORTS[key]

    def numbers(s):
        return [s.slots, s.closed, s.visits, s.visits_per_slot, s.usagers, s.empty_share]

    rows = {
        "lieux": (
            [
                s.label,
                str(s.extra["lieu"].quartier or ""),
                *numbers(s),
                "oui" if s.extra.get("far_below") else "",
            ]
            for s in lieux
        ),
        "permanences": ([s.label, *numbers(s)] for s in by_permanence),
        "mois": ([f"{s.extra['month']:%m/%Y}", *numbers(s)] for s in months),
    }[key]
    filters = [("Période", f"du {start:%d/%m/%Y} au {min(end, timezone.localdate()):%d/%m/%Y}")]
    if quartier:
        filters.append(("Quartier", str(quartier)))
    preamble = [[title], *[[label, value] for label, value in filters]]
    name = f"frequentation-{key}-{timezone.localdate():%Y%m%d}"
    return table_response(request.GET.get("format"), name, title, columns, rows, preamble)


@role_required(*STAFF)
def attendance(request):
    all_permanences = list(Permanence.objects.select_related("lieu__quartier"))
    form = AttendanceForm(request.GET or None)
    start, end = _default_period(all_permanences)
    quartier = None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        quartier = form.cleaned_data["quartier"]
    permanences = [
        p for p in all_permanences if quartier is None or p.lieu.quartier_id == quartier.pk
    ]
    data = figures.Attendance(permanences, start, end)
    lieux = data.by_lieu()
    by_permanence = data.by_permanence()
    months = data.by_month()
    if request.GET.get("export") in ATTENDANCE_EXPORTS:
        return _attendance_export(request, start, end, quartier, lieux, by_permanence, months)

    focus = None
    if request.GET.get("permanence", "").isdigit():
        wanted = int(request.GET["permanence"])
        focus = next((p for p in all_permanences if p.pk == wanted), None)
    focus_slots = [row for row in data.slots() if focus and row[0].permanence.pk == focus.pk]

    initial_pivot = _latest_move(all_permanences)
    ba_form = BeforeAfterForm(
        request.GET if "pivot" in request.GET else None,
        initial={"pivot": initial_pivot, "months": 6},
    )
    before_after = None
    if ba_form.is_valid():
        chosen = all_permanences
        if ba_form.cleaned_data["ba_lieu"]:
            chosen = [p for p in chosen if p.lieu_id == ba_form.cleaned_data["ba_lieu"].pk]
        if ba_form.cleaned_data["ba_quartier"]:
            q = ba_form.cleaned_data["ba_quartier"].pk
            chosen = [p for p in chosen if p.lieu.quartier_id == q]
        before_after = figures.before_after(
            chosen, ba_form.cleaned_data["pivot"], ba_form.cleaned_data["months"]
        )
    compare_form = CompareForm(request.GET if "first" in request.GET else None)
    compared = None
    if compare_form.is_valid():
        first, second = compare_form.cleaned_data["first"], compare_form.cleaned_data["second"]
        compared = [
            figures.Attendance([p], p.valid_from, p.valid_until or end).total(str(p))
            for p in (first, second)
        ]
    return render(
        request,
        "permanences/attendance/attendance.html",
        {
            "form": form,
            # The page's period and quartier, so that an export gives what is on screen.
            "export_query": "".join(
                f"{urlencode({name: request.GET[name]})}&"
                for name in ("start", "end", "quartier")
                if request.GET.get(name)
            ),
            "start": start,
            "end": min(end, timezone.localdate()),
            "total": data.total(),
            "lieux": lieux,
            "permanences": by_permanence,
            "months": months,
            "max_lieu": max((s.visits_per_slot or 0 for s in lieux), default=0),
            "max_permanence": max((s.visits_per_slot or 0 for s in by_permanence), default=0),
            "max_month": max((s.visits for s in months), default=0),
            "median": lieux[0].extra.get("median") if lieux else None,
            "focus": focus,
            "focus_slots": focus_slots,
            "ba_form": ba_form,
            "before_after": before_after,
            "compare_form": compare_form,
            "compared": compared,
            "years": sorted(
                {
                    d.year
                    for d in Mediation.objects.filter(permanence__isnull=False).dates(
                        "date", "year"
                    )
                }
            ),
        },
    )
