"""Households' pages of Ordinateurs solidaires: referring a household, the requests and the
waiting list, the coordination's decisions, allocating and handing over a device (with its
printable receipt); the ceremonies and testimonials are in `ceremonie_views`.

Who may do what: a prescripteur refers households for their own structure and follows its
requests only (`Demande.objects.visible_for`: another structure's request is a 404), completes
a request the coordination found incomplete, and prints the receipt of a device handed over to
one of its households. The coordination (coordinateur, admin) sees every request, decides,
allocates devices, hands them over and runs the ceremonies. Technicians and conseillers have no
access to households (403). Every write goes through `services` or `foyers_services`, so it
is logged.
"""

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from poitiers_inclusion import pdf
from poitiers_inclusion.models import AuditEvent
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import STAFF, role_required

from . import documents, foyers_services, notifications, services
from .enums import ResultatEffacement, StatutDemande
from .foyers_forms import (
    DecisionForm,
    DemandeFilter,
    FoyerForm,
    HandOverForm,
    ProposeForm,
    ReferralForm,
    WithdrawForm,
    decision_choices,
)
from .models import Attribution, Ceremonie, Demande, Effacement
from .perms import FOYER_ROLES

PER_PAGE = 25
WAITING_SHOWN = 10
STATUS_CHANGED = "ordinateurs.demande.status_changed"
# Statuses whose motif the structure must read (what is missing, why it was refused).
MOTIF_SHOWN = (StatutDemande.INCOMPLETE, StatutDemande.REFUSEE)


def _demandes(user):
    return Demande.objects.visible_for(user).select_related("foyer__structure", "foyer__quartier")


def _attributions(user):
    return Attribution.objects.filter(demande__in=Demande.objects.visible_for(user))


# --- Requests -----------------------------------------------------------------------------------


@role_required(*FOYER_ROLES)
def demande_list(request):
    user = request.user
    visible = _demandes(user)
    filterset = DemandeFilter(request.GET, queryset=visible, user=user)
    rows = filterset.qs
    form = filterset.form
    # `errors` validates the form; a wrong value in another filter keeps the serving order.
    serving_order = "statut" not in form.errors and (
        form.cleaned_data.get("statut") == StatutDemande.LISTE_ATTENTE
    )
    if serving_order:  # the waiting list, in the order it is served
        rows = rows.order_by("priorite", "waitlisted_at", "pk")
    page, querystring = paginate(request, rows, PER_PAGE)
    counts = dict(
        Demande.objects.visible_for(user)
        .order_by()
        .values_list("statut")
        .annotate(n=Count("pk"))
        .values_list("statut", "n")
    )
    waiting = []
    if user.sees_whole_city:
        waiting = list(
            Demande.objects.waiting_list().select_related("foyer__structure", "foyer__quartier")[
                :WAITING_SHOWN
            ]
        )
    return render(
        request,
        "ordinateurs/foyers/demande_list.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": querystring,
            "serving_order": serving_order,
            "status_counts": [
                (value, label, counts.get(value, 0)) for value, label in StatutDemande.choices
            ],
            "total": sum(counts.values()),
            "waiting": waiting,
            "waiting_total": counts.get(StatutDemande.LISTE_ATTENTE, 0),
            "coordination": user.sees_whole_city,
            "MOTIF_SHOWN": MOTIF_SHOWN,
            "StatutDemande": StatutDemande,
        },
    )


@role_required(*FOYER_ROLES)
def demande_create(request):
    user = request.user
    coordination = user.sees_whole_city
    form = ReferralForm(data=request.POST or None, choose_structure=coordination)
    if request.method == "POST" and form.is_valid():
        structure = form.cleaned_data["structure"] if coordination else user.structure
        try:
            demande = services.refer_household(
                structure=structure,
                foyer={**form.household(), "consent_at": timezone.now()},
                besoin=form.cleaned_data["besoin"],
                actor=user,
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                f"Demande transmise. Le foyer porte le code {demande.foyer.code} : notez-le "
                "dans votre dossier, c'est ainsi qu'il est connu du programme.",
            )
            return redirect("ordinateurs:demande_detail", pk=demande.pk)
    return render(
        request,
        "ordinateurs/foyers/demande_form.html",
        {"form": form, "title": "Orienter un foyer vers Ordinateurs solidaires", "demande": None},
    )


def _waiting_rank(demande) -> int | None:
    if demande.statut != StatutDemande.LISTE_ATTENTE:
        return None
    ahead = Demande.objects.waiting_list().filter(
        Q(priorite__lt=demande.priorite)
        | Q(priorite=demande.priorite, waitlisted_at__lt=demande.waitlisted_at)
        | Q(priorite=demande.priorite, waitlisted_at=demande.waitlisted_at, pk__lt=demande.pk)
    )
    return ahead.count() + 1


