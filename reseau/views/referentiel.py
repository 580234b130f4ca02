"""Pages to manage the territory's referential: structures, lieux, contacts and quartiers."""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from poitiers_inclusion.audit import audited_form_save, audited_save
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import STAFF, TEAM, role_required

from ..filters import ContactFilter, LieuFilter, StructureFilter
from ..forms import ContactForm, LieuForm, OffreInternetSocialeForm, QuartierForm, StructureForm
from ..models import Contact, Lieu, OffreInternetSociale, Quartier, Structure
from ..referentiel import archive_effects


@dataclass(frozen=True)
class Screen:
    """What differs between the referential's screens: the model, its form, filter and names."""

    model: type
    form: type
    filter: type | None
    name: str  # URL and template prefix
    singular: str
    plural: str
    feminine: bool = False

    def queryset(self, user):
        qs = self.model.objects.all()
        if hasattr(qs, "visible_for"):
            qs = qs.visible_for(user)
        related = {"lieu": ["structure", "quartier"], "contact": ["structure"]}.get(self.name)
        if related:
            qs = qs.select_related(*related)
        if self.name == "structure":
            qs = qs.prefetch_related("quartiers")
        if self.name == "offre":
            qs = qs.prefetch_related("structures")
        return qs


SCREENS = {
    "structure": Screen(
        Structure, StructureForm, StructureFilter, "structure", "structure", "structures", True
    ),
    "lieu": Screen(Lieu, LieuForm, LieuFilter, "lieu", "lieu", "lieux"),
    "contact": Screen(Contact, ContactForm, ContactFilter, "contact", "contact", "contacts"),
    "quartier": Screen(Quartier, QuartierForm, None, "quartier", "quartier", "quartiers"),
    "offre": Screen(
        OffreInternetSociale,
        OffreInternetSocialeForm,
        None,
        "offre",
        "offre sociale internet",
        "offres sociales internet",
        True,
    ),
}


def _list(request, screen: Screen):
    qs = screen.queryset(request.user)
    filterset = screen.filter(request.GET, queryset=qs) if screen.filter else None
    rows = filterset.qs if filterset else qs
    page, querystring = paginate(request, rows, 25)
    return render(
        request,
        f"reseau/{screen.name}_list.html",
        {
            "page": page,
            "filter": filterset,
            "screen": screen,
            "querystring": querystring,
            "awaiting": Lieu.objects.awaiting().count() if screen.model is Lieu else 0,
            "can_edit": request.user.has_role(*STAFF),
        },
    )


def _edit(request, screen: Screen, pk=None):
    instance = get_object_or_404(screen.queryset(request.user), pk=pk) if pk else None
    form = screen.form(data=request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        obj = audited_form_save(form, actor=request.user)
        messages.success(request, f"« {obj} » est enregistré{'e' if screen.feminine else ''}.")
        return redirect(f"reseau:{screen.name}_list")
    return render(
        request, "reseau/object_form.html", {"form": form, "object": instance, "screen": screen}
    )


def _archive(request, screen: Screen, pk):
    """GET: what archiving would affect, and a button to confirm; POST: archive (or restore)."""
    obj = get_object_or_404(screen.queryset(request.user), pk=pk)
    if request.method != "POST":
        return render(
            request,
            "reseau/archive_confirm.html",
            {
                "object": obj,
                "screen": screen,
                "effects": [] if obj.is_archived else archive_effects(obj),
            },
        )
    e = "e" if screen.feminine else ""
    if obj.is_archived:
        obj.restore()
        message = f"« {obj} » est de nouveau actif{'ve' if screen.feminine else ''}."
    else:
        obj.archive()
        message = f"« {obj} » est archivé{e}."
    audited_save(obj, actor=request.user)
    messages.success(request, message)
    return redirect(f"reseau:{screen.name}_list")


@role_required(*STAFF)
def structure_list(request):
    return _list(request, SCREENS["structure"])


@role_required(*STAFF)
def structure_edit(request, pk=None):
    return _edit(request, SCREENS["structure"], pk)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def structure_archive(request, pk):
    return _archive(request, SCREENS["structure"], pk)


@role_required(*STAFF)
def lieu_list(request):
    return _list(request, SCREENS["lieu"])


@role_required(*STAFF)
def lieu_edit(request, pk=None):
    return _edit(request, SCREENS["lieu"], pk)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def lieu_archive(request, pk):
    return _archive(request, SCREENS["lieu"], pk)


@role_required(*STAFF)
def contact_list(request):
    return _list(request, SCREENS["contact"])


@role_required(*STAFF)
def contact_edit(request, pk=None):
    return _edit(request, SCREENS["contact"], pk)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def contact_archive(request, pk):
    return _archive(request, SCREENS["contact"], pk)


@role_required(*STAFF)
def quartier_list(request):
    return _list(request, SCREENS["quartier"])


@role_required(*STAFF)
def quartier_edit(request, pk=None):
    return _edit(request, SCREENS["quartier"], pk)


# Social internet offers: the whole team reads them to point people to one, the coordination
# keeps them up to date.
@role_required(*TEAM)
def offre_list(request):
    return _list(request, SCREENS["offre"])


@role_required(*STAFF)
def offre_edit(request, pk=None):
    return _edit(request, SCREENS["offre"], pk)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def offre_archive(request, pk):
    return _archive(request, SCREENS["offre"], pk)
