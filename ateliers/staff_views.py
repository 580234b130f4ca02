"""The team's pages of the workshop path: the sessions, their registrations and attendance,
and the catalogue of parcours and modules.

Who may do what: every conseiller, the coordinator and the admin see the programme and may
register a person; the registrants' names follow `Inscription.objects.visible_for` (a
conseiller sees those of the sessions they facilitate and of the people they follow); taking
attendance, adding a walk-in, changing or cancelling a session need `Seance.editable_by`
(a session's facilitators, the coordinator and the admin): others get a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import audited_form_save
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import STAFF, TEAM, role_required

from . import services
from .enums import CompetencePix, Presence, StatutInscription
from .filters import SeanceFilter
from .forms import (
    ModuleForm,
    ParcoursForm,
    PersonForm,
    PresenceForm,
    SeanceCancelForm,
    SeanceForm,
)
from .models import Inscription, Module, Parcours, Seance
from .staff_listing import ComingThenPast, rows_of

SEARCH_RESULTS = 10
PER_PAGE = 25
PRESENCE_WORDS = {Presence.PRESENT: "présent·e", Presence.ABSENT: "absent·e"}


def _people(inscriptions) -> str:
    return ", ".join(i.usager.full_name or str(i.usager) for i in inscriptions)


def _detail_url(seance_id, anchor=""):
    url = reverse("ateliers:seance_detail", args=[seance_id])
    return f"{url}#{anchor}" if anchor else url


def _editable_seance(request, pk, queryset=None):
    """The session, if the user may change it (facilitator, coordinator, admin); else 403."""
    queryset = queryset if queryset is not None else Seance.objects.all()
    seance = get_object_or_404(queryset.visible_for(request.user), pk=pk)
    if not seance.editable_by(request.user):
        raise PermissionDenied("Seuls les animateurs de la séance et la coordination la gèrent.")
    return seance


# --- Sessions -----------------------------------------------------------------------------------


@role_required(*TEAM)
def seance_list(request):
    today = timezone.localdate()
    sessions = Seance.objects.visible_for(request.user)
    filterset = SeanceFilter(request.GET, queryset=sessions, user=request.user)
    page, querystring = paginate(request, ComingThenPast(filterset.qs, today), PER_PAGE)
    page.object_list = rows = rows_of(page.object_list)
    return render(
        request,
        "ateliers/staff/seance_list.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": querystring,
            "today": today,
            "groups": [
                ("", [s for s in rows if s.date >= today]),
                ("Séances passées", [s for s in rows if s.date < today]),
            ],
        },
    )


def _seance_form_page(request, form, *, seance=None, label="", capacite_before=None):
    title = f"Modifier la séance : {label}" if seance else "Nouvelle séance"
    if request.method == "POST" and form.is_valid():
        saved, promoted = services.save_seance(
            form=form, actor=request.user, capacite_before=capacite_before
        )
        verb = "créée" if seance is None else "enregistrée"
        messages.success(request, f"Séance {verb} : {saved}.")
        if promoted:
            messages.info(
                request,
                f"Places ajoutées : {_people(promoted)} passe{'nt' if len(promoted) > 1 else ''} "
                "de la liste d'attente aux inscrits (prévenus par e-mail s'ils en ont un).",
            )
        return redirect("ateliers:seance_detail", pk=saved.pk)
    return render(
        request,
        "ateliers/staff/seance_form.html",
        {"form": form, "title": title, "label": label, "seance": seance},
    )


@role_required(*TEAM)
def seance_create(request):
    initial = {}
    if request.user.role == Role.CONSEILLER:
        initial["animateurs"] = [request.user.pk]
    if request.GET.get("module", "").isdigit():
        initial["module"] = int(request.GET["module"])
    form = SeanceForm(data=request.POST or None, initial=initial)
    return _seance_form_page(request, form)


@role_required(*TEAM)
def seance_edit(request, pk):
    seance = _editable_seance(request, pk, Seance.objects.select_related("module", "lieu"))
    if seance.is_cancelled:
        messages.error(request, "Cette séance est annulée : elle ne se modifie plus.")
        return redirect("ateliers:seance_detail", pk=seance.pk)
    # Taken before the form writes what was typed on the instance.
    label, capacite_before = str(seance), seance.capacite
    form = SeanceForm(data=request.POST or None, instance=seance)
    return _seance_form_page(
        request, form, seance=seance, label=label, capacite_before=capacite_before
    )


@role_required(*TEAM)
def seance_detail(request, pk):
    seance = get_object_or_404(
        Seance.objects.visible_for(request.user)
        .with_counts()
        .select_related("module__parcours", "lieu")
        .prefetch_related("animateurs"),
        pk=pk,
    )
    editable = seance.editable_by(request.user)
    shown = list(
        Inscription.objects.visible_for(request.user)
        .filter(seance=seance)
        .actives()
        .select_related("usager")
        .order_by("created_at", "pk")
    )
    registered = [i for i in shown if i.statut == StatutInscription.INSCRIT]
    waiting = [i for i in shown if i.statut == StatutInscription.ATTENTE]
    today = timezone.localdate()
    open_ = not seance.is_cancelled
    return render(
        request,
        "ateliers/staff/seance_detail.html",
        {
            "seance": seance,
            "editable": editable,
            "registered": registered,
            "waiting": waiting,
            "hidden": seance.nb_inscrits + seance.nb_attente - len(shown),
            "places_left": max(seance.capacite - seance.nb_inscrits, 0),
            "can_register": open_ and seance.date >= today,
            "can_take_attendance": editable and open_ and seance.date <= today,
            "can_cancel": editable and open_ and not seance.nb_presents,
            "to_call": [i for i in shown if not i.usager.email] if seance.is_cancelled else [],
            "today": today,
            "Presence": Presence,
        },
    )


@role_required(*TEAM)
def seance_cancel(request, pk):
    seance = _editable_seance(request, pk, Seance.objects.select_related("module", "lieu"))
    if seance.is_cancelled:
        messages.info(request, "Cette séance est déjà annulée.")
        return redirect("ateliers:seance_detail", pk=seance.pk)
    form = SeanceCancelForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            told = services.cancel_seance(
                seance=seance, motif=form.cleaned_data["motif"], actor=request.user
            )
        except services.InscriptionError as error:
            error.add_to(form)
        else:
            messages.success(request, "La séance est annulée et n'apparaît plus au programme.")
            if told:
                messages.warning(
                    request,
                    f"{told} personne{'s' if told > 1 else ''} inscrite{'s' if told > 1 else ''} "
                    "ou en attente : celles qui ont une adresse e-mail sont prévenues, "
                    "appelez les autres (liste ci-dessous).",
                )
            return redirect("ateliers:seance_detail", pk=seance.pk)
    active = seance.inscriptions.actives().count()
    return render(
        request,
        "ateliers/staff/seance_cancel.html",
        {"seance": seance, "form": form, "active": active},
    )


# --- Registrations ------------------------------------------------------------------------------


def _person_page(request, pk, *, walk_in):
    """Register a person (or note one who came without registering) for a session."""
    if walk_in:
        seance = _editable_seance(request, pk, Seance.objects.select_related("module", "lieu"))
    else:
        seance = get_object_or_404(
            Seance.objects.visible_for(request.user).select_related("module", "lieu"), pk=pk
        )
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()
    results = list(Usager.objects.identified().search(query, request.user)[:SEARCH_RESULTS])
    already = set(
        seance.inscriptions.actives()
        .filter(usager__in=[u.pk for u in results])
        .values_list("usager_id", flat=True)
    )
    search = {
        "results": results,
        "query": query,
        "done": len(query) >= 2,
        "already": already,
        "walk_in": walk_in,
        "chosen": request.POST.get("usager", ""),
    }
    if request.headers.get("HX-Request"):
        return render(request, "ateliers/staff/_usager_results.html", search)

    today = timezone.localdate()
    if seance.is_cancelled:
        problem = "Cette séance est annulée."
    elif walk_in and seance.date > today:
        problem = "Les personnes venues sans inscription se notent le jour de la séance."
    elif not walk_in and seance.date < today:
        problem = "Cette séance est passée : notez plutôt les personnes venues sans inscription."
    else:
        problem = None
    if problem:
        messages.error(request, problem)
        return redirect("ateliers:seance_detail", pk=seance.pk)

    form = PersonForm(data=request.POST or None, user=request.user, contact_required=not walk_in)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inscription = services.register_person(
                seance=seance,
                usager=data["usager"],
                person={key: data[key] for key in ("first_name", "last_name", "phone", "email")},
                walk_in=walk_in,
                actor=request.user,
            )
        except services.InscriptionError as error:
            error.add_to(form, default="usager" if data["qui"] == PersonForm.EXISTING else None)
        else:
            usager = inscription.usager
            name = usager.full_name or str(usager)
            if walk_in:
                messages.success(request, f"{name} est noté·e présent·e.")
            elif inscription.statut == StatutInscription.ATTENTE:
                messages.warning(
                    request,
                    f"La séance est complète : {name} est sur la liste d'attente. "
                    "Une place libérée lui revient dans l'ordre d'inscription.",
                )
            else:
                messages.success(request, f"{name} est inscrit·e à la séance.")
            return redirect(_detail_url(seance.pk, f"inscription-{inscription.pk}"))
    qui = form["qui"].value() if form.is_bound else None
    return render(
        request,
        "ateliers/staff/person_form.html",
        {
            "seance": seance,
            "form": form,
            "full": services.places_taken(seance) >= seance.capacite,
            "existing_errors": form.is_bound and qui == PersonForm.EXISTING,
            "new_bound": form.is_bound and qui == PersonForm.NEW,
            **search,
        },
    )


@role_required(*TEAM)
def seance_register(request, pk):
    return _person_page(request, pk, walk_in=False)


@role_required(*TEAM)
def seance_walk_in(request, pk):
    return _person_page(request, pk, walk_in=True)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@role_required(*TEAM)
def presence(request, pk):
    """Mark a registered person present or absent (or not noted yet); the page's script posts
    here too and gets JSON back, so taking attendance does not reload the page."""
    inscription = get_object_or_404(
        Inscription.objects.visible_for(request.user).select_related("seance", "usager"), pk=pk
    )
    seance = inscription.seance
    if not seance.editable_by(request.user):
        raise PermissionDenied("Seuls les animateurs de la séance notent les présences.")
    form = PresenceForm(request.POST)
    error = None
    if seance.is_cancelled:
        error = "Cette séance est annulée."
    elif not form.is_valid():
        error = "Présence inconnue."
    else:
        try:
            inscription = services.set_presence(
                inscription=inscription,
                presence=form.cleaned_data["presence"],
                actor=request.user,
            )
        except services.InscriptionError as problem:
            error = problem.message
    name = inscription.usager.full_name or str(inscription.usager)
    if error is None:
        state = PRESENCE_WORDS.get(inscription.presence, "présence à noter")
        message = f"{name} : {state}."
    if _wants_json(request):
        if error:
            return JsonResponse({"error": error}, status=400)
        presents = seance.inscriptions.filter(presence=Presence.PRESENT).count()
        return JsonResponse(
            {"presence": inscription.presence, "message": message, "presents": presents}
        )
    if error:
        messages.error(request, f"{name} : {error}")
    else:
        messages.success(request, message)
    return redirect(_detail_url(seance.pk, f"inscription-{inscription.pk}"))


@require_POST
@role_required(*TEAM)
def inscription_cancel(request, pk):
    """Cancel a registration the user can see (facilitators, coordination, or the conseiller
    who follows the person); the freed place goes to the first person waiting."""
    inscription = get_object_or_404(
        Inscription.objects.visible_for(request.user).select_related("seance", "usager"), pk=pk
    )
    seance = inscription.seance
    name = inscription.usager.full_name or str(inscription.usager)
    try:
        promoted = services.cancel(inscription=inscription, actor=request.user)
    except services.InscriptionError as error:
        messages.error(request, f"{name} : {error.message}")
        return redirect(_detail_url(seance.pk, f"inscription-{inscription.pk}"))
    messages.success(request, f"L'inscription de {name} est annulée.")
    if promoted:
        # Name the people promoted only to whom sees the session's registrants.
        if seance.editable_by(request.user):
            who = _people(promoted)
        else:
            who = "La première personne de la liste d'attente"
        messages.info(
            request,
            f"{who} obtient la place libérée et passe aux inscrits "
            "(prévenu·e par e-mail si une adresse est connue).",
        )
    return redirect("ateliers:seance_detail", pk=seance.pk)


# --- Catalogue: parcours and modules ------------------------------------------------------------


def _competences(module) -> list[str]:
    labels = dict(CompetencePix.choices)
    return [labels.get(code, code) for code in module.competences_pix]


@role_required(*STAFF)
def parcours_list(request):
    modules = Module.objects.order_by("ordre", "titre")
    parcours = list(Parcours.objects.prefetch_related(Prefetch("modules", queryset=modules)))
    loose = list(modules.filter(parcours__isnull=True))
    for module in [m for p in parcours for m in p.modules.all()] + loose:
        module.competences = _competences(module)
    return render(
        request,
        "ateliers/staff/parcours_list.html",
        {"parcours_list": parcours, "loose_modules": loose},
    )


def _catalogue_form_page(request, form, title, *, kind, instance=None):
    if request.method == "POST" and form.is_valid():
        saved = audited_form_save(form, actor=request.user)
        messages.success(request, f"{kind} « {saved} » enregistré.")
        return redirect("ateliers:parcours_list")
    return render(
        request,
        "ateliers/staff/catalogue_form.html",
        {"form": form, "title": title, "object": instance},
    )


@role_required(*STAFF)
def parcours_create(request):
    form = ParcoursForm(data=request.POST or None)
    return _catalogue_form_page(request, form, "Nouveau parcours", kind="Parcours")


@role_required(*STAFF)
def parcours_edit(request, pk):
    parcours = get_object_or_404(Parcours, pk=pk)
    form = ParcoursForm(data=request.POST or None, instance=parcours)
    title = f"Modifier le parcours : {parcours}"
    return _catalogue_form_page(request, form, title, kind="Parcours", instance=parcours)


@role_required(*STAFF)
def module_create(request):
    initial = {}
    if request.GET.get("parcours", "").isdigit():
        initial["parcours"] = int(request.GET["parcours"])
    form = ModuleForm(data=request.POST or None, initial=initial)
    return _catalogue_form_page(request, form, "Nouveau module", kind="Module")


@role_required(*STAFF)
def module_edit(request, pk):
    module = get_object_or_404(Module, pk=pk)
    form = ModuleForm(data=request.POST or None, instance=module)
    title = f"Modifier le module : {module}"
    return _catalogue_form_page(request, form, title, kind="Module", instance=module)
