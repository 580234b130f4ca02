"""The team's pages of donations: donors, their donations from the offer to the donor's
confirmation, the attestation for the finance department and the donor's yearly impact report.

Who may do what: technicians, the coordinator and the admin follow donations and donors
(`WORKSHOP_ROLES`); the attestation and the impact report are documents that leave the city,
issued by the coordination only (coordinateur, admin). Every write goes through
`ordinateurs.services`, except plain edits of a donor's details (audited).
"""

import datetime

from django import forms
from django.contrib import messages
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from poitiers_inclusion import pdf
from poitiers_inclusion.audit import audited_form_save
from poitiers_inclusion.exports import EXPORT_FORMATS, table_response
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import STAFF, role_required

from . import documents, services
from .dons_forms import CancelForm, CollectForm, DonateurForm, DonCreateForm, DonFilter, PlanForm
from .enums import Etat, StatutDon, TypeAppareil
from .models import Attribution, Don, Donateur, Evenement, Temoignage
from .perms import WORKSHOP_ROLES

PER_PAGE = 25
CLOSED = (StatutDon.CONFIRME, StatutDon.ANNULE)


def _dons(user):
    return Don.objects.visible_for(user).select_related("donateur")


# --- Donations ----------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "N°",
    "Donateur",
    "SIRET",
    "Proposé le",
    "En ligne",
    "Statut",
    "Appareils annoncés",
    "Collecte prévue le",
    "Collecté le",
    "Appareils reçus",
    "Poids (kg)",
    "Réception confirmée le",
    "Appareils enregistrés",
]


def _export(request, filterset, dons):
    rows = (
        [
            d.pk,
            d.donateur.nom,
            d.donateur.siret,
            d.offered_on,
            d.en_ligne,
            d.get_statut_display(),
            d.nb_annonce,
            d.collection_planned_on,
            d.collected_on,
            d.nb_recus,
            d.poids_kg,
            timezone.localtime(d.confirmed_at).date() if d.confirmed_at else None,
            d.nb_ordinateurs,
        ]
        for d in dons.iterator(chunk_size=500)
    )
    filters = []
    for name, value in getattr(filterset.form, "cleaned_data", {}).items():
        if value:
            field = filterset.form.fields[name]
            model_choice = isinstance(field, forms.ModelChoiceField)
            shown = value if model_choice else dict(field.choices).get(value, value)
            filters.append((field.label, str(shown)))
    title = "Dons d'ordinateurs"
    preamble = [[title], *[[label, value] for label, value in filters]]
    name = f"dons-{timezone.localdate():%Y%m%d}"
    return table_response(request.GET.get("format"), name, title, EXPORT_COLUMNS, rows, preamble)


@role_required(*WORKSHOP_ROLES)
def don_list(request):
    # Meta.ordering does not apply to a query that counts (GROUP BY): it is given again.
    dons = (
        _dons(request.user)
        .annotate(nb_ordinateurs=Count("ordinateurs"))
        .order_by("-offered_on", "-pk")
    )
    filterset = DonFilter(request.GET, queryset=dons, user=request.user)
    if request.GET.get("format") in EXPORT_FORMATS:
        filterset.form.is_valid()
        return _export(request, filterset, filterset.qs)
    page, querystring = paginate(request, filterset.qs, PER_PAGE)
    return render(
        request,
        "ordinateurs/dons/don_list.html",
        {"filter": filterset, "page": page, "querystring": querystring},
    )


