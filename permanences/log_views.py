"""Pages of the médiation log: the conseiller's home, the log form, "Mon activité"."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from poitiers_inclusion import submissions
from poitiers_inclusion.models import Usager
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import role_required

from . import booking, services
from .enums import Thematique
from .filters import MediationFilter
from .log_forms import LogForm, new_token
from .log_initial import default_initial, initial_from_mediation, initial_from_post
from .log_totals import activity_totals
from .models import Accompagnement, Mediation, Permanence
from .perms import LOGGERS

THEME_LABELS = dict(Thematique.choices)
SEARCH_RESULTS = 10


def _labelled(mediations):
    """Readable thématiques for the rows shown (array fields have no get_FOO_display)."""
    for m in mediations:
        m.thematiques_labels = ", ".join(THEME_LABELS.get(t, t) for t in m.thematiques)
        m.nb_accompagnements = len(m.accompagnements.all())
    return mediations


def _with_people(qs):
    return qs.select_related("lieu", "conseiller").prefetch_related(
        Prefetch(
            "accompagnements",
            queryset=Accompagnement.objects.select_related("usager").order_by("pk"),
        )
    )


@role_required(*LOGGERS)
def home(request):
    today = timezone.localdate()
    recent = _labelled(
        list(
            _with_people(Mediation.objects.filter(conseiller=request.user)).order_by(
                "-date", "-created_at"
            )[:5]
        )
    )
    return render(
        request,
        "permanences/home.html",
        {
            "today": today,
            "permanences": Permanence.objects.conseiller_slots(request.user, today),
            "recent": recent,
        },
    )


# Tags the message after a save, so the browser forgets the draft it kept (static/js/drafts.js).
DRAFT_SAVED = submissions.DRAFT_SAVED


def _render_form(request, form, *, mediation=None, duplicate_of=None, search=None, status=200):
    title = "Modifier la médiation" if mediation else "Saisir une médiation"
    remembered = {} if form.is_bound else form.initial.get("remembered_durations") or {}
    kind = form.initial.get("type_activite")
    return render(
        request,
        "permanences/log/form.html",
        {
            "form": form,
            "mediation": mediation,
            "duplicate_of": duplicate_of,
            "title": title,
            "today_slots": Permanence.objects.conseiller_slots(request.user),
            "search": search or {},
            "chosen_usager": form.chosen_usager(),
            "chosen_participants": form.chosen_participants(),
            "remembered_durations": remembered,
            "duration_note": remembered.get(kind, {}).get("note", ""),
        },
        status=status,
    )


def _search_usagers(user, query: str) -> list[Usager]:
    found = Usager.objects.identified().search(query, user).select_related("quartier")
    return list(found[:SEARCH_RESULTS])


def _search_requested(request):
    """The no-JavaScript search: a submit button that shows the form again with results."""
    action = request.POST.get("action", "")
    if action not in ("rechercher_usager", "rechercher_participants"):
        return None
    field = "usager" if action == "rechercher_usager" else "participants"
    results = _search_usagers(request.user, request.POST.get(f"{field}_q", ""))
    return {field: results, f"{field}_done": True}


def _log(request, initial, *, duplicate_of=None):
    if request.method == "POST":
        search = _search_requested(request)
        if search is not None:
            form = LogForm(
                initial=initial_from_post(LogForm, request.POST, user=request.user),
                user=request.user,
            )
            return _render_form(request, form, duplicate_of=duplicate_of, search=search)
    form = LogForm(data=request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        mediation, created = services.record_mediation(
            conseiller=request.user,
            data=form.service_data(),
            submission_token=form.cleaned_data.get("submission_token"),
        )
        if created and form.cleaned_data.get("rendez_vous"):
            booking.attach_mediation(
                rendez_vous_id=form.cleaned_data["rendez_vous"],
                mediation=mediation,
                actor=request.user,
            )
        if not created:
            messages.info(
                request,
                "Cette médiation était déjà enregistrée : la voici.",
                extra_tags=DRAFT_SAVED,
            )
            if Mediation.objects.visible_for(request.user).filter(pk=mediation.pk).exists():
                return redirect("permanences:mediation_edit", pk=mediation.pk)
            return redirect("permanences:activity")
        # The same form sent again leads to this report (poitiers_inclusion/submissions.py).
        submissions.replay_to(request, reverse("permanences:mediation_edit", args=[mediation.pk]))
        people = mediation.accompagnements.count()
        messages.success(
            request,
            f"Médiation du {mediation.date:%d/%m/%Y} enregistrée"
            + (f" ({people} participants)." if people > 1 else "."),
            extra_tags=DRAFT_SAVED,
        )
        if "suivante" in request.POST:
            query = {"date": mediation.date.isoformat(), "type_lieu": mediation.type_lieu}
            if mediation.lieu_id:
                query["lieu"] = mediation.lieu_id
            return redirect(f"{reverse('permanences:log')}?{urlencode(query)}")
        return redirect("permanences:home")
    status = 400 if request.method == "POST" else 200
    return _render_form(request, form, duplicate_of=duplicate_of, status=status)


def _defaults_from_query(request) -> dict:
    lieu = request.GET.get("lieu", "")
    date = request.GET.get("date", "")
    try:
        date = timezone.datetime.fromisoformat(date).date() if date else None
    except ValueError:
        date = None
    return default_initial(
        request.user,
        lieu_id=int(lieu) if lieu.isdigit() else None,
        date=date,
        type_lieu=request.GET.get("type_lieu") or None,
    )


@role_required(*LOGGERS)
def log(request):
    # Defaults matter only to show a fresh form; a POST carries its own values.
    initial = {} if request.method == "POST" else _defaults_from_query(request)
    initial["submission_token"] = new_token()
    if request.method == "GET" and request.GET.get("booking", "").isdigit():
        initial["rendez_vous"] = int(request.GET["booking"])
    return _log(request, initial)


@role_required(*LOGGERS)
def mediation_duplicate(request, pk):
    source = get_object_or_404(Mediation.objects.visible_for(request.user), pk=pk)
    initial = initial_from_mediation(source, duplicate=True)
    initial["submission_token"] = new_token()
    return _log(request, initial, duplicate_of=source)


@role_required(*LOGGERS)
def mediation_edit(request, pk):
    mediation = get_object_or_404(
        Mediation.objects.visible_for(request.user).select_related("lieu", "conseiller"), pk=pk
    )
    if request.method == "POST" and (search := _search_requested(request)) is not None:
        form = LogForm(
            initial=initial_from_post(LogForm, request.POST, user=request.user),
            user=request.user,
        )
        return _render_form(request, form, mediation=mediation, search=search)
    form = LogForm(
        data=request.POST or None, initial=initial_from_mediation(mediation), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        services.update_mediation(mediation=mediation, actor=request.user, data=form.service_data())
        messages.success(
            request, f"La médiation du {form.cleaned_data['date']:%d/%m/%Y} est modifiée."
        )
        return redirect("permanences:activity")
    status = 400 if request.method == "POST" else 200
    return _render_form(request, form, mediation=mediation, status=status)


@role_required(*LOGGERS)
def mediation_delete(request, pk):
    mediation = get_object_or_404(_with_people(Mediation.objects.visible_for(request.user)), pk=pk)
    _labelled([mediation])
    if request.method == "POST":
        services.delete_mediation(mediation=mediation, actor=request.user)
        messages.success(request, f"La médiation du {mediation.date:%d/%m/%Y} est supprimée.")
        return redirect("permanences:activity")
    return render(request, "permanences/log/confirm_delete.html", {"mediation": mediation})


@role_required(*LOGGERS)
def activity(request):
    qs = _with_people(Mediation.objects.visible_for(request.user)).order_by("-date", "-created_at")
    filterset = MediationFilter(request.GET, queryset=qs, user=request.user)
    page, querystring = paginate(request, filterset.qs, 25, by_key=True)
    _labelled(page.object_list)
    # The totals come in a request of their own (htmx, once the list is shown): they read every
    # activity the filters select, the list only a page. Without JavaScript, "totaux=1" asks for
    # them inline.
    inline = bool(request.GET.get("totaux"))
    filters = request.GET.copy()
    for name in ("page", "totaux"):
        filters.pop(name, None)
    return render(
        request,
        "permanences/log/activity.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": querystring,
            "filters": filters.urlencode(),
            "sees_all": request.user.sees_whole_city,
            "totals": activity_totals(filterset, request.user) if inline else None,
        },
    )


@role_required(*LOGGERS)
def activity_totals_part(request):
    """The totals of "Mon activité" for its filters: the fragment the list page asks for.
    Opened directly (not by htmx), the list with its totals inline."""
    if not request.headers.get("HX-Request"):
        query = request.GET.copy()
        query["totaux"] = "1"
        return redirect(f"{reverse('permanences:activity')}?{query.urlencode()}")
    qs = Mediation.objects.visible_for(request.user)
    filterset = MediationFilter(request.GET, queryset=qs, user=request.user)
    return render(
        request,
        "permanences/log/_activity_totals.html",
        {"filter": filterset, "totals": activity_totals(filterset, request.user)},
    )


@role_required(*LOGGERS)
def usager_search(request):
    """Search-as-you-type (htmx): an HTML fragment of choosable usagers."""
    field = "participants" if request.GET.get("field") == "participants" else "usager"
    query = request.GET.get(f"{field}_q", "") or request.GET.get("q", "")
    context = {
        "results": _search_usagers(request.user, query),
        "field": field,
        "query": query,
        "done": len(query.strip()) >= 2,
    }
    if request.headers.get("HX-Request"):
        return render(request, "permanences/log/_usager_results.html", context)
    # Opened directly (not by htmx): a page of its own around the same results.
    return render(request, "permanences/log/usager_search.html", context)
