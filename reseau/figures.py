"""The réseau's figures, the one place that computes them: structures, contacts, places,
network meetings and attendance, orientations by outcome, uncovered cells (zones blanches)."""

from django.db.models import Count, Q

from poitiers_inclusion.figures import Scope, Section, Table

from . import coverage
from .enums import EtatOrientation, Typologie
from .models import Contact, Lieu, Orientation, Reunion, Structure


def _reunions(scope: Scope):
    qs = Reunion.objects.all()
    if scope.start:
        qs = qs.filter(date__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(date__date__lte=scope.end)
    return qs


def _orientations(scope: Scope):
    qs = Orientation.objects.for_figures(scope.user)
    if scope.start:
        qs = qs.filter(created_at__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(created_at__date__lte=scope.end)
    return qs


def orientations_by_outcome(scope: Scope) -> dict[str, int]:
    rows = _orientations(scope).annotate_state().values_list("etat_vu").annotate(n=Count("pk"))
    counts = dict(rows.order_by())
    return {etat: counts.get(etat, 0) for etat in EtatOrientation.values}


def structures(scope: Scope):
    """The network today (structures have no history): those serving or hosting a place in the
    scope's quartiers, those running the scope's lieux. The period does not apply."""
    qs = Structure.objects.active()
    if scope.quartiers:
        qs = qs.filter(Q(quartiers__in=scope.quartiers) | Q(lieux__quartier__in=scope.quartiers))
    if scope.lieux:
        qs = qs.filter(lieux__in=scope.lieux)
    # Distinct only through the joins (a DISTINCT over every column of thousands otherwise).
    return qs.distinct() if scope.quartiers or scope.lieux else qs


def lieux(scope: Scope):
    qs = Lieu.objects.active()
    if scope.quartiers:
        qs = qs.filter(quartier__in=scope.quartiers)
    if scope.lieux:
        qs = qs.filter(pk__in=scope.lieux)
    return qs


def contacts(scope: Scope):
    qs = Contact.objects.active()
    if scope.quartiers or scope.lieux:
        qs = qs.filter(structure__in=structures(scope))
    return qs


def structures_by_typology(scope: Scope | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    chosen = structures(scope).distinct() if scope is not None else Structure.objects.active()
    # Distinct structures, not distinct (typologies, name) rows: two CCAS may share a name.
    for _pk, typologies in chosen.values_list("pk", "typologies"):
        for code in typologies or ["non_renseignee"]:
            counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def meetings(scope: Scope) -> list[dict]:
    rows = []
    for reunion in _reunions(scope).with_counts().order_by("date"):
        rows.append(
            {
                "date": reunion.date.date().isoformat(),
                "type": reunion.type,
                "titre": reunion.titre,
                "invites": reunion.nb_invites,
                "personnes_presentes": reunion.nb_presents,
                "structures_presentes": reunion.nb_structures_presentes,
            }
        )
    return rows


def api_block(scope: Scope) -> dict:
    reunions = meetings(scope)
    return {
        "structures": structures(scope).count(),
        "contacts": contacts(scope).count(),
        "lieux": lieux(scope).count(),
        "reunions": len(reunions),
        "participants": sum(r["personnes_presentes"] for r in reunions),
        "structures_par_typologie": structures_by_typology(scope),
        "orientations": orientations_by_outcome(scope),
        "reunions_detail": reunions,
        "zones_blanches": coverage.counts().zones_blanches,
    }


def build_section(scope: Scope) -> Section:
    reunions = meetings(scope)
    outcomes = orientations_by_outcome(scope)
    typology_labels = dict(Typologie.choices)
    type_labels = dict(Reunion._meta.get_field("type").choices)
    coverage_counts = coverage.counts()
    return Section(
        key="reseau",
        title="Réseau d'acteurs",
        kpis=[
            ("Structures partenaires", structures(scope).count()),
            ("Contacts", contacts(scope).count()),
            ("Lieux d'accueil", lieux(scope).count()),
            ("Réunions du réseau", len(reunions)),
            ("Présences aux réunions", sum(r["personnes_presentes"] for r in reunions)),
            ("Orientations", sum(outcomes.values())),
            ("Zones blanches (quartier × service)", coverage_counts.zones_blanches),
        ],
        notes=[
            "Structures, contacts et lieux : le réseau d'aujourd'hui, restreint aux quartiers et "
            "lieux choisis ; réunions et orientations : sur la période."
        ],
        tables=[
            Table(
                "reseau_reunions",
                "Réunions du réseau et présences",
                ["Date", "Type", "Réunion", "Invités", "Personnes présentes", "Structures"],
                [
                    [
                        r["date"],
                        type_labels.get(r["type"], r["type"]),
                        r["titre"],
                        r["invites"],
                        r["personnes_presentes"],
                        r["structures_presentes"],
                    ]
                    for r in reunions
                ],
                chart="bar",
            ),
            Table(
                "reseau_orientations",
                "Orientations par issue",
                ["Issue", "Orientations"],
                [[EtatOrientation(etat).label, n] for etat, n in outcomes.items()],
                chart="pie",
            ),
            Table(
                "reseau_typologies",
                "Structures par typologie",
                ["Typologie", "Structures"],
                [[typology_labels.get(c, c), n] for c, n in structures_by_typology(scope).items()],
                chart="bar",
            ),
            Table(
                "reseau_couverture",
                "Couverture : lieux par quartier",
                ["Quartier", "QPV", "Lieux", "Zones blanches (services sans lieu)"],
                [
                    [row.quartier.nom, row.quartier.qpv, row.nb_lieux, row.zones_blanches]
                    for row in coverage_counts.rows
                ],
                chart=None,
            ),
        ],
    )
