"""Figures of Ordinateurs solidaires: the one place that says what they mean and how they count.

Every device figure is counted from the append-only events, never from stored counters:
- *donated* (dons): devices received in the period (an event to "reçu");
- *reconditioned*: devices that reached "reconditionné" in the period;
- *handed over* (remis): devices that reached "remis" in the period;
- *households equipped*: distinct households whose device was handed over in the period;
- the *funnel* counts, for each step of the normal path, the devices that reached it;
- the *waiting time* runs from a request's entry on the waiting list to the hand-over.

Filters: the period applies to the events (and to requests by their date); quartiers restrict the
households (their quartier of residence). Places, conseillers, activity types and thématiques
belong to the médiation log and do not filter the computers. A prescripteur sees only the
requests and households of their own structure.
"""

import statistics

from django.db import connection
from django.db.models import Count, Q, Sum

from poitiers_inclusion import figures

from .enums import PATH, Etat, StatutDemande, TrancheRevenus
from .models import Attribution, Demande, Don, Evenement, Ordinateur
from .perms import READERS, WORKSHOP_ROLES


def sees_devices(scope: figures.Scope) -> bool:
    return scope.user is None or getattr(scope.user, "role", None) in WORKSHOP_ROLES


def _events(scope: figures.Scope):
    qs = Evenement.objects.all()
    if scope.start:
        qs = qs.filter(at__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(at__date__lte=scope.end)
    return qs


def reached(scope: figures.Scope) -> dict[str, int]:
    """Distinct devices that reached each state in the period (one query per request)."""

    def compute():
        # Distinct (state, device) pairs hashed, then counted: COUNT(DISTINCT) sorted every
        # event per state (300 ms at national scale).
        pairs = _events(scope).order_by().values("vers", "ordinateur_id").distinct()
        sql, params = pairs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT p.vers, count(*) FROM ({sql}) p GROUP BY p.vers", params)
            counts = dict(cursor.fetchall())
        return {etat: counts.get(etat, 0) for etat in Etat.values}

    return figures.memoized(scope, "ordinateurs.reached", compute)


def _demandes(scope: figures.Scope):
    qs = Demande.objects.for_figures(scope.user)
    if scope.quartiers:
        qs = qs.filter(foyer__quartier__in=scope.quartiers)
    return qs


def _handovers(scope: figures.Scope):
    qs = Attribution.objects.filter(
        handed_over_at__isnull=False, cancelled_at__isnull=True, demande__in=_demandes(scope)
    )
    if scope.start:
        qs = qs.filter(handed_over_at__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(handed_over_at__date__lte=scope.end)
    return qs


def totals(scope: figures.Scope) -> dict:
    def compute():
        handovers = _handovers(scope)
        result = {"foyers_equipes": handovers.values("demande__foyer").distinct().count()}
        if sees_devices(scope):
            states = reached(scope)
            result.update(
                dons=states[Etat.RECU],
                reconditionnes=states[Etat.RECONDITIONNE],
                remis=states[Etat.REMIS],
                non_reemployables=states[Etat.NON_REEMPLOYABLE],
                recycles=states[Etat.RECYCLE] + states[Etat.DEMANTELE],
            )
        else:  # a partner: the devices its households received
            result["remis"] = handovers.count()
        waits = [
            (handed_over_at - (waitlisted_at or created_at)).days
            for handed_over_at, waitlisted_at, created_at in handovers.values_list(
                "handed_over_at", "demande__waitlisted_at", "demande__created_at"
            )
        ]
        result["delai_median_jours"] = round(statistics.median(waits)) if waits else None
        return result

    return figures.memoized(scope, "ordinateurs.totals", compute)


def requests_by_status(scope: figures.Scope) -> dict[str, int]:
    qs = _demandes(scope)
    if scope.start:
        qs = qs.filter(created_at__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(created_at__date__lte=scope.end)
    counts = dict(qs.values_list("statut").annotate(n=Count("pk")))
    return {statut: counts.get(statut, 0) for statut in StatutDemande.values}


def stock_now() -> dict[str, int]:
    counts = dict(Ordinateur.objects.values_list("etat").annotate(n=Count("pk")))
    return {etat: counts.get(etat, 0) for etat in Etat.values if counts.get(etat)}


def households_equipped(scope: figures.Scope) -> list[dict]:
    """Households equipped in the period, by quartier, with their situation."""
    rows = (
        _handovers(scope)
        .values("demande__foyer__quartier__nom")
        .annotate(
            foyers=Count("demande__foyer", distinct=True),
            avec_enfants_scolarises=Count(
                "demande__foyer",
                filter=Q(demande__foyer__enfants_scolarises__gt=0),
                distinct=True,
            ),
            demandeurs_emploi=Count(
                "demande__foyer", filter=Q(demande__foyer__demandeur_emploi=True), distinct=True
            ),
            minima=Count(
                "demande__foyer",
                filter=Q(demande__foyer__tranche_revenus=TrancheRevenus.MINIMA),
                distinct=True,
            ),
        )
        .order_by("-foyers", "demande__foyer__quartier__nom")
    )
    return [
        {
            "quartier": row["demande__foyer__quartier__nom"] or "Non renseigné",
            "foyers": row["foyers"],
            "avec_enfants_scolarises": row["avec_enfants_scolarises"],
            "demandeurs_emploi": row["demandeurs_emploi"],
            "minima": row["minima"],
        }
        for row in rows
    ]


def donations(scope: figures.Scope) -> list[dict]:
    qs = Don.objects.filter(collected_on__isnull=False)
    if scope.start:
        qs = qs.filter(collected_on__gte=scope.start)
    if scope.end:
        qs = qs.filter(collected_on__lte=scope.end)
    rows = (
        qs.values("donateur__nom")
        .annotate(dons=Count("pk"), appareils=Sum("nb_recus"), poids=Sum("poids_kg"))
        .order_by("-appareils", "donateur__nom")
    )
    return [
        {
            "donateur": row["donateur__nom"],
            "dons": row["dons"],
            "appareils": row["appareils"] or 0,
            "poids": float(row["poids"] or 0),
        }
        for row in rows
    ]


def build_section(scope: figures.Scope) -> figures.Section:
    t = totals(scope)
    statuses = requests_by_status(scope)
    section = figures.Section(key="ordinateurs", title="Ordinateurs solidaires")
    tables = []
    if sees_devices(scope):
        states = reached(scope)
        section.kpis = [
            ("Ordinateurs donnés et reçus", t["dons"]),
            ("Reconditionnés", t["reconditionnes"]),
            ("Remis", t["remis"]),
            ("Foyers équipés", t["foyers_equipes"]),
            ("Non réemployables", t["non_reemployables"]),
            ("Délai médian d'attente (jours)", t["delai_median_jours"]),
        ]
        tables += [
            figures.Table(
                "ordinateurs_parcours",
                "Du don à la remise : appareils arrivés à chaque étape",
                ["Étape", "Appareils"],
                [[Etat(etat).label, states[etat]] for etat in PATH],
                chart="bar",
            ),
            figures.Table(
                "ordinateurs_stock",
                "Où en sont les appareils aujourd'hui",
                ["État", "Appareils"],
                [[Etat(etat).label, n] for etat, n in stock_now().items()],
                chart=None,
            ),
            figures.Table(
                "ordinateurs_donateurs",
                "Dons collectés par donateur",
                ["Donateur", "Dons", "Appareils reçus", "Poids (kg)"],
                [[d["donateur"], d["dons"], d["appareils"], d["poids"]] for d in donations(scope)],
                chart=None,
            ),
        ]
    else:
        section.kpis = [
            ("Foyers équipés", t["foyers_equipes"]),
            ("Ordinateurs remis", t["remis"]),
            ("Délai médian d'attente (jours)", t["delai_median_jours"]),
        ]
    tables += [
        figures.Table(
            "ordinateurs_demandes",
            "Demandes des foyers par statut",
            ["Statut", "Demandes"],
            [[StatutDemande(s).label, n] for s, n in statuses.items() if n],
            chart="bar",
        ),
        figures.Table(
            "ordinateurs_foyers",
            "Foyers équipés par quartier",
            [
                "Quartier",
                "Foyers équipés",
                "dont avec enfants scolarisés",
                "dont avec une personne en recherche d'emploi",
                "dont aux minima sociaux",
            ],
            [
                [
                    r["quartier"],
                    r["foyers"],
                    r["avec_enfants_scolarises"],
                    r["demandeurs_emploi"],
                    r["minima"],
                ]
                for r in households_equipped(scope)
            ],
            chart=None,
        ),
    ]
    section.tables = tables
    section.notes = [
        "Chiffres comptés sur l'historique des appareils (événements datés), jamais sur des "
        "compteurs ; le délai d'attente court de l'inscription en liste d'attente à la remise."
    ]
    return section


def api_block(scope: figures.Scope) -> dict:
    t = totals(scope)
    return {
        **t,
        "par_etape": [
            {"code": etat, "label": Etat(etat).label, "valeur": n}
            for etat, n in reached(scope).items()
            if etat in PATH
        ],
        "demandes_par_statut": [
            {"code": s, "label": StatutDemande(s).label, "valeur": n}
            for s, n in requests_by_status(scope).items()
        ],
    }


def register():
    figures.register_section(
        figures.SectionSpec(
            "ordinateurs",
            "Ordinateurs solidaires",
            60,
            build_section,
            roles=READERS,
            filters=("quartier",),  # of the households' residence
        )
    )
    figures.register_api_block("ordinateurs", api_block)
