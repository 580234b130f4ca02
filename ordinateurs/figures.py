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

import datetime

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Func, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from poitiers_inclusion import figures
from reseau.models import Quartier

from .enums import PATH, Etat, StatutDemande, TrancheRevenus
from .models import Attribution, Demande, Don, Evenement, Foyer, Ordinateur
from .perms import READERS, WORKSHOP_ROLES


def sees_devices(scope: figures.Scope) -> bool:
    return scope.user is None or getattr(scope.user, "role", None) in WORKSHOP_ROLES


def _in_period(qs, field: str, scope: figures.Scope):
    """The rows whose `field` (a moment) falls on a day of the period, in local time: bounds
    on the moment itself, which its index answers (a day computed for every row reads them
    all)."""
    if scope.start:
        qs = qs.filter(**{f"{field}__gte": _midnight(scope.start)})
    if scope.end:
        qs = qs.filter(**{f"{field}__lt": _midnight(scope.end + datetime.timedelta(days=1))})
    return qs


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _events(scope: figures.Scope):
    return _in_period(Evenement.objects.all(), "at", scope)


def reached(scope: figures.Scope) -> dict[str, int]:
    """Distinct devices that reached each state in the period (one query per request)."""

    def compute():
        # Read in the order of the index on (state, device, date): each state's devices come
        # sorted, so no event is sorted or hashed (a hashed DISTINCT of the pairs took 165 ms
        # over the 280,000 events of national scale).
        counts = dict(
            _events(scope)
            .order_by()
            .values_list("vers")
            .annotate(n=Count("ordinateur_id", distinct=True))
        )
        return {etat: counts.get(etat, 0) for etat in Etat.values}

    return figures.memoized(scope, "ordinateurs.reached", compute)


def _demandes(scope: figures.Scope):
    qs = Demande.objects.for_figures(scope.user)
    if scope.quartiers:
        qs = qs.filter(foyer__quartier__in=scope.quartiers)
    return qs


def _handovers(scope: figures.Scope):
    qs = Attribution.objects.filter(handed_over_at__isnull=False, cancelled_at__isnull=True)
    demandes = _demandes(scope)
    if demandes.query.where:  # not every request
        qs = qs.filter(demande__in=demandes)
    return _in_period(qs, "handed_over_at", scope)


# The hand-overs' figures in one statement: the households (each once, with their situation)
# per quartier, and the hand-overs with their median wait in days. {handovers}: the hand-overs'
# (household, wait in seconds) rows, read twice (shared through a CTE, the planner loses their
# count and looks each household up by its key: twice as slow).
_HANDOVERS_SQL = """
SELECT false AS whole, q.nom, sum(c.n), sum(c.e), sum(c.d), sum(c.m), NULL::float8
FROM (
    SELECT f.quartier_id, count(*) AS n,
           count(*) FILTER (WHERE f.enfants_scolarises > 0) AS e,
           count(*) FILTER (WHERE f.demandeur_emploi) AS d,
           count(*) FILTER (WHERE f.tranche_revenus = %s) AS m
    FROM {foyer} f WHERE f.id IN (SELECT h.foyer FROM ({handovers}) h) GROUP BY 1
) c LEFT JOIN {quartier} q ON q.id = c.quartier_id
GROUP BY q.nom
UNION ALL
SELECT true, NULL, count(*), NULL, NULL, NULL,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY floor(h.wait / 86400))
FROM ({handovers}) h
ORDER BY 1, 3 DESC, 2
"""


class Epoch(Func):
    """The seconds of an interval (double precision: floored to days, exact for any wait)."""

    template = "date_part('epoch', %(expressions)s)"
    output_field = FloatField()


def _handover_figures(scope: figures.Scope) -> dict:
    """Households equipped per quartier (their quartier's name, as the table shows them), all
    households equipped, devices handed over, median wait in days (timedelta.days: floored)."""

    def compute():
        waited = ExpressionWrapper(
            F("handed_over_at") - Coalesce("demande__waitlisted_at", "demande__created_at"),
            output_field=DurationField(),
        )
        rows = _handovers(scope).order_by().values_list("demande__foyer_id", Epoch(waited))
        sql, params = rows.query.sql_with_params()
        handovers = f"SELECT r.col1 AS foyer, r.col2 AS wait FROM ({sql}) r(col1, col2)"
        with connection.cursor() as cursor:
            cursor.execute(
                _HANDOVERS_SQL.format(
                    handovers=handovers,
                    foyer=Foyer._meta.db_table,
                    quartier=Quartier._meta.db_table,
                ),
                [TrancheRevenus.MINIMA, *params, *params],
            )
            found = cursor.fetchall()
        *groups, (_, _, count, _, _, _, median) = found
        households = [
            {
                "quartier": nom or "Non renseigné",
                "foyers": int(n),
                "avec_enfants_scolarises": int(e),
                "demandeurs_emploi": int(d),
                "minima": int(m),
            }
            for _, nom, n, e, d, m, _ in groups
        ]
        return {
            "households": households,
            "foyers": sum(row["foyers"] for row in households),  # each in one quartier
            "remis": count,
            "median": None if median is None else round(median),
        }

    return figures.memoized(scope, "ordinateurs.handovers", compute)


def totals(scope: figures.Scope) -> dict:
    def compute():
        handovers = _handover_figures(scope)
        result = {"foyers_equipes": handovers["foyers"]}
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
            result["remis"] = handovers["remis"]
        result["delai_median_jours"] = handovers["median"]
        return result

    return figures.memoized(scope, "ordinateurs.totals", compute)


def requests_by_status(scope: figures.Scope) -> dict[str, int]:
    qs = _in_period(_demandes(scope), "created_at", scope)
    counts = dict(qs.values_list("statut").annotate(n=Count("*")))
    return {statut: counts.get(statut, 0) for statut in StatutDemande.values}


def stock_now() -> dict[str, int]:
    # COUNT(*), not of the key: the index on the state answers alone.
    counts = dict(Ordinateur.objects.values_list("etat").annotate(n=Count("*")))
    return {etat: counts.get(etat, 0) for etat in Etat.values if counts.get(etat)}


def households_equipped(scope: figures.Scope) -> list[dict]:
    """Households equipped in the period, by quartier, with their situation."""
    return _handover_figures(scope)["households"]


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
