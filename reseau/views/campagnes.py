"""Update campaigns: the coordinator opens one, each structure confirms or corrects its record."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from poitiers_inclusion.perms import STAFF, public, role_required

from .. import services
from ..enums import EtatVerification
from ..forms import CampagneForm, LieuUpdateFormSet, StructureUpdateForm
from ..models import Campagne, Verification


def _state_counts(qs):
    pending = Q(resultat="")
    return qs.aggregate(
        a_faire=Count("pk", filter=pending & Q(reminded_at__isnull=True)),
        relancee=Count("pk", filter=pending & Q(reminded_at__isnull=False)),
        confirmee=Count("pk", filter=Q(resultat=EtatVerification.CONFIRMEE)),
        mise_a_jour=Count("pk", filter=Q(resultat=EtatVerification.MISE_A_JOUR)),
    )


@role_required(*STAFF)
def campagne_list(request):
    campagnes = Campagne.objects.visible_for(request.user).annotate(
        nb=Count("verifications"),
        nb_repondu=Count("verifications", filter=~Q(verifications__resultat="")),
    )
    form = CampagneForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        campagne = services.open_campaign(
            titre=form.cleaned_data["titre"],
            message=form.cleaned_data["message"],
            actor=request.user,
        )
        sent = campagne.verifications.exclude(sent_at=None).count()
        messages.success(request, f"Campagne ouverte : {sent} structure(s) ont reçu le lien.")
        return redirect("reseau:campagne_detail", campagne.pk)
    return render(request, "reseau/campagne_list.html", {"campagnes": campagnes, "form": form})


@role_required(*STAFF)
def campagne_detail(request, pk):
    campagne = get_object_or_404(Campagne.objects.visible_for(request.user), pk=pk)
    verifications = campagne.verifications.select_related("structure")
    state = request.GET.get("etat", "")
    if state in EtatVerification.values:
        verifications = verifications.with_state(state)
    return render(
        request,
        "reseau/campagne_detail.html",
        {
            "campagne": campagne,
            "verifications": verifications,
            "counts": _state_counts(campagne.verifications.all()),
            "etat": state,
            "etats": EtatVerification.choices,
        },
    )


@require_POST
@role_required(*STAFF)
def campagne_remind(request, pk):
    campagne = get_object_or_404(Campagne.objects.visible_for(request.user), pk=pk)
    if not campagne.is_open:
        messages.error(request, "Cette campagne est close : aucune relance n'est envoyée.")
    else:
        count = services.send_campaign_reminders(campagne=campagne, actor=request.user)
        messages.success(request, f"{count} relance(s) envoyée(s).")
    return redirect("reseau:campagne_detail", campagne.pk)


@require_POST
@role_required(*STAFF)
def campagne_close(request, pk):
    campagne = get_object_or_404(Campagne.objects.visible_for(request.user), pk=pk)
    if campagne.is_open:
        services.close_campaign(campagne=campagne, actor=request.user)
        messages.success(request, "La campagne est close ; les liens ne fonctionnent plus.")
    return redirect("reseau:campagne_detail", campagne.pk)


@public
def verification(request, token):
    """The page a structure's contact reaches from the campaign e-mail (no account needed)."""
    verification = get_object_or_404(
        Verification.objects.select_related("campagne", "structure"), token=token
    )
    campagne, structure = verification.campagne, verification.structure
    if not campagne.is_open or structure.is_archived:
        return render(
            request, "reseau/verification_closed.html", {"verification": verification}, status=410
        )
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action == "corriger" else None
    form = StructureUpdateForm(data=data, instance=structure)
    lieux_formset = LieuUpdateFormSet(
        data=data, queryset=structure.lieux.active().order_by("nom", "pk"), prefix="lieux"
    )
    if action == "confirmer":
        services.confirm_record(verification=verification)
        return render(request, "reseau/verification_merci.html", {"verification": verification})
    if action == "corriger" and all([form.is_valid(), lieux_formset.is_valid()]):
        services.correct_record(verification=verification, form=form, lieux_formset=lieux_formset)
        return render(request, "reseau/verification_merci.html", {"verification": verification})
    return render(
        request,
        "reseau/verification.html",
        {"verification": verification, "form": form, "lieux_formset": lieux_formset},
    )
