"""Orientations between structures, and the prescripteur's home page."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import audited_form_save, log_event, log_view
from poitiers_inclusion.enums import Role
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import public, role_required

from .. import services
from ..enums import EtatOrientation
from ..filters import OrientationFilter
from ..forms import OrientationForm, ReponseOrientationForm, StructureForm
from ..models import Orientation, Structure
from ..perms import ORIENTEURS


def _orientations(user):
    return Orientation.objects.visible_for(user).select_related(
        "structure_origine", "structure_destination", "created_by"
    )


@role_required(Role.PRESCRIPTEUR)
def home_prescripteur(request):
    user = request.user
    visible = _orientations(user)
    return render(
        request,
        "reseau/home_prescripteur.html",
        {
            "structure": user.structure,
            "a_traiter": Orientation.objects.answerable_by(user).select_related(
                "structure_origine"
            ),
            "envoyees": visible.filter(structure_origine_id=user.structure_id)[:10],
        },
    )


@role_required(Role.PRESCRIPTEUR)
def ma_structure(request):
    structure = get_object_or_404(
        Structure.objects.editable_by(request.user), pk=request.user.structure_id
    )
    form = StructureForm(data=request.POST or None, instance=structure)
    if request.method == "POST" and form.is_valid():
        audited_form_save(form, actor=request.user)
        messages.success(request, "La fiche de votre structure est à jour. Merci !")
        return redirect("reseau:home_prescripteur")
    return render(request, "reseau/ma_structure.html", {"form": form, "structure": structure})


@role_required(*ORIENTEURS)
def orientation_list(request):
    filterset = OrientationFilter(
        request.GET, queryset=_orientations(request.user), request=request
    )
    if request.user.role != Role.PRESCRIPTEUR:
        del filterset.form.fields["sens"]
    page, querystring = paginate(request, filterset.qs, 25)
    return render(
        request,
        "reseau/orientation_list.html",
        {"filter": filterset, "page": page, "querystring": querystring},
    )


# The submit button that re-sorts the structures for the need chosen, without sending.
REFRESH = "mettre_a_jour_liste"
# What the address may carry: the choice of a need and a structure, never the person.
_CHOOSING = ("besoin", "structure_destination")


def _as_typed(data, names=None) -> dict:
    return {
        name: value
        for name, value in data.items()
        if (names is None or name in names) and name not in ("csrfmiddlewaretoken", REFRESH)
    }


@role_required(*ORIENTEURS)
def orientation_create(request):
    if request.user.role == Role.PRESCRIPTEUR and not request.user.structure_id:
        raise Http404
    if request.method == "POST" and REFRESH in request.POST:
        # "Mettre à jour la liste" (without JavaScript): the same form again, as typed, with the
        # structures sorted for the need chosen; nothing checked nor sent yet.
        form = OrientationForm(initial=_as_typed(request.POST), user=request.user)
    elif request.method == "POST":
        form = OrientationForm(data=request.POST, files=request.FILES or None, user=request.user)
    else:
        form = OrientationForm(initial=_as_typed(request.GET, _CHOOSING), user=request.user)
        if request.headers.get("HX-Request"):
            # The need changed (htmx): only the list of structures, rendered here.
            return render(request, "reseau/includes/orientation_destination.html", {"form": form})
    if request.method == "POST" and form.is_bound and form.is_valid():
        orientation = services.send_orientation(form=form, actor=request.user)
        messages.success(
            request,
            f"Orientation envoyée à {orientation.structure_destination} ; "
            "vous serez prévenu(e) de sa réponse.",
        )
        return redirect("reseau:orientation_detail", orientation.pk)
    return render(
        request,
        "reseau/orientation_form.html",
        {"form": form, "expiry_days": settings.ORIENTATION_EXPIRY_DAYS},
    )


@role_required(*ORIENTEURS)
def orientation_detail(request, pk):
    orientation = get_object_or_404(_orientations(request.user), pk=pk)
    if not orientation.anonymised_at:
        log_view(actor=request.user, target=orientation)
    can_answer = Orientation.objects.answerable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "reseau/orientation_detail.html",
        {
            "orientation": orientation,
            "can_answer": can_answer,
            "form": ReponseOrientationForm() if can_answer else None,
        },
    )


@require_POST
@role_required(*ORIENTEURS)
def orientation_answer(request, pk):
    orientation = get_object_or_404(_orientations(request.user), pk=pk)
    if orientation.is_overdue:
        messages.error(request, "Le délai de réponse est dépassé : cette orientation a expiré.")
        return redirect("reseau:orientation_detail", pk)
    if not Orientation.objects.answerable_by(request.user).filter(pk=pk).exists():
        messages.error(request, "Cette orientation n'attend pas de réponse de votre part.")
        return redirect("reseau:orientation_detail", pk)
    form = ReponseOrientationForm(data=request.POST)
    if not form.is_valid():
        return render(
            request,
            "reseau/orientation_detail.html",
            {"orientation": orientation, "can_answer": True, "form": form},
            status=400,
        )
    accept = form.cleaned_data["decision"] == ReponseOrientationForm.ACCEPT
    try:
        services.answer_orientation(
            orientation=orientation,
            accept=accept,
            motif=form.cleaned_data["motif"],
            actor=request.user,
        )
    except ValueError as error:  # answered or expired meanwhile
        messages.error(request, str(error))
        return redirect("reseau:orientation_detail", pk)
    label = EtatOrientation.VALIDEE.label if accept else EtatOrientation.REFUSEE.label
    messages.success(
        request, f"Orientation {label.lower()} ; la structure qui oriente est prévenue."
    )
    return redirect("reseau:orientation_detail", pk)


@role_required(*ORIENTEURS)
def orientation_piece_jointe(request, pk):
    orientation = get_object_or_404(_orientations(request.user), pk=pk)
    if not orientation.piece_jointe:
        raise Http404("Aucune pièce jointe.")
    log_view(actor=request.user, target=orientation)
    return FileResponse(
        orientation.piece_jointe.open("rb"),
        as_attachment=True,
        filename=orientation.piece_jointe.name.rsplit("/", 1)[-1],
    )


@public
@never_cache
def orientation_reponse(request, token):
    """The answer page of a receiving structure without an account, reached from the link
    e-mailed to its address; the link works until the orientation is answered or expires."""
    orientation = get_object_or_404(
        Orientation.objects.select_related("structure_origine", "structure_destination"),
        answer_token=token,
    )
    if not orientation.is_answerable:
        return render(
            request,
            "reseau/orientation_reponse_close.html",
            {"orientation": orientation},
            status=410,
        )
    form = ReponseOrientationForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == ReponseOrientationForm.ACCEPT
        try:
            orientation = services.answer_orientation(
                orientation=orientation,
                accept=accept,
                motif=form.cleaned_data["motif"],
                actor=None,
                by_link=True,
            )
        except ValueError:  # answered or expired between the page and the click
            orientation.refresh_from_db()
            return render(
                request,
                "reseau/orientation_reponse_close.html",
                {"orientation": orientation},
                status=410,
            )
        return render(
            request, "reseau/orientation_reponse_merci.html", {"orientation": orientation}
        )
    # Someone without an account sees the person's details: the log keeps it, as for a login.
    log_event(
        actor=None,
        action="reseau.orientation.viewed",
        target=orientation,
        changes={"canal": "lien"},
    )
    return render(
        request,
        "reseau/orientation_reponse.html",
        {"orientation": orientation, "form": form},
        status=400 if form.errors else 200,
    )