@role_required(*FOYER_ROLES)
def demande_detail(request, pk):
    user = request.user
    demande = get_object_or_404(_demandes(user).select_related("created_by"), pk=pk)
    history = (
        AuditEvent.objects.for_object(demande)
        .filter(action=STATUS_CHANGED)
        .select_related("actor")
        .order_by("at", "pk")
    )
    steps = []
    for event in history:
        before, after = (event.changes.get("statut") or ["", ""])[:2]
        steps.append(
            {
                "at": event.at,
                "before": _status_label(before),
                "after": _status_label(after),
                "actor": event.actor,
            }
        )
    attributions = list(
        demande.attributions.select_related("ordinateur", "ceremonie").order_by("-proposed_at")
    )
    current = next((a for a in attributions if a.cancelled_at is None), None)
    coordination = user.sees_whole_city
    return render(
        request,
        "ordinateurs/foyers/demande_detail.html",
        {
            "demande": demande,
            "foyer": demande.foyer,
            "steps": steps,
            "current": current,
            "withdrawn": [a for a in attributions if a.cancelled_at is not None],
            "rank": _waiting_rank(demande),
            "coordination": coordination,
            "can_decide": coordination
            and demande.statut != StatutDemande.PROPOSEE
            and bool(decision_choices(demande)),
            "can_propose": coordination and demande.statut == StatutDemande.LISTE_ATTENTE,
            "can_complete": demande.statut == StatutDemande.INCOMPLETE,
            "motif_shown": demande.statut in MOTIF_SHOWN and demande.motif,
            "StatutDemande": StatutDemande,
        },
    )


def _status_label(value: str) -> str:
    try:
        return StatutDemande(value).label
    except ValueError:
        return value or "—"


def _action_page(request, demande, form, *, title, template, **extra):
    return render(
        request,
        f"ordinateurs/foyers/{template}.html",
        {"demande": demande, "foyer": demande.foyer, "form": form, "title": title, **extra},
    )


def _decided(demande) -> str:
    said = f"Demande du foyer {demande.foyer.code} : {demande.get_statut_display().lower()}"
    if demande.statut == StatutDemande.LISTE_ATTENTE:
        said += (
            f", priorité {demande.get_priorite_display().lower()}, rang {_waiting_rank(demande)}"
        )
        return f"{said}. {notifications.partner_informed(demande)}"
    return said + "."


