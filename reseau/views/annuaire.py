"""The directory for professionals, the public page and map of places, the coverage matrix."""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from poitiers_inclusion import nav
from poitiers_inclusion.enums import Role
from poitiers_inclusion.exports import csv_response
from poitiers_inclusion.paging import paginate
from poitiers_inclusion.perms import STAFF, any_role, public, role_required

from .. import coverage, hours, lieu_cards
from ..enums import Service
from ..filters import DirectoryFilter, PublicLieuFilter
from ..models import Contact, Lieu, Quartier, Structure
from ..perms import COVERAGE_ROLES


def _directory_queryset(user):
    return (
        Structure.objects.visible_for(user)
        .active()
        .prefetch_related(
            "quartiers",
            Prefetch(
                "lieux",
                queryset=Lieu.objects.published().select_related("quartier"),
                to_attr="active_lieux",
            ),
            Prefetch(
                "contacts",
                queryset=Contact.objects.visible_for(user).active(),
                to_attr="active_contacts",
            ),
        )
    )


@any_role
def annuaire(request):
    filterset = DirectoryFilter(request.GET, queryset=_directory_queryset(request.user))
    page, querystring = paginate(request, filterset.qs.order_by("nom"), 20)
    for structure in page:
        for lieu in structure.active_lieux:
            lieu.horaires_lisibles = hours.describe(lieu.horaires)
    return render(
        request,
        "reseau/annuaire.html",
        {"filter": filterset, "page": page, "querystring": querystring},
    )


@any_role
def annuaire_structure(request, pk):
    structure = get_object_or_404(_directory_queryset(request.user), pk=pk)
    for lieu in structure.active_lieux:
        lieu.horaires_lisibles = hours.describe(lieu.horaires)
    editable = Structure.objects.editable_by(request.user).filter(pk=structure.pk).exists()
    return render(
        request,
        "reseau/annuaire_structure.html",
        {
            "structure": structure,
            "horaires": hours.describe(structure.horaires),
            "editable": editable,
        },
    )


# What a marker shows of a lieu (the map's thousands of lieux: not their wide rows).
MARKER_FIELDS = ("nom", "latitude", "longitude", "adresse", "code_postal", "commune")


def _marker(lieu) -> dict:
    return {
        "id": lieu.pk,
        "nom": lieu.nom,
        "lat": lieu.latitude,
        "lon": lieu.longitude,
        "adresse": f"{lieu.adresse}, {lieu.code_postal} {lieu.commune}",
        "ancre": f"lieu-{lieu.pk}",
    }


@public
def carte(request):
    """Where to get help: a list that works alone, and a map on top when tiles load."""
    lieux = (
        Lieu.objects.published()
        .select_related("quartier")
        .only(*lieu_cards.CARD_FIELDS)
        .order_by("nom", "pk")  # homonyms (a chain's CCAS) in the same order at each visit
    )
    filterset = PublicLieuFilter(request.GET, queryset=lieux)
    rows = list(filterset.qs)
    markers = [_marker(lieu) for lieu in rows if lieu.latitude is not None]
    return render(
        request,
        "reseau/carte.html",
        {
            "filter": filterset,
            "lieux": rows,
            "cards": lieu_cards.lieu_cards(rows),
            "map_data": {
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "markers": markers,
                "zones": [],
            },
        },
    )


def _zone(row, service_label) -> dict:
    quartier = row.quartier
    cell_count = row.nb_lieux if not service_label else row.cells[0].count
    return {
        "nom": quartier.nom,
        "qpv": quartier.qpv,
        "lat": quartier.latitude,
        "lon": quartier.longitude,
        "contour": quartier.contour,
        "lieux": cell_count,
        "zone_blanche": cell_count == 0,
    }


@role_required(*COVERAGE_ROLES)
def couverture(request):
    service = request.GET.get("service", "")
    if service not in Service.values:
        service = ""
    table = coverage.matrix()
    if request.GET.get("export") == "csv":
        columns = ["Quartier", "QPV"]
        for _code, label in table.services:
            columns += [f"{label} — lieux", f"{label} — heures par semaine"]
        rows = (
            [row.quartier.nom, row.quartier.qpv]
            + [v for cell in row.cells for v in (cell.count, cell.heures)]
            for row in table.rows
        )
        return csv_response("couverture-quartiers-services.csv", columns, rows)

    chosen = [(service, Service(service).label)] if service else None
    map_table = coverage.matrix(services=chosen) if chosen else table
    zones = [_zone(row, service) for row in map_table.rows if row.quartier.latitude is not None]
    lieux = Lieu.objects.active().filter(latitude__isnull=False).only(*MARKER_FIELDS)
    if service:
        lieux = lieux.filter(services__contains=[service])
    return render(
        request,
        "reseau/couverture.html",
        {
            "table": table,
            "service": service,
            "services": Service.choices,
            "quartiers_sans_lieu": [row for row in table.rows if row.nb_lieux == 0],
            "map_data": {
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "markers": [_marker(lieu) for lieu in lieux],
                "zones": zones,
            },
            "nb_quartiers": Quartier.objects.count(),
            "lieux_sans_quartier": Lieu.objects.active()
            .filter(quartier__isnull=True)
            .only(*MARKER_FIELDS)
            .order_by("nom", "pk"),
            "can_edit_lieux": request.user.has_role(*STAFF),
        },
    )


# (label, URL name, description) of the hub page: each role finds there the pages its role may
# open (the roles their views declare).
HUB = [
    ("Annuaire du réseau", "reseau:annuaire", "Structures, lieux, services et contacts."),
    (
        "Orientations",
        "reseau:orientation_list",
        "Orienter une personne vers une structure, suivre les réponses.",
    ),
    (
        "Couverture du territoire",
        "reseau:couverture",
        "Lieux et heures d'accueil par quartier et par service ; zones blanches.",
    ),
    ("Réunions du réseau", "reseau:reunion_list", "Invitations, présences, comptes rendus."),
    (
        "Campagnes de mise à jour",
        "reseau:campagne_list",
        "Faire vérifier les fiches par les structures.",
    ),
    ("Structures", "reseau:structure_list", "Gérer les structures partenaires."),
    ("Lieux", "reseau:lieu_list", "Gérer les lieux d'accueil (standard national)."),
    ("Contacts", "reseau:contact_list", "Gérer les personnes du réseau."),
    ("Quartiers", "reseau:quartier_list", "Quartiers et quartiers prioritaires."),
    (
        "Offres sociales internet",
        "reseau:offre_list",
        "Tarifs sociaux des fournisseurs d'accès et structures qui aident à souscrire.",
    ),
    ("Carte publique des lieux", "reseau:carte", "La page que voit le public."),
]


@any_role
def index(request):
    role = request.user.role
    links = [
        {"label": label, "url_name": name, "description": text}
        for label, name, text in HUB
        if nav.opens_for(request.user, name)
    ]
    if role == Role.PRESCRIPTEUR:
        links.insert(
            0,
            {
                "label": "Fiche de ma structure",
                "url_name": "reseau:ma_structure",
                "description": "Tenir à jour ce que l'annuaire dit de votre structure.",
            },
        )
    return render(request, "reseau/index.html", {"links": links})
