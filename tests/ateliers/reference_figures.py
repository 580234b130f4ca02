"""The workshop figures as they were computed before numpy (ateliers/figures.py until
2026-12-06): one SQL statement per figure. Kept as the oracle the new path is compared with
(test_figures_equivalence.py); not used by the application. Which sessions are held in a scope
is still `ateliers.figures_data.seances`, a queryset both paths read."""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from ateliers.enums import StatutInscription
from ateliers.figures_data import PERSON, PRESENT, seances
from ateliers.models import Inscription, Module, Seance
from poitiers_inclusion import figures
from poitiers_inclusion.enums import TrancheAge
from poitiers_inclusion.models import Usager


def _inscriptions(scope: figures.Scope):
    # No ordering: the model's would make each DISTINCT below distinct per inscription.
    return Inscription.objects.filter(seance__in=seances(scope)).order_by()


def participants(scope: figures.Scope) -> set[int]:
    """The people (kept records' ids) present at least once at a session held in the scope."""

    rows = _inscriptions(scope).filter(PRESENT).annotate(person=PERSON)
    return set(rows.values_list("person", flat=True).distinct())


def _rate(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def totals(scope: figures.Scope) -> dict:
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
