"""Figures of the workshop path: the one place that says what they mean and how they count.

- a *session held* (séance tenue) is a session of the period whose day has come and that was not
  cancelled;
- a *participation* is one person marked present at a session held; *unique participants* are
  distinct people (a record merged into another counts as that other one);
- the *fill rate* is registered places over the places offered, on the sessions held (people who
  came without registering take a place too);
- the *attendance rate* is people present over people registered, on the sessions where
  attendance was taken;
- the *waiting list* counts people still waiting when the session was held (demand not met), and
  those who got a place from it.

The dashboard's filters apply as follows: period (session day), lieux and quartiers (the session's
lieu), conseillers (facilitators). Workshops are collective activities: the médiation log's
activity-type filter on individual help only leaves none. Thématiques belong to the médiation log
and do not filter workshops (the dashboard says so on this section).
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from poitiers_inclusion import figures
from poitiers_inclusion.enums import TrancheAge
from poitiers_inclusion.models import Usager

from .enums import Presence, StatutInscription
from .models import Inscription, Module, Seance
from .perms import READERS

# The médiation log's activity-type filter (declared by permanences) and its collective value.
ACTIVITY_TYPE, COLLECTIVE = "type", "collectif"
# The dashboard filters this section applies, besides the period.
FILTERS = ("lieu", "quartier", "conseiller", ACTIVITY_TYPE)

# The person of an inscription: the record its usager was merged into, else the usager. The
# merged records are few (the index on merged_into finds them, hashed once per statement): a
# join to every usager read the whole table for each figure.
_MERGED = Usager.objects.filter(merged_into__isnull=False)
PERSON = Case(
    When(
        usager_id__in=_MERGED.values("pk"),
        then=Subquery(_MERGED.filter(pk=OuterRef("usager_id")).values("merged_into_id")[:1]),
    ),
    default=F("usager_id"),
    output_field=IntegerField(),
)
PRESENT = Q(presence=Presence.PRESENT)


def seances(scope: figures.Scope):
    """The sessions held in the scope (see the module's docstring)."""
    qs = Seance.objects.held(timezone.localdate()).for_figures(scope.user)
    if scope.chosen(ACTIVITY_TYPE) and COLLECTIVE not in scope.chosen(ACTIVITY_TYPE):
        return qs.none()
    if scope.start:
        qs = qs.filter(date__gte=scope.start)
    if scope.end:
        qs = qs.filter(date__lte=scope.end)
    if scope.lieux:
        qs = qs.filter(lieu__in=scope.lieux)
    if scope.quartiers:
        qs = qs.filter(lieu__quartier__in=scope.quartiers)
    if scope.conseillers:
        qs = qs.filter(animateurs__in=scope.conseillers)
    return qs.distinct()


def _inscriptions(scope: figures.Scope):
    # No ordering: the model's would make each DISTINCT below distinct per inscription.
    return Inscription.objects.filter(seance__in=seances(scope)).order_by()


def participants(scope: figures.Scope) -> set[int]:
    """The people (kept records' ids) present at least once at a session held in the scope."""

    def compute():
        rows = _inscriptions(scope).filter(PRESENT).annotate(person=PERSON)
        return set(rows.values_list("person", flat=True).distinct())

    return figures.memoized(scope, "ateliers.participants", compute)


def _rate(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def totals(scope: figures.Scope) -> dict:
    def compute():
        held = seances(scope)
        places = Seance.objects.filter(pk__in=held).aggregate(n=Sum("capacite"))["n"] or 0
        counts = _inscriptions(scope).aggregate(
            inscrits=Count("pk", filter=Q(statut=StatutInscription.INSCRIT)),
            presents=Count("pk", filter=PRESENT),
            attente=Count("pk", filter=Q(statut=StatutInscription.ATTENTE)),
            promus=Count("pk", filter=Q(promoted_at__isnull=False)),
            pointes=Count("pk", filter=~Q(presence="")),
        )
        # Attendance rate: only where attendance was taken (someone marked present or absent).
        taken = _inscriptions(scope).filter(
            statut=StatutInscription.INSCRIT,
            seance__in=Inscription.objects.exclude(presence="").values("seance"),
        )
        where_taken = taken.aggregate(registered=Count("pk"), presents=Count("pk", filter=PRESENT))
        registered_where_taken = where_taken["registered"]
        presents_where_taken = where_taken["presents"]
        return {
            "seances": held.count(),
            "participants_uniques": len(participants(scope)),
            "participations": counts["presents"],
            "inscriptions": counts["inscrits"],
            "places": places,
            "liste_attente": counts["attente"],
            "passes_de_la_liste_attente": counts["promus"],
            "taux_remplissage": _rate(counts["inscrits"], places),
            "taux_presence": _rate(presents_where_taken, registered_where_taken),
        }

    return figures.memoized(scope, "ateliers.totals", compute)


def per_module(scope: figures.Scope) -> list[dict]:
    held = seances(scope)
    rows = (
        Module.objects.filter(seances__in=held)
        .annotate(nb_seances=Count("seances", distinct=True))
        .order_by("parcours__ordre", "ordre", "titre")
        .select_related("parcours")
    )
    inscriptions = {
        row["seance__module"]: row
        for row in _inscriptions(scope)
        .values("seance__module")
        .annotate(
            inscrits=Count("pk", filter=Q(statut=StatutInscription.INSCRIT)),
            presents=Count("pk", filter=PRESENT),
            personnes=Count(PERSON, filter=PRESENT, distinct=True),
        )
    }
    capacity = {
        row["module"]: row["places"]
        for row in held.order_by().values("module").annotate(places=Sum("capacite"))
    }
    result = []
    for module in rows:
        counts = inscriptions.get(module.pk, {})
        result.append(
            {
                "module": module,
                "seances": module.nb_seances,
                "inscrits": counts.get("inscrits", 0),
                "presents": counts.get("presents", 0),
                "personnes": counts.get("personnes", 0),
                "remplissage": _rate(counts.get("inscrits", 0), capacity.get(module.pk, 0)),
            }
        )
    return result


def per_lieu(scope: figures.Scope) -> list[dict]:
    held = seances(scope)
    by_lieu = {
        row["lieu__nom"]: row
        for row in held.order_by().values("lieu__nom").annotate(n=Count("pk", distinct=True))
    }
    presents = {
        row["seance__lieu__nom"]: row
        for row in _inscriptions(scope)
        .values("seance__lieu__nom")
        .annotate(
            presents=Count("pk", filter=PRESENT),
            personnes=Count(PERSON, filter=PRESENT, distinct=True),
        )
    }
    return [
        {
            "lieu": nom,
            "seances": row["n"],
            "presents": presents.get(nom, {}).get("presents", 0),
            "personnes": presents.get(nom, {}).get("personnes", 0),
        }
        for nom, row in sorted(by_lieu.items())
    ]


def per_month(scope: figures.Scope) -> list[dict]:
    held = seances(scope)
    months = {
        row["month"]: row["n"]
        for row in held.order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("pk", distinct=True))
    }
    presents = {
        row["month"]: row["n"]
        for row in _inscriptions(scope)
        .filter(PRESENT)
        .annotate(month=TruncMonth("seance__date"))
        .values("month")
        .annotate(n=Count("pk"))
    }
    return [
        {"mois": month, "seances": n, "presents": presents.get(month, 0)}
        for month, n in sorted(months.items())
    ]


def per_age_band(scope: figures.Scope) -> list[dict]:
    """Unique participants by age band (derived from the birth year when known)."""
    # Grouped by what the band derives from (a few hundred groups, not one row per person),
    # then each group's band by the model's own rule. The participants as an array: PostgreSQL
    # then reads their records by the primary key, not the whole table.
    present = _inscriptions(scope).filter(PRESENT).annotate(person=PERSON).values("person")
    try:
        sql, params = present.distinct().query.sql_with_params()
    except EmptyResultSet:  # no session in the scope (the individual help filter)
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT birth_year, tranche_age, count(*) FROM kernel_usager "
            f"WHERE id = ANY(ARRAY({sql})) GROUP BY 1, 2",
            params,
        )
        groups = cursor.fetchall()
    counts: dict[str, int] = {}
    for birth_year, tranche_age, n in groups:
        band = Usager(birth_year=birth_year, tranche_age=tranche_age).age_band
        counts[band] = counts.get(band, 0) + n
    return [
        {"code": code, "label": label, "valeur": counts[code]}
        for code, label in TrancheAge.choices
        if counts.get(code)
    ]


