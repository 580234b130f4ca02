"""The ceremonies of Ordinateurs solidaires: where devices are handed over to households in
public, with the donors invited and the testimonials collected (with the person's consent).
The coordination (coordinateur, admin) runs them; every other role gets a 403.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import audited_form_save
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import STAFF, role_required

from . import services
from .foyers_forms import CeremonieForm, TemoignageForm
from .models import Attribution, Ceremonie, Temoignage

PER_PAGE = 25


@role_required(*STAFF)
def ceremonie_list(request):
    now = timezone.now()
    ceremonies = (
        Ceremonie.objects.visible_for(request.user)
        .select_related("lieu")
        .annotate(
            nb_remis=Count(
                "attributions",
                filter=Q(attributions__handed_over_at__isnull=False),
                distinct=True,
            ),
            nb_donateurs=Count("donateurs", distinct=True),
            nb_temoignages=Count("temoignages", distinct=True),
        )
        .order_by("-date", "-pk")
    )
    page, querystring = paginate(request, ceremonies, PER_PAGE)
    return render(
        request,
        "ordinateurs/foyers/ceremonie_list.html",
        {"page": page, "querystring": querystring, "now": now},
    )


def _ceremonie_form_page(request, form, *, ceremonie=None, label=""):
    if request.method == "POST" and form.is_valid():
        saved = audited_form_save(form, actor=request.user)
        messages.success(request, f"Cérémonie enregistrée : {saved}.")
        return redirect("ordinateurs:ceremonie_detail", pk=saved.pk)
    return render(
        request,
        "ordinateurs/foyers/ceremonie_form.html",
        {
            "form": form,
            "ceremonie": ceremonie,
            "title": f"Modifier la cérémonie : {label}"
            if ceremonie
            else "Nouvelle cérémonie de remise",
        },
    )


@role_required(*STAFF)
def ceremonie_create(request):
    return _ceremonie_form_page(request, CeremonieForm(data=request.POST or None))


@role_required(*STAFF)
def ceremonie_edit(request, pk):
    ceremonie = get_object_or_404(Ceremonie.objects.visible_for(request.user), pk=pk)
    label = str(ceremonie)  # taken before the form writes what was typed on the instance
    form = CeremonieForm(data=request.POST or None, instance=ceremonie)
    return _ceremonie_form_page(request, form, ceremonie=ceremonie, label=label)


@role_required(*STAFF)
def ceremonie_detail(request, pk):
    ceremonie = get_object_or_404(
        Ceremonie.objects.visible_for(request.user)
        .select_related("lieu")
        .prefetch_related("donateurs"),
        pk=pk,
    )
    handed = (
        ceremonie.attributions.filter(handed_over_at__isnull=False, cancelled_at__isnull=True)
        .select_related("ordinateur", "demande__foyer__structure")
        .order_by("handed_over_at", "pk")
    )
    to_hand = (
        Attribution.objects.filter(handed_over_at__isnull=True, cancelled_at__isnull=True)
        .filter(Q(ceremonie__isnull=True) | Q(ceremonie=ceremonie))
        .select_related("ordinateur", "demande__foyer__structure")
        .order_by("proposed_at", "pk")
    )
    uninvited, unreachable = services.uninvited_donors(ceremonie)
    return render(
        request,
        "ordinateurs/foyers/ceremonie_detail.html",
        {
            "ceremonie": ceremonie,
            "handed": list(handed),
            "to_hand": list(to_hand),
            "temoignages": list(ceremonie.temoignages.all()),
            "invitations": list(ceremonie.invitations.select_related("donateur")),
            "uninvited": list(uninvited),
            "unreachable": list(unreachable),
            "foyers": services.households_to_equip(ceremonie),
            "upcoming": ceremonie.date > timezone.now(),
        },
    )


@require_POST
@role_required(*STAFF)
def ceremonie_invite(request, pk):
    """ "Inviter les donateurs": those not yet invited; with `donateur`, that one again
    ("Relancer")."""
    ceremonie = get_object_or_404(Ceremonie.objects.visible_for(request.user), pk=pk)
    donateur = None
    if request.POST.get("donateur"):
        donateur = get_object_or_404(ceremonie.donateurs.all(), pk=request.POST["donateur"])
    try:
        sent = services.invite_donors(ceremonie=ceremonie, actor=request.user, donateur=donateur)
    except services.OrdinateurError as error:
        messages.error(request, error.message)
    else:
        if sent:
            messages.success(
                request, f"Invitation envoyée à {sent} donateur{'s' if sent > 1 else ''}."
            )
        else:
            messages.info(request, "Aucun donateur à inviter : tous ont déjà reçu l'invitation.")
    return redirect("ordinateurs:ceremonie_detail", pk=ceremonie.pk)


@require_POST
@role_required(*STAFF)
def ceremonie_plan(request, pk):
    """A device proposed to a household will be handed over at this ceremony."""
    ceremonie = get_object_or_404(Ceremonie.objects.visible_for(request.user), pk=pk)
    chosen = request.POST.get("attribution", "")
    attribution = (
        Attribution.objects.visible_for(request.user).filter(pk=chosen).first()
        if chosen.isdigit()
        else None
    )
    if attribution is None:
        messages.error(request, "Choisissez, dans la liste, un ordinateur à remettre.")
        return redirect("ordinateurs:ceremonie_detail", pk=ceremonie.pk)
    try:
        services.plan_for_ceremony(attribution=attribution, ceremonie=ceremonie, actor=request.user)
    except services.OrdinateurError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"L'ordinateur {attribution.ordinateur.numero} sera remis lors de cette cérémonie.",
        )
    return redirect("ordinateurs:ceremonie_detail", pk=ceremonie.pk)


@role_required(*STAFF)
def temoignage_create(request, pk):
    ceremonie = get_object_or_404(
        Ceremonie.objects.visible_for(request.user).select_related("lieu"), pk=pk
    )
    form = TemoignageForm(
        data=request.POST or None,
        instance=Temoignage(ceremonie=ceremonie, consent_at=timezone.now()),
    )
    if request.method == "POST" and form.is_valid():
        form.instance.consent_at = timezone.now()
        audited_form_save(form, actor=request.user)
        messages.success(request, "Témoignage enregistré, avec l'accord de la personne.")
        return redirect("ordinateurs:ceremonie_detail", pk=ceremonie.pk)
    return render(
        request,
        "ordinateurs/foyers/temoignage_form.html",
        {"form": form, "ceremonie": ceremonie},
    )
