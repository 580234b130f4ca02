"""Public pages of Ordinateurs solidaires: a company offers computers, and the donor confirms,
by the link of the collection e-mail, what was collected; a donor invited to a ceremony
answers by the link of the invitation.

No account is needed. These pages are reached only by the donation's (or invitation's) token;
every write goes through `ordinateurs.services`.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from poitiers_inclusion.perms import public
from poitiers_inclusion.public_forms import PublicPost

from . import services
from .ceremonie_forms import ReponseInvitationForm
from .dons_forms import DonOfferForm
from .enums import ReponseInvitation, StatutDon
from .models import Don, InvitationCeremonie

OFFER_SESSION_KEY = "ordinateurs_don_offert"


def _no_store(response):
    """Pages reached by a personal link are never kept by a shared browser or a proxy."""
    response["Cache-Control"] = "no-store"
    return response


@public
def don_offer(request):
    form = DonOfferForm(data=request.POST or None)
    guard = PublicPost(request, form, scope="ordinateurs.don_offer")
    if guard.trapped:
        return guard.decoy()
    if guard.accepts():
        data = form.cleaned_data
        try:
            don = services.offer_donation(
                donateur=form.donor_data(),
                nb_annonce=data["nb_annonce"],
                description=data["description"],
                actor=None,
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            # Only what the thank-you page repeats; nothing that identifies the donation.
            request.session[OFFER_SESSION_KEY] = {"nb": don.nb_annonce}
            return redirect("ordinateurs:don_offer_done")
    return render(request, "ordinateurs/public/offer.html", {"form": form}, status=guard.status)


@public
def don_offer_done(request):
    offered = request.session.pop(OFFER_SESSION_KEY, None)
    return _no_store(render(request, "ordinateurs/public/offer_done.html", {"offered": offered}))


@public
def don_confirm(request, token):
    don = get_object_or_404(Don.objects.select_related("donateur"), token=token)
    if don.link_expired(timezone.now()):
        context = {"days": settings.DON_CONFIRMATION_DAYS}
        return _no_store(
            render(request, "ordinateurs/public/link_expired.html", context, status=410)
        )
    problem = ""
    if request.method == "POST":
        if don.statut == StatutDon.COLLECTE:
            try:
                services.confirm_by_donor(don=don)
            except services.OrdinateurError as error:
                problem = error.message
            else:
                return _no_store(redirect("ordinateurs:don_confirm", token=don.token))
        elif don.statut != StatutDon.CONFIRME:
            problem = "Il n'y a rien à confirmer pour ce don."
        don.refresh_from_db()
    context = {"don": don, "donateur": don.donateur, "problem": problem, "StatutDon": StatutDon}
    return _no_store(render(request, "ordinateurs/public/confirm.html", context))


@public
def invitation_ceremonie(request, token):
    invitation = get_object_or_404(
        InvitationCeremonie.objects.select_related("donateur", "ceremonie__lieu"), token=token
    )
    now = timezone.now()
    if invitation.link_expired(now):
        context = {"days": settings.CEREMONIE_INVITATION_DAYS}
        return _no_store(
            render(request, "ordinateurs/public/invitation_expired.html", context, status=410)
        )
    open_ = invitation.answerable(now)
    initial = {"reponse": invitation.reponse, "nb_personnes": invitation.nb_personnes}
    form = ReponseInvitationForm(data=request.POST if open_ else None, initial=initial)
    guard = PublicPost(request, form, scope="ordinateurs.invitation_ceremonie")
    if guard.trapped:
        return guard.decoy()
    if guard.accepts():
        data = form.cleaned_data
        try:
            services.answer_invitation(
                invitation=invitation,
                vient=data["reponse"] == ReponseInvitation.VIENT,
                nb_personnes=data["nb_personnes"],
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            return _no_store(redirect("ordinateurs:invitation_ceremonie", token=invitation.token))
    context = {
        "invitation": invitation,
        "ceremonie": invitation.ceremonie,
        "form": form if open_ else None,
        "foyers": services.households_to_equip(invitation.ceremonie),
        "ReponseInvitation": ReponseInvitation,
    }
    response = render(request, "ordinateurs/public/invitation.html", context, status=guard.status)
    return _no_store(response)
