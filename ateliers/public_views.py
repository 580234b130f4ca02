"""Public pages of the workshops: the programme, registration, the page reached by the link.

No account is needed. The programme shows no personal data; a registration is reached only by
its secret token (sent by e-mail), and every write goes through `ateliers.services`.
"""

import datetime
from itertools import groupby

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from poitiers_inclusion import ical
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import public
from poitiers_inclusion.public_forms import PublicPost

from . import feeds, services
from . import programme as listing
from .enums import StatutInscription
from .models import Inscription, Seance
from .public_forms import ProgrammeFilter, RegistrationForm

PROGRAMME_PER_PAGE = 100  # more than a city's three months of workshops


def _no_store(response):
    """Pages reached by a personal link are never kept by a shared browser or a proxy."""
    response["Cache-Control"] = "no-store"
    return response


@public
def programme(request):
    now = timezone.localtime()
    today = now.date()
    end = today + datetime.timedelta(days=listing.PROGRAMME_DAYS)
    filterset = ProgrammeFilter(request.GET or None, queryset=listing.period(now, end))
    # A national programme holds thousands of sessions in three months: they come a page at a
    # time, a city's programme on one page. The keys are paged, then the page's rows are read.
    keys = filterset.qs.order_by("date", "start_time", "pk").values_list("pk", flat=True)
    page, querystring = paginate(request, keys, PROGRAMME_PER_PAGE)
    seances = listing.listed(Seance.objects.filter(pk__in=list(page.object_list)), now)
    months = [
        {"label": date_format(first, "F Y").capitalize(), "seances": list(items)}
        for first, items in groupby(seances, key=lambda s: s.date.replace(day=1))
    ]
    return render(
        request,
        "ateliers/public/programme.html",
        {
            "filter": filterset,
            "filtered": filterset.is_bound and any(request.GET.get(f) for f in filterset.filters),
            "months": months,
            "page": page,
            "querystring": querystring,
            "start": today,
            "end": end,
            "tomorrow": today + datetime.timedelta(days=1),
        },
    )


@public
@require_GET
def calendar(request):
    """Every session of the programme, as a calendar residents and partners subscribe to."""
    now = timezone.localtime()
    events = feeds.seance_events(
        listing.listed(listing.period(now), now, fields=listing.FEED_FIELDS)
    )
    name = f"Ateliers numériques — {settings.CITY_NAME}"
    return ical.calendar_response(name, events, filename="ateliers.ics")


def _public_seance(pk) -> Seance:
    return get_object_or_404(
        Seance.objects.with_counts().select_related("module__parcours", "lieu__quartier"), pk=pk
    )


@public
def register_public(request, pk):
    seance = _public_seance(pk)
    now = timezone.now()
    context = {"seance": seance, "lieu": seance.lieu}
    problem = listing.closed_reason(seance, now)
    if problem:
        context["problem"] = problem
        return render(request, "ateliers/public/unavailable.html", context)
    full = seance.nb_inscrits >= seance.capacite
    form = RegistrationForm(data=request.POST or None, seance=seance)
    guard = PublicPost(request, form, scope="ateliers.registration")
    if guard.trapped:
        return guard.decoy()
    if guard.accepts():
        data = form.cleaned_data
        usager = services.find_or_create_person(
            first_name=data["prenom"],
            last_name=data["nom"],
            phone=data["telephone"],
            email=data["email"],
            actor=None,
        )
        try:
            services.register_online(seance=seance, usager=usager)
        except services.InscriptionError as error:
            error.add_to(form)
        else:
            # The same page whether or not the person was registered already (see services).
            context.update({"full": full, "has_email": bool(data["email"])})
            return render(request, "ateliers/public/received.html", context)
    context.update(
        {"form": form, "full": full, "places_left": max(seance.capacite - seance.nb_inscrits, 0)}
    )
    return render(request, "ateliers/public/register.html", context, status=guard.status)


def _inscription_by_token(token) -> Inscription:
    return get_object_or_404(
        Inscription.objects.select_related("seance__module", "seance__lieu", "usager"),
        token=token,
    )


def _waiting_rank(inscription: Inscription) -> int | None:
    """1 for the first person waiting: places are given in this order (see services)."""
    if inscription.statut != StatutInscription.ATTENTE:
        return None
    ahead = inscription.seance.inscriptions.filter(statut=StatutInscription.ATTENTE).filter(
        Q(created_at__lt=inscription.created_at)
        | Q(created_at=inscription.created_at, pk__lt=inscription.pk)
    )
    return ahead.count() + 1


def _can_cancel(inscription: Inscription, now) -> bool:
    seance = inscription.seance
    return (
        inscription.statut != StatutInscription.ANNULE
        and not inscription.presence
        and not seance.is_cancelled
        and seance.date >= timezone.localdate(now)
    )


@public
def registered(request, token):
    inscription = _inscription_by_token(token)
    context = {
        "inscription": inscription,
        "seance": inscription.seance,
        "lieu": inscription.seance.lieu,
        "rank": _waiting_rank(inscription),
        "can_cancel": _can_cancel(inscription, timezone.now()),
        "has_email": bool(inscription.usager.email),
    }
    return _no_store(render(request, "ateliers/public/registered.html", context))


@public
def cancel_public(request, token):
    inscription = _inscription_by_token(token)
    now = timezone.now()
    was_waiting = inscription.statut == StatutInscription.ATTENTE
    cancelled_now, problem = False, ""
    if request.method == "POST" and _can_cancel(inscription, now):
        try:
            services.cancel(inscription=inscription, actor=None, now=now)
        except services.InscriptionError as error:
            problem = error.message
        else:
            cancelled_now = True
        inscription.refresh_from_db()
    context = {
        "inscription": inscription,
        "seance": inscription.seance,
        "lieu": inscription.seance.lieu,
        "was_waiting": was_waiting,
        "can_cancel": _can_cancel(inscription, now),
        "cancelled_now": cancelled_now,
        "problem": problem,
    }
    return _no_store(render(request, "ateliers/public/cancel.html", context))