def _percent(value):
    return figures.percent(value)


def build_section(scope: figures.Scope) -> figures.Section:
    t = totals(scope)
    modules = per_module(scope)
    return figures.Section(
        key="ateliers",
        title="Ateliers",
        kpis=[
            ("Séances tenues", t["seances"]),
            ("Participants uniques", t["participants_uniques"]),
            ("Présences", t["participations"]),
            ("Taux de remplissage", _percent(t["taux_remplissage"])),
            ("Taux de présence", _percent(t["taux_presence"])),
            ("Restés en liste d'attente", t["liste_attente"]),
            ("Places obtenues depuis la liste d'attente", t["passes_de_la_liste_attente"]),
        ],
        tables=[
            figures.Table(
                "ateliers_modules",
                "Par module",
                [
                    "Module",
                    "Niveau",
                    "Séances",
                    "Inscrits",
                    "Présences",
                    "Participants uniques",
                    "Remplissage (%)",
                ],
                [
                    [
                        row["module"].titre,
                        row["module"].get_niveau_display(),
                        row["seances"],
                        row["inscrits"],
                        row["presents"],
                        row["personnes"],
                        row["remplissage"],
                    ]
                    for row in modules
                ],
                chart=None,
            ),
            figures.Table(
                "ateliers_mois",
                "Séances et présences par mois",
                ["Mois", "Séances", "Présences"],
                [
                    [f"{row['mois']:%m/%Y}", row["seances"], row["presents"]]
                    for row in per_month(scope)
                ],
                chart="line",
            ),
            figures.Table(
                "ateliers_lieux",
                "Par lieu",
                ["Lieu", "Séances", "Présences", "Participants uniques"],
                [
                    [row["lieu"], row["seances"], row["presents"], row["personnes"]]
                    for row in per_lieu(scope)
                ],
                chart="bar",
            ),
            figures.Table(
                "ateliers_ages",
                "Participants par tranche d'âge",
                ["Tranche d'âge", "Participants uniques"],
                [[row["label"], row["valeur"]] for row in per_age_band(scope)],
                chart="bar",
            ),
        ],
        notes=[
            "Une séance tenue est une séance non annulée dont le jour est passé ; le taux de "
            "présence se calcule sur les séances où la présence a été notée."
        ],
    )


def api_block(scope: figures.Scope) -> dict:
    t = totals(scope)
    return {
        **{key: value for key, value in t.items() if not key.startswith("taux_")},
        "taux_remplissage": t["taux_remplissage"],
        "taux_presence": t["taux_presence"],
        "par_module": [
            {
                "code": str(row["module"].pk),
                "label": row["module"].titre,
                "valeur": row["seances"],
                "presences": row["presents"],
                "participants_uniques": row["personnes"],
            }
            for row in per_module(scope)
        ],
        "par_mois": [
            {
                "code": f"{row['mois']:%Y-%m}",
                "label": f"{row['mois']:%m/%Y}",
                "valeur": row["seances"],
                "presences": row["presents"],
            }
            for row in per_month(scope)
        ],
        "par_tranche_age": per_age_band(scope),
    }


def register():
    figures.register_section(
        figures.SectionSpec(
            "ateliers", "Ateliers", 35, build_section, roles=READERS, filters=FILTERS
        )
    )
    figures.register_api_block("ateliers", api_block)
