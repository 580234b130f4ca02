"""The workshop's pages: the technician's home, the inventory, receiving a batch, a device's
page (its path, storage, evidence of erasure, checks and events); the erasure certificates
are in `certificate_views`.

Technicians, the coordinator and the admin use them (`WORKSHOP_ROLES`); every other role gets a
403. Every change of state or evidence goes through `ordinateurs.services`, where the rules of
the path live; only a device's description and its list of storage devices are saved here,
through the audit.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import audited_form_save
from poitiers_inclusion.exports import EXPORT_FORMATS
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import role_required

from . import services
from .device_path import IN_PREPARATION, STORAGE_LOCKED, TODO, offered_moves, still_to_pass
from .enums import PATH, Etat
from .export import inventory_response
from .label_views import labels_response
from .models import Don, Effacement, Evenement, Ordinateur, Stockage
from .perms import WORKSHOP_ROLES
from .staff_forms import (
    EXITS_WITH_REASON,
    ControleForm,
    EffacementForm,
    MoveForm,
    OrdinateurFilter,
    OrdinateurForm,
    ReceptionForm,
    StockageForm,
    device_formset,
    typed_rows,
)

PER_PAGE = 25
HOME_ROWS = 5
DEFAULT_LINES = 3


def devices_of(user):
    return Ordinateur.objects.visible_for(user)


def since_last_event():
    """When a device entered its state: its last event's moment, looked up for the rows kept
    (Max over a join aggregates the 50,000 devices' events before a page is cut from them)."""
    events = Evenement.objects.filter(ordinateur=OuterRef("pk")).order_by("-at")
    return Subquery(events.values("at")[:1])


def get_device(request, pk) -> Ordinateur:
    return get_object_or_404(devices_of(request.user).select_related("don__donateur"), pk=pk)


def detail_url(ordinateur, anchor=""):
    url = reverse("ordinateurs:ordinateur_detail", args=[ordinateur.pk])
    return f"{url}#{anchor}" if anchor else url


def _lower_first(label: str) -> str:
    """ "Recyclé (DEEE)" inside a sentence: "recyclé (DEEE)"."""
    return label[:1].lower() + label[1:]


# --- Home ---------------------------------------------------------------------------------------


@role_required(*WORKSHOP_ROLES)
def home(request):
    """The workbench: how many devices wait at each step, the oldest first, and a search that
    opens a device straight from its inventory or serial number (a barcode reader types it)."""
    devices = devices_of(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        exact = list(devices.filter(Q(numero__iexact=query) | Q(numero_serie__iexact=query))[:2])
        if len(exact) == 1:
            return redirect("ordinateurs:ordinateur_detail", pk=exact[0].pk)
        return redirect(f"{reverse('ordinateurs:ordinateur_list')}?{urlencode({'q': query})}")
    counts = dict(devices.order_by().values_list("etat").annotate(n=Count("pk")))
    waiting = devices.annotate(depuis=since_last_event()).order_by("depuis", "numero")
    todo = [
        {
            "etat": etat,
            "label": label,
            "count": counts.get(etat, 0),
            "rows": list(waiting.filter(etat=etat)[:HOME_ROWS]) if counts.get(etat) else [],
        }
        for etat, label in TODO
    ]
    states = [
        {"etat": etat, "count": counts.get(etat, 0)}
        for etat in Etat
        if etat in PATH or counts.get(etat)
    ]
    return render(
        request,
        "ordinateurs/atelier/home.html",
        {"todo": todo, "states": states, "total": sum(counts.values())},
    )


# --- Inventory ----------------------------------------------------------------------------------


@role_required(*WORKSHOP_ROLES)
def ordinateur_list(request):
    devices = (
        devices_of(request.user)
        .select_related("don__donateur")
        .annotate(depuis=since_last_event())
        .order_by("-numero")
    )
    filterset = OrdinateurFilter(request.GET, queryset=devices)
    fmt = request.GET.get("format")
    if fmt in EXPORT_FORMATS:
        return inventory_response(fmt, filterset)
    if fmt == "etiquettes":
        return labels_response(request, filterset.qs, reverse("ordinateurs:ordinateur_list"))
    page, querystring = paginate(request, filterset.qs, PER_PAGE)
    export_query = request.GET.copy()
    for name in ("page", "format"):
        export_query.pop(name, None)
    return render(
        request,
        "ordinateurs/atelier/ordinateur_list.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": querystring,
            "export_query": export_query.urlencode(),
        },
    )


# --- Receiving a batch --------------------------------------------------------------------------


def _lines_for(don) -> int:
    """As many lines as devices announced (or collected) and not yet registered."""
    if don is None:
        return DEFAULT_LINES
    expected = don.nb_recus or don.nb_annonce or DEFAULT_LINES
    return max(1, min(expected - don.ordinateurs.count(), 20))


@role_required(*WORKSHOP_ROLES)
def ordinateur_receive(request):
    """Register the devices of a batch: each line becomes a numbered device with its first event.
    "Ajouter une ligne" sends the page back with one more line, what was typed kept (no JS)."""
    user = request.user
    if request.method == "POST" and "ajouter" in request.POST:
        rows = typed_rows(request.POST)
        reception = ReceptionForm(initial={"don": request.POST.get("don") or None}, user=user)
        formset = device_formset(lines=len(rows) + 1, rows=rows)
        # The new line takes the focus (and a phone's keyboard comes up on it).
        formset.forms[-1].fields["marque"].widget.attrs["autofocus"] = True
    elif request.method == "POST":
        reception = ReceptionForm(data=request.POST, user=user)
        formset = device_formset(data=request.POST)
        if reception.is_valid() and formset.is_valid():
            don = reception.cleaned_data["don"]
            created = services.receive_devices(don=don, devices=formset.devices(), actor=user)
            numbers = [o.numero for o in created]
            if len(numbers) == 1:
                messages.success(request, f"Appareil enregistré : {numbers[0]}.")
            else:
                messages.success(
                    request,
                    f"{len(numbers)} appareils enregistrés : {numbers[0]} à {numbers[-1]}. "
                    "Notez ces numéros sur les étiquettes.",
                )
            url = reverse("ordinateurs:ordinateur_list")
            return redirect(f"{url}?{urlencode({'don': don.pk})}" if don else url)
    else:
        don = None
        if request.GET.get("don", "").isdigit():
            don = (
                Don.objects.visible_for(user)
                .select_related("donateur")
                .filter(pk=int(request.GET["don"]))
                .first()
            )
        reception = ReceptionForm(initial={"don": don.pk if don else None}, user=user)
        lines = request.GET.get("lignes", "")
        formset = device_formset(lines=int(lines) if lines.isdigit() else _lines_for(don))
    return render(
        request,
        "ordinateurs/atelier/reception.html",
        {"reception": reception, "formset": formset},
    )


# --- A device's page ----------------------------------------------------------------------------


def _detail_page(request, ordinateur, move_form=None):
    offered = offered_moves(ordinateur)
    steps = [
        {
            "etat": Etat(vers),
            "missing": services.missing_for(ordinateur, vers),
            "exit": vers in EXITS_WITH_REASON,
        }
        for vers in offered
    ]
    if move_form is None:
        move_form = MoveForm()
    erasures = Effacement.objects.select_related("operateur").order_by("done_at", "pk")
    prefetch_related_objects(
        [ordinateur],
        Prefetch(
            "stockages",
            queryset=Stockage.objects.prefetch_related(Prefetch("effacements", queryset=erasures)),
        ),
    )
    storages = list(ordinateur.stockages.all())
    for storage in storages:
        storage.erased = bool(services.successful_erasures(storage))
    checks = list(ordinateur.controles.select_related("operateur").order_by("-done_at", "-pk"))
    latest = checks[0] if checks else None
    checklist = latest.items() if latest else []
    readiness = None
    if ordinateur.etat in IN_PREPARATION:
        readiness = {
            "missing": services.missing_for(ordinateur, Etat.DISPONIBLE),
            "steps": [Etat(e).label.lower() for e in still_to_pass(ordinateur)],
        }
    events = list(ordinateur.evenements.select_related("auteur").order_by("at", "pk"))
    return render(
        request,
        "ordinateurs/atelier/ordinateur_detail.html",
        {
            "ordinateur": ordinateur,
            "path": PATH,
            "path_index": PATH.index(ordinateur.etat) if ordinateur.etat in PATH else -1,
            "steps": [s for s in steps if not s["exit"]],
            "exits": [s for s in steps if s["exit"]],
            "move_form": move_form,
            "storages": storages,
            "storage_locked": ordinateur.etat in STORAGE_LOCKED,
            "checks": checks,
            "latest_check": latest,
            "checklist": checklist,
            "readiness": readiness,
            "events": events,
            # A certificate needs something to certify: storage recorded, and erased.
            "erased": bool(storages) and services.erased(ordinateur),
            "reserved": ordinateur.etat == Etat.RESERVE,
        },
    )


@role_required(*WORKSHOP_ROLES)
def ordinateur_detail(request, pk):
    return _detail_page(request, get_device(request, pk))


@require_POST
@role_required(*WORKSHOP_ROLES)
def ordinateur_move(request, pk):
    ordinateur = get_device(request, pk)
    form = MoveForm(data=request.POST, files=request.FILES)
    if form.is_valid() and ordinateur.etat == Etat.RESERVE:
        form.add_error(
            "vers",
            "Cet ordinateur est réservé pour un foyer : sa remise ou son retrait se gère depuis "
            "la demande du foyer.",
        )
    elif form.is_valid():
        vers = form.cleaned_data["vers"]
        try:
            services.move(
                ordinateur=ordinateur,
                vers=vers,
                actor=request.user,
                note=form.cleaned_data["note"].strip(),
                piece=form.cleaned_data["piece_jointe"],
            )
        except services.OrdinateurError as error:
            error.add_to(form)
        else:
            messages.success(
                request, f"{ordinateur.numero} est maintenant « {_lower_first(Etat(vers).label)} »."
            )
            return redirect(detail_url(ordinateur))
    ordinateur.refresh_from_db()
    return _detail_page(request, ordinateur, move_form=form)


def _form_page(
    request,
    form,
    *,
    ordinateur,
    title,
    intro="",
    submit="Enregistrer",
    files=False,
    template="form",
):
    return render(
        request,
        f"ordinateurs/atelier/{template}.html",
        {
            "form": form,
            "ordinateur": ordinateur,
            "title": title,
            "intro": intro,
            "submit": submit,
            "files": files,
        },
    )


@role_required(*WORKSHOP_ROLES)
def stockage_add(request, pk):
    ordinateur = get_device(request, pk)
    if ordinateur.etat in STORAGE_LOCKED:
        messages.error(
            request,
            f"Un ordinateur « {ordinateur.get_etat_display().lower()} » garde les supports "
            "certifiés : passez-le d'abord en réparation pour en changer.",
        )
        return redirect(detail_url(ordinateur))
    form = StockageForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.ordinateur = ordinateur
        stockage = audited_form_save(form, actor=request.user)
        messages.success(request, f"Support ajouté : {stockage}. Il devra être effacé.")
        return redirect(detail_url(ordinateur, f"stockage-{stockage.pk}"))
    return _form_page(
        request,
        form,
        ordinateur=ordinateur,
        title=f"Ajouter un support de stockage à {ordinateur.numero}",
        intro="Chaque disque, SSD ou mémoire de l'appareil doit être enregistré puis effacé.",
        submit="Ajouter le support",
    )


@role_required(*WORKSHOP_ROLES)
def effacement_create(request, pk):
    stockage = get_object_or_404(
        Stockage.objects.filter(ordinateur__in=devices_of(request.user)).select_related(
            "ordinateur"
        ),
        pk=pk,
    )
    ordinateur = stockage.ordinateur
    form = EffacementForm(data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        preuve = data.pop("preuve")
        effacement = services.record_erasure(
            stockage=stockage, operateur=request.user, preuve=preuve, **data
        )
        if effacement.reussi:
            messages.success(request, f"Effacement réussi enregistré pour le support {stockage}.")
        else:
            messages.warning(
                request,
                f"Effacement enregistré comme échoué pour le support {stockage} : recommencez "
                "avec une autre méthode, ou détruisez le support.",
            )
        return redirect(detail_url(ordinateur, f"stockage-{stockage.pk}"))
    return _form_page(
        request,
        form,
        ordinateur=ordinateur,
        title=f"Effacement du support {stockage} de {ordinateur.numero}",
        intro="Ce relevé est une preuve : il ne se modifie plus une fois enregistré. "
        "Joignez le rapport de l'outil : son empreinte SHA-256 figurera sur le certificat.",
        submit="Enregistrer l'effacement",
        files=True,
    )


@role_required(*WORKSHOP_ROLES)
def controle_create(request, pk):
    ordinateur = get_device(request, pk)
    form = ControleForm(data=request.POST or None, ordinateur=ordinateur)
    if request.method == "POST" and form.is_valid():
        controle = services.record_check(
            ordinateur=ordinateur,
            resultats=form.resultats(),
            operateur=request.user,
            note=form.cleaned_data["note"].strip(),
        )
        if controle.reussi:
            messages.success(request, "Contrôle réussi : toutes les fonctions marchent.")
        else:
            failed = [item["label"] for item in controle.items() if item["result"] == "defaut"]
            messages.warning(
                request,
                f"Contrôle échoué : {', '.join(failed)}. L'ordinateur ne pourra passer à "
                "« contrôlé » qu'après un contrôle réussi.",
            )
        return redirect(detail_url(ordinateur, "controle"))
    return _form_page(
        request,
        form,
        ordinateur=ordinateur,
        title=f"Contrôle fonctionnel de {ordinateur.numero}",
        intro="Testez chaque fonction de cet appareil et cochez celles qui marchent. Le "
        "contrôle est réussi seulement si toutes celles que l'appareil possède marchent.",
        submit="Enregistrer le contrôle",
        template="controle_form",
    )


@role_required(*WORKSHOP_ROLES)
def ordinateur_edit(request, pk):
    ordinateur = get_device(request, pk)
    numero = ordinateur.numero
    form = OrdinateurForm(data=request.POST or None, instance=ordinateur)
    if request.method == "POST" and form.is_valid():
        audited_form_save(form, actor=request.user)
        messages.success(request, f"Description de {numero} enregistrée.")
        return redirect(detail_url(ordinateur))
    return _form_page(request, form, ordinateur=ordinateur, title=f"Modifier {numero}")


def _download(field):
    if not field:
        raise Http404("Aucun fichier joint.")
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1]
    )


@role_required(*WORKSHOP_ROLES)
def effacement_preuve(request, pk):
    effacement = get_object_or_404(
        Effacement.objects.filter(stockage__ordinateur__in=devices_of(request.user)), pk=pk
    )
    return _download(effacement.preuve)


@role_required(*WORKSHOP_ROLES)
def evenement_piece(request, pk):
    evenement = get_object_or_404(
        Evenement.objects.filter(ordinateur__in=devices_of(request.user)), pk=pk
    )
    return _download(evenement.piece_jointe)
