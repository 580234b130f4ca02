"""Network meetings: schedule, invite, RSVP, attendance, minutes and the report presented."""

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import audited_form_save
from poitiers_inclusion.paging import CappedPaginator
from poitiers_inclusion.perms import STAFF, public, role_required

from .. import panels, services
from ..forms import CompteRenduForm, InvitationForm, ReunionForm, RsvpForm
from ..models import Contact, Invitation, Reunion


def _reunions(user):
    return Reunion.objects.visible_for(user).select_related("lieu")


@role_required(*STAFF)
def reunion_list(request):
    page = CappedPaginator(_reunions(request.user).with_counts().order_by("-date"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "reseau/reunion_list.html", {"page": page})


@role_required(*STAFF)
def reunion_edit(request, pk=None):
    reunion = get_object_or_404(_reunions(request.user), pk=pk) if pk else None
    form = ReunionForm(data=request.POST or None, instance=reunion)
    if request.method == "POST" and form.is_valid():
        if reunion is None:
            form.instance.created_by = request.user
        reunion = audited_form_save(form, actor=request.user)
        messages.success(request, f"La réunion « {reunion.titre} » est enregistrée.")
        return redirect("reseau:reunion_detail", reunion.pk)
    return render(request, "reseau/reunion_form.html", {"form": form, "reunion": reunion})


def _detail_context(reunion, **forms):
    invitations = list(reunion.invitations.select_related("contact__structure"))
    invited = {i.contact_id for i in invitations}
    return {
        "reunion": reunion,
        "invitations": invitations,
        "others": Contact.objects.active().exclude(pk__in=invited).select_related("structure"),
        "nb_presents": sum(i.present for i in invitations),
        "nb_structures": len({i.contact.structure_id for i in invitations if i.present}),
        "invitation_form": forms.get("invitation_form") or InvitationForm(),
        "compte_rendu_form": forms.get("compte_rendu_form") or CompteRenduForm(instance=reunion),
        "panels": panels.reunion_panels(),
    }


@role_required(*STAFF)
def reunion_detail(request, pk):
    reunion = get_object_or_404(_reunions(request.user), pk=pk)
    return render(request, "reseau/reunion_detail.html", _detail_context(reunion))


@require_POST
@role_required(*STAFF)
def reunion_invite(request, pk):
    reunion = get_object_or_404(_reunions(request.user), pk=pk)
    form = InvitationForm(data=request.POST)
    if not form.is_valid():
        return render(
            request,
            "reseau/reunion_detail.html",
            _detail_context(reunion, invitation_form=form),
            status=400,
        )
    count = services.invite(reunion=reunion, contacts=form.contacts(), actor=request.user)
    messages.success(request, f"{count} invitation(s) envoyée(s).")
    return redirect("reseau:reunion_detail", reunion.pk)


@require_POST
@role_required(*STAFF)
def reunion_attendance(request, pk):
    reunion = get_object_or_404(_reunions(request.user), pk=pk)
    ids = [v for v in request.POST.getlist("presents") if v.isdigit()]
    ids += [v for v in request.POST.getlist("autres") if v.isdigit()]
    services.record_attendance(reunion=reunion, present_contact_ids=ids, actor=request.user)
    messages.success(request, "Les présences sont enregistrées.")
    return redirect("reseau:reunion_detail", reunion.pk)


@require_POST
@role_required(*STAFF)
def reunion_compte_rendu(request, pk):
    reunion = get_object_or_404(_reunions(request.user), pk=pk)
    form = CompteRenduForm(data=request.POST, files=request.FILES, instance=reunion)
    if not form.is_valid():
        return render(
            request,
            "reseau/reunion_detail.html",
            _detail_context(reunion, compte_rendu_form=form),
            status=400,
        )
    with transaction.atomic():
        audited_form_save(form, actor=request.user)
    messages.success(request, "Le compte rendu est enregistré.")
    return redirect("reseau:reunion_detail", reunion.pk)


@role_required(*STAFF)
def reunion_rapport(request, pk):
    reunion = get_object_or_404(_reunions(request.user), pk=pk)
    if not reunion.rapport:
        raise Http404("Aucun rapport joint.")
    return FileResponse(
        reunion.rapport.open("rb"),
        as_attachment=True,
        filename=reunion.rapport.name.rsplit("/", 1)[-1],
    )


@public
def rsvp(request, token):
    """The invited person answers from the e-mail link, without an account."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("reunion__lieu", "contact"), token=token
    )
    form = RsvpForm(data=request.POST or None, initial={"reponse": invitation.reponse or None})
    if request.method == "POST" and form.is_valid():
        services.rsvp(invitation=invitation, reponse=form.cleaned_data["reponse"])
        messages.success(request, "Merci, votre réponse est enregistrée.")
        return redirect("reseau:rsvp", token)
    return render(request, "reseau/rsvp.html", {"invitation": invitation, "form": form})