@role_required(*STAFF)
def demande_decide(request, pk):
    demande = get_object_or_404(_demandes(request.user), pk=pk)
    if demande.statut == StatutDemande.PROPOSEE or not decision_choices(demande):
        messages.error(
            request,
            "Aucune décision n'est possible pour cette demande"
            + (
                " : un ordinateur lui est proposé, remettez-le ou retirez la proposition."
                if demande.statut == StatutDemande.PROPOSEE
                else " : elle est close."
            ),
        )
        return redirect("ordinateurs:demande_detail", pk=demande.pk)
    form = DecisionForm(data=request.POST or None, demande=demande)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demande = services.decide(
                demande=demande,
                statut=data["statut"],
                motif=data["motif"],
                priorite=data["priorite"],
                actor=request.user,
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            messages.success(request, _decided(demande))
            return redirect("ordinateurs:demande_detail", pk=demande.pk)
    return _action_page(
        request,
        demande,
        form,
        title=f"Décider de la demande du foyer {demande.foyer.code}",
        template="demande_decide",
    )


@role_required(*STAFF)
def demande_propose(request, pk):
    demande = get_object_or_404(_demandes(request.user), pk=pk)
    if demande.statut != StatutDemande.LISTE_ATTENTE:
        messages.error(request, "Seule une demande en liste d'attente reçoit un ordinateur.")
        return redirect("ordinateurs:demande_detail", pk=demande.pk)
    form = ProposeForm(data=request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            attribution = services.propose(
                demande=demande, ordinateur=form.cleaned_data["ordinateur"], actor=request.user
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                f"L'ordinateur {attribution.ordinateur.numero} est réservé pour le foyer "
                f"{demande.foyer.code}. {notifications.partner_told(demande)}",
            )
            return redirect("ordinateurs:demande_detail", pk=demande.pk)
    return _action_page(
        request,
        demande,
        form,
        title=f"Proposer un ordinateur au foyer {demande.foyer.code}",
        template="demande_propose",
        nb_available=form.fields["ordinateur"].queryset.count(),
    )


@role_required(*FOYER_ROLES)
def demande_edit(request, pk):
    """The structure completes a request the coordination found incomplete; it is then
    submitted again."""
    demande = get_object_or_404(_demandes(request.user), pk=pk)
    if demande.statut != StatutDemande.INCOMPLETE:
        messages.error(request, "Seule une demande incomplète se complète.")
        return redirect("ordinateurs:demande_detail", pk=demande.pk)
    foyer = demande.foyer
    form = FoyerForm(data=request.POST or None, instance=foyer, initial={"besoin": demande.besoin})
    if request.method == "POST" and form.is_valid():
        try:
            foyers_services.complete_request(
                demande=demande,
                foyer_form=form,
                besoin=form.cleaned_data["besoin"],
                actor=request.user,
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                f"Demande du foyer {foyer.code} complétée : elle est de nouveau soumise "
                "à la coordination.",
            )
            return redirect("ordinateurs:demande_detail", pk=demande.pk)
    return render(
        request,
        "ordinateurs/foyers/demande_form.html",
        {"form": form, "title": f"Compléter la demande du foyer {foyer.code}", "demande": demande},
    )


# --- Allocation and hand-over -------------------------------------------------------------------


def _live_attribution(request, pk):
    attribution = get_object_or_404(
        _attributions(request.user).select_related(
            "ordinateur", "demande__foyer__structure", "ceremonie"
        ),
        pk=pk,
    )
    if attribution.cancelled_at or attribution.handed_over_at:
        messages.error(request, "Cette attribution est déjà close.")
        return attribution, redirect("ordinateurs:demande_detail", pk=attribution.demande_id)
    return attribution, None


@role_required(*STAFF)
def attribution_hand_over(request, pk):
    attribution, closed = _live_attribution(request, pk)
    if closed:
        return closed
    initial = {}
    if request.GET.get("ceremonie", "").isdigit():
        ceremonie = Ceremonie.objects.filter(pk=int(request.GET["ceremonie"])).first()
        if ceremonie is not None:
            initial = {"ceremonie": ceremonie.pk, "remis_le": timezone.localdate(ceremonie.date)}
    form = HandOverForm(data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.hand_over(
                attribution=attribution,
                ceremonie=form.cleaned_data["ceremonie"],
                on=form.cleaned_data["remis_le"],
                actor=request.user,
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                f"L'ordinateur {attribution.ordinateur.numero} est remis au foyer "
                f"{attribution.demande.foyer.code} : la demande est équipée. "
                "Imprimez le reçu de remise pour le faire signer.",
            )
            return redirect("ordinateurs:demande_detail", pk=attribution.demande_id)
    return _action_page(
        request,
        attribution.demande,
        form,
        title=f"Remettre l'ordinateur {attribution.ordinateur.numero}",
        template="attribution_hand_over",
        attribution=attribution,
    )


@role_required(*STAFF)
def attribution_withdraw(request, pk):
    attribution, closed = _live_attribution(request, pk)
    if closed:
        return closed
    form = WithdrawForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        abandon = form.cleaned_data["abandon"]
        try:
            services.withdraw(
                attribution=attribution,
                motif=form.cleaned_data["motif"],
                abandon=abandon,
                actor=request.user,
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            then = "est close (abandon)" if abandon else "retourne sur la liste d'attente"
            messages.success(
                request,
                f"Proposition retirée : l'ordinateur {attribution.ordinateur.numero} est de "
                f"nouveau disponible et la demande {then}.",
            )
            return redirect("ordinateurs:demande_detail", pk=attribution.demande_id)
    return _action_page(
        request,
        attribution.demande,
        form,
        title=f"Retirer la proposition de l'ordinateur {attribution.ordinateur.numero}",
        template="attribution_withdraw",
        attribution=attribution,
    )


@role_required(*FOYER_ROLES)
def recu_remise(request, pk):
    """The printable receipt of a device handed over, to be signed and archived (no names)."""
    attribution = get_object_or_404(
        _attributions(request.user).select_related(
            "ordinateur", "demande__foyer__structure", "ceremonie__lieu"
        ),
        pk=pk,
        handed_over_at__isnull=False,
        cancelled_at__isnull=True,
    )
    ordinateur = attribution.ordinateur
    stockages = list(ordinateur.stockages.all())
    erased_on = Effacement.objects.filter(
        stockage__ordinateur=ordinateur, resultat=ResultatEffacement.REUSSI
    ).aggregate(at=Max("done_at"))["at"]
    check = services.last_check(ordinateur)
    return pdf.page_or_file(
        request,
        "ordinateurs/foyers/recu_remise.html",
        {
            "attribution": attribution,
            "ordinateur": ordinateur,
            "stockages": stockages,
            "erased_on": erased_on,
            "check": check if check and check.reussi else None,
            "foyer": attribution.demande.foyer,
        },
        builder=documents.receipt,
        filename=f"recu-remise-{ordinateur.numero}.pdf",
    )