@role_required(*WORKSHOP_ROLES)
def don_create(request):
    donors = Donateur.objects.visible_for(request.user)
    initial = {}
    if request.GET.get("donateur", "").isdigit():
        initial["donateur"] = int(request.GET["donateur"])
    form = DonCreateForm(data=request.POST or None, initial=initial, donors=donors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            don = services.offer_donation(
                donateur=data["donateur"] or form.donor_data(),
                nb_annonce=data["nb_annonce"],
                description=data["description"],
                actor=request.user,
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            told = " Un e-mail de remerciement lui est envoyé." if don.donateur.email else ""
            messages.success(request, f"Don enregistré : {don}.{told}")
            return redirect("ordinateurs:don_detail", pk=don.pk)
    return render(request, "ordinateurs/dons/don_form.html", {"form": form})


STEPS = [
    (StatutDon.PROPOSE, "Don proposé", "offered_on"),
    (StatutDon.COLLECTE_PREVUE, "Collecte planifiée", "collection_planned_on"),
    (StatutDon.COLLECTE, "Collecte faite", "collected_on"),
    (StatutDon.CONFIRME, "Réception confirmée par le donateur", "confirmed_at"),
]


def _steps(don: Don) -> list[dict]:
    order = [statut for statut, _label, _field in STEPS]
    reached = order.index(don.statut) if don.statut in order else -1
    steps = []
    for index, (_statut, label, field) in enumerate(STEPS):
        when = getattr(don, field)
        steps.append(
            {
                "label": label,
                "when": when,
                "is_datetime": isinstance(when, datetime.datetime),
                "done": bool(when) or index <= reached,
                "current": index == reached,
            }
        )
    return steps


def _detail_page(request, don, *, plan_form=None, collect_form=None, status=200):
    devices = list(don.ordinateurs.order_by("numero"))
    open_ = don.statut not in CLOSED
    context = {
        "don": don,
        "donateur": don.donateur,
        "steps": _steps(don),
        "devices": devices,
        "can_plan": don.statut in (StatutDon.PROPOSE, StatutDon.COLLECTE_PREVUE),
        "can_collect": open_,
        "can_cancel": don.statut != StatutDon.ANNULE and not devices,
        "can_receive": don.statut in (StatutDon.COLLECTE, StatutDon.CONFIRME),
        "can_attest": request.user.role in STAFF,
        "plan_form": plan_form
        or PlanForm(prefix="plan", initial={"day": don.collection_planned_on}),
        "collect_form": collect_form
        or CollectForm(
            prefix="reception",
            initial={
                "day": don.collected_on or don.collection_planned_on or timezone.localdate(),
                "nb_recus": don.nb_recus or don.nb_annonce,
                "poids_kg": don.poids_kg,
            },
        ),
        "StatutDon": StatutDon,
    }
    return render(request, "ordinateurs/dons/don_detail.html", context, status=status)


@role_required(*WORKSHOP_ROLES)
def don_detail(request, pk):
    don = get_object_or_404(_dons(request.user), pk=pk)
    return _detail_page(request, don)


@require_POST
@role_required(*WORKSHOP_ROLES)
def don_plan(request, pk):
    don = get_object_or_404(_dons(request.user), pk=pk)
    form = PlanForm(data=request.POST, prefix="plan")
    if form.is_valid():
        try:
            services.plan_collection(don=don, day=form.cleaned_data["day"], actor=request.user)
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            messages.success(request, f"Collecte planifiée le {form.cleaned_data['day']:%d/%m/%Y}.")
            return redirect("ordinateurs:don_detail", pk=don.pk)
    return _detail_page(request, don, plan_form=form)


@require_POST
@role_required(*WORKSHOP_ROLES)
def don_collect(request, pk):
    don = get_object_or_404(_dons(request.user), pk=pk)
    form = CollectForm(data=request.POST, prefix="reception")
    if form.is_valid():
        data = form.cleaned_data
        try:
            don = services.record_collection(
                don=don,
                day=data["day"],
                nb_recus=data["nb_recus"],
                poids_kg=data["poids_kg"],
                actor=request.user,
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            told = (
                " Le donateur reçoit un e-mail pour confirmer ces quantités."
                if don.donateur.email
                else " Le donateur n'a pas d'adresse e-mail : donnez-lui le lien de confirmation."
            )
            messages.success(request, f"Collecte enregistrée.{told}")
            return redirect("ordinateurs:don_detail", pk=don.pk)
    return _detail_page(request, don, collect_form=form)


@role_required(*WORKSHOP_ROLES)
def don_cancel(request, pk):
    don = get_object_or_404(_dons(request.user), pk=pk)
    if don.statut == StatutDon.ANNULE:
        messages.info(request, "Ce don est déjà annulé.")
        return redirect("ordinateurs:don_detail", pk=don.pk)
    form = CancelForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_donation(don=don, actor=request.user, motif=form.cleaned_data["motif"])
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            messages.success(request, "Le don est annulé.")
            return redirect("ordinateurs:don_detail", pk=don.pk)
    return render(request, "ordinateurs/dons/don_cancel.html", {"don": don, "form": form})


@role_required(*STAFF)
def don_attestation(request, pk):
    don = get_object_or_404(_dons(request.user), pk=pk)
    if don.statut == StatutDon.ANNULE:
        messages.error(request, "Ce don est annulé : il n'y a pas d'attestation à établir.")
        return redirect("ordinateurs:don_detail", pk=don.pk)
    if don.collected_on is None or don.statut not in (StatutDon.COLLECTE, StatutDon.CONFIRME):
        messages.error(
            request,
            "L'attestation s'établit après la collecte : enregistrez d'abord la date, le nombre "
            "d'appareils reçus et le poids.",
        )
        return redirect("ordinateurs:don_detail", pk=don.pk)
    counts = dict(don.ordinateurs.order_by().values_list("type").annotate(n=Count("pk")))
    by_type = [(kind.label, counts[kind]) for kind in TypeAppareil if counts.get(kind)]
    return pdf.page_or_file(
        request,
        "ordinateurs/dons/attestation.html",
        {"don": don, "donateur": don.donateur, "by_type": by_type, "today": timezone.localdate()},
        builder=documents.attestation,
        filename=f"attestation-don-{don.pk}.pdf",
    )


# --- Donors -------------------------------------------------------------------------------------


@role_required(*WORKSHOP_ROLES)
def donateur_list(request):
    query = " ".join(request.GET.get("q", "").split())[:100]
    donors = Donateur.objects.visible_for(request.user).annotate(
        nb_dons=Count("dons", filter=~Q(dons__statut=StatutDon.ANNULE)),
        nb_recus=Sum("dons__nb_recus"),
        dernier_don=Max("dons__offered_on"),
    )
    if query:
        donors = donors.filter(
            Q(nom__icontains=query)
            | Q(siret__contains=query.replace(" ", ""))
            | Q(commune__icontains=query)
        )
    page, querystring = paginate(request, donors.order_by("nom", "pk"), PER_PAGE)
    return render(
        request,
        "ordinateurs/dons/donateur_list.html",
        {"page": page, "querystring": querystring, "query": query},
    )


def _donor_years(donor: Donateur) -> list[int]:
    """Years a report can cover: those of the donor's donations and of their devices' events."""

    def years_of(queryset, field):
        return set(
            queryset.order_by()
            .annotate(year=ExtractYear(field))
            .values_list("year", flat=True)
            .distinct()
        )

    years = years_of(donor.dons.all(), "offered_on")
    years |= years_of(Evenement.objects.filter(ordinateur__don__donateur=donor), "at")
    return sorted(years, reverse=True)


@role_required(*WORKSHOP_ROLES)
def donateur_detail(request, pk):
    donor = get_object_or_404(Donateur.objects.visible_for(request.user), pk=pk)
    dons = list(donor.dons.annotate(nb_ordinateurs=Count("ordinateurs")).order_by("-offered_on"))
    live = [d for d in dons if d.statut != StatutDon.ANNULE]
    totals = {
        "dons": len(live),
        "annonces": sum(d.nb_annonce for d in live),
        "recus": sum(d.nb_recus or 0 for d in live),
        "poids": sum((d.poids_kg or 0) for d in live),
        "enregistres": sum(d.nb_ordinateurs for d in dons),
    }
    can_report = request.user.role in STAFF
    return render(
        request,
        "ordinateurs/dons/donateur_detail.html",
        {
            "donateur": donor,
            "dons": dons,
            "totals": totals,
            "can_report": can_report,
            "years": _donor_years(donor) if can_report else [],
        },
    )


@role_required(*WORKSHOP_ROLES)
def donateur_edit(request, pk):
    donor = get_object_or_404(Donateur.objects.visible_for(request.user), pk=pk)
    label = str(donor)
    form = DonateurForm(data=request.POST or None, instance=donor)
    if request.method == "POST" and form.is_valid():
        saved = audited_form_save(form, actor=request.user)
        messages.success(request, f"Donateur « {saved} » enregistré.")
        return redirect("ordinateurs:donateur_detail", pk=saved.pk)
    return render(
        request,
        "ordinateurs/dons/donateur_form.html",
        {"form": form, "donateur": donor, "label": label},
    )


# --- The yearly impact report -------------------------------------------------------------------


def impact_report(donor: Donateur, year: int) -> dict:
    """What a donor's computers became in a year, counted from the devices' events (never
    from stored counters), with no personal data: households are counted, by quartier."""
    events = Evenement.objects.filter(ordinateur__don__donateur=donor, at__year=year).order_by()

    def devices_reaching(*etats):
        return events.filter(vers__in=etats).values("ordinateur").distinct().count()

    handovers = Attribution.objects.filter(
        ordinateur__don__donateur=donor, handed_over_at__year=year, cancelled_at__isnull=True
    ).order_by()
    quartiers = [
        {
            "nom": row["demande__foyer__quartier__nom"] or "Quartier non renseigné",
            "qpv": row["demande__foyer__quartier__qpv"],
            "foyers": row["foyers"],
        }
        for row in handovers.values(
            "demande__foyer__quartier__nom", "demande__foyer__quartier__qpv"
        )
        .annotate(foyers=Count("demande", distinct=True))
        .order_by("-foyers", "demande__foyer__quartier__nom")
    ]
    collected = donor.dons.filter(collected_on__year=year).exclude(statut=StatutDon.ANNULE)
    weight = collected.aggregate(kg=Sum("poids_kg"))["kg"]
    return {
        "year": year,
        "dons_collectes": collected.count(),
        "poids_kg": weight,
        "recus": devices_reaching(Etat.RECU),
        "reconditionnes": devices_reaching(Etat.RECONDITIONNE),
        "remis": devices_reaching(Etat.REMIS),
        "non_reemployables": devices_reaching(Etat.NON_REEMPLOYABLE),
        "recycles": devices_reaching(Etat.DEMANTELE, Etat.RECYCLE),
        "foyers_equipes": handovers.values("demande").distinct().count(),
        "quartiers": quartiers,
        "temoignages": list(
            Temoignage.objects.filter(
                ceremonie__donateurs=donor,
                ceremonie__date__year=year,
                consent_at__isnull=False,
            )
            .select_related("ceremonie__lieu")
            .order_by("ceremonie__date", "pk")
        ),
    }


@role_required(*STAFF)
def donateur_bilan(request, pk, year):
    donor = get_object_or_404(Donateur.objects.visible_for(request.user), pk=pk)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404("Aucun bilan pour cette année.")
    return pdf.page_or_file(
        request,
        "ordinateurs/dons/bilan.html",
        {
            "donateur": donor,
            "report": impact_report(donor, year),
            "years": _donor_years(donor),
            "today": timezone.localdate(),
        },
        builder=documents.impact_report,
        filename=f"bilan-{year}-{donor.pk}.pdf",
    )
