"""Figures of the médiation log, the SQL aggregates: the one place that says what they mean and
how they are counted; `breakdowns` reads them per dimension, `activity` lays them out.

Units:
- an *accompagnement* is one person helped in one activity: the national figure "médiations";
  every breakdown of the activity (per month, lieu, conseiller, thématique, duration, matériel,
  autonomy, redirection, satisfaction, source) counts accompagnements;
- an *activité* is one report (one individual help, or one workshop session);
- *unique usagers* are distinct people: a usager merged into another counts as that other one;
  the publics (genre, age band, statut, quartier of residence) count unique usagers;
- a *new* usager is one whose very first accompagnement (any conseiller, any place) falls in the
  period; the others are *returning*.

Every function takes a `poitiers_inclusion.figures.Scope`: the viewer (a conseiller sees their
own activity, coordinator and admin everyone's; no user = the whole city, for commands) and the
filters (dates inclusive, lieux, quartiers of the lieu, conseillers, and the log's own filters
it declares to the dashboard: activity type and thématique). All is computed by SQL aggregates,
never by a loop over rows; see "The aggregates" below.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Q

from poitiers_inclusion import figures
from poitiers_inclusion.models import Usager, age_band_expression
from poitiers_inclusion.replica import figures_connection

from ..enums import TrancheDuree, TypeActivite
from ..models import Mediation
from . import engine

# --- The scoped base ---------------------------------------------------------------------------

# The log's own dashboard filters (registered by `activity`): the keys its figures read in a
# scope.
TYPE, THEMATIQUE = "type", "thematique"
# The filters the log's sections apply, besides the period.
FILTERS = ("lieu", "quartier", "conseiller", TYPE, THEMATIQUE)


def mediations(scope: figures.Scope):
    """The activity reports the viewer may see, restricted by the scope's filters."""
    qs = Mediation.objects.for_figures(scope.user)
    if scope.start:
        qs = qs.filter(date__gte=scope.start)
    if scope.end:
        qs = qs.filter(date__lte=scope.end)
    if scope.lieux:
        qs = qs.filter(lieu_id__in=scope.lieux)
    if scope.quartiers:
        qs = qs.filter(lieu__quartier_id__in=scope.quartiers)
    if scope.conseillers:
        qs = qs.filter(conseiller_id__in=scope.conseillers)
    if scope.chosen(TYPE):
        qs = qs.filter(type_activite__in=scope.chosen(TYPE))
    if scope.chosen(THEMATIQUE):
        qs = qs.filter(thematiques__overlap=list(scope.chosen(THEMATIQUE)))
    return qs


# --- The aggregates ----------------------------------------------------------------------------
# A dashboard view needs about twenty breakdowns of the same scoped rows. Rather than one query
# per breakdown, a handful of SQL statements compute them together (GROUPING SETS, one pass over
# the rows each), and their results are kept on the Scope for the rest of the request: the
# figures below only read them. PERSON is the usager after merges (merging moves accompagnements
# to the record kept; the join, on merged records only, covers any left behind).

FACT_COLUMNS = (
    "id",
    "date",
    "lieu_id",
    "conseiller_id",
    "type_activite",
    "duree_minutes",
    "autonomie",
    "redirige",
    "structure_redirection",
    "satisfaction",
    "source_connaissance",
    "thematiques",
    "thematiques_demarche",
    "materiel",
)


# A médiation's (m) duration band (NULL: the last band) and its autonomy, counted for individual
# help only; the figures store computes its columns with the same SQL.
BAND_AND_AUTONOMY = """CASE WHEN m.duree_minutes < 30 THEN %s WHEN m.duree_minutes < 60 THEN %s
                            WHEN m.duree_minutes < 120 THEN %s ELSE %s END AS band,
                       CASE WHEN m.type_activite = %s THEN m.autonomie END AS aut"""
BAND_AND_AUTONOMY_PARAMS = [
    TrancheDuree.MOINS_30.value,
    TrancheDuree.DE_30_A_60.value,
    TrancheDuree.DE_60_A_120.value,
    TrancheDuree.PLUS_120.value,
    TypeActivite.INDIVIDUEL.value,
]

MERGED = "LEFT JOIN kernel_usager merged ON merged.id = a.usager_id AND merged.merged_into_id IS NOT NULL"
PERSON = "COALESCE(merged.merged_into_id, a.usager_id)"


def _facts(scope: figures.Scope) -> tuple[str, list] | None:
    """FROM clause of the scoped médiations (alias m) joined to their accompagnements (alias a);
    None when the viewer may see nothing."""
    qs = mediations(scope).order_by().values(*FACT_COLUMNS)
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return None
    return f"({sql}) m JOIN permanences_accompagnement a ON a.mediation_id = m.id {MERGED}", list(
        params
    )


def _stored(scope: figures.Scope) -> "engine.Rows | None":
    """The scope's rows in the columnar figures store (`store`), read once per request; None
    when there is no store or the viewer sees no médiation: the SQL below then answers."""
    return figures.memoized(scope, "activity.stored", lambda: engine.rows_for(scope))


def _fetch(sql: str, params: list) -> list[dict]:
    with figures_connection().cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def people_sets(scope: figures.Scope) -> dict:
    """Accompagnements and unique usagers in all, per month, per lieu and per conseiller."""

    def compute():
        if (rows := _stored(scope)) is not None:
            return engine.people_sets(rows)
        facts = _facts(scope)
        result = {"total": {}, "month": [], "lieu": [], "conseiller": []}
        if facts is None:
            return result
        from_sql, params = facts
        rows = _fetch(
            f"""
            SELECT GROUPING(date_trunc('month', m.date), m.lieu_id, m.conseiller_id) AS g,
                   date_trunc('month', m.date)::date AS month, m.lieu_id, m.conseiller_id,
                   count(*) AS n, count(DISTINCT {PERSON}) AS people,
                   count(*) FILTER (WHERE m.type_activite = %s) AS individuels,
                   count(*) FILTER (WHERE m.type_activite = %s) AS collectifs
            FROM {from_sql}
            GROUP BY GROUPING SETS (
                (date_trunc('month', m.date)), (m.lieu_id), (m.conseiller_id), ()
            )""",
            [TypeActivite.INDIVIDUEL.value, TypeActivite.COLLECTIF.value, *params],
        )
        sets = {3: "month", 5: "lieu", 6: "conseiller"}
        for row in rows:
            if row["g"] == 7:
                result["total"] = row
            else:
                result[sets[row["g"]]].append(row)
        activites = _fetch(f"SELECT count(DISTINCT a.mediation_id) AS n FROM {from_sql}", params)[
            0
        ]["n"]
        result["total"] = {**result["total"], "activites": activites}
        return result

    return figures.memoized(scope, "activity.people", compute)


def plain_counts(scope: figures.Scope) -> dict[str, dict]:
    """Accompagnements per duration band, autonomy (individual help only), redirection and the
    structure redirected to, satisfaction and source, in one pass."""

    def compute():
        if (rows := _stored(scope)) is not None:
            return engine.plain_counts(rows)
        facts = _facts(scope)
        result = {key: {} for key in ("band", "aut", "structure", "satisfaction", "source")}
        result["redirige"] = 0
        if facts is None:
            return result
        from_sql, params = facts
        rows = _fetch(
            f"""
            SELECT GROUPING(band, aut, redirige, structure, satisfaction, source) AS g,
                   band, aut, redirige, structure, satisfaction, source, count(*) AS n
            FROM (
                SELECT {BAND_AND_AUTONOMY},
                       m.redirige, m.structure_redirection AS structure, m.satisfaction,
                       m.source_connaissance AS source
                FROM {from_sql}
            ) f
            GROUP BY GROUPING SETS ((band), (aut), (redirige, structure), (satisfaction), (source))
            """,
            [*BAND_AND_AUTONOMY_PARAMS, *params],
        )
        # GROUPING's bits, left to right: band, aut, redirige, structure, satisfaction, source.
        for row in rows:
            g, n = row["g"], row["n"]
            if g == 0b011111:
                result["band"][row["band"]] = n
            elif g == 0b101111 and row["aut"] is not None:  # NULL: a collective activity
                result["aut"][row["aut"]] = n
            elif g == 0b110011 and row["redirige"]:
                result["redirige"] += n
                key = row["structure"]
                result["structure"][key] = result["structure"].get(key, 0) + n
            elif g == 0b111101:
                result["satisfaction"][row["satisfaction"]] = n
            elif g == 0b111110:
                result["source"][row["source"]] = n
        return result

    return figures.memoized(scope, "activity.plain", compute)


def array_sets(scope: figures.Scope) -> dict[str, dict]:
    """Accompagnements per thématique, démarche and matériel (a row counts once per value)."""

    def compute():
        if (rows := _stored(scope)) is not None:
            return engine.array_sets(rows)
        facts = _facts(scope)
        result = {"t": {}, "d": {}, "m": {}}
        if facts is None:
            return result
        from_sql, params = facts
        rows = _fetch(
            f"""
            SELECT x.k, x.code, count(*) AS n FROM {from_sql}
            CROSS JOIN LATERAL (
                SELECT DISTINCT 't', unnest(m.thematiques)
                UNION ALL SELECT DISTINCT 'd', unnest(m.thematiques_demarche)
                UNION ALL SELECT DISTINCT 'm', unnest(m.materiel)
            ) AS x(k, code)
            GROUP BY 1, 2""",
            params,
        )
        for row in rows:
            result[row["k"]][row["code"]] = row["n"]
        return result

    return figures.memoized(scope, "activity.arrays", compute)


def publics_sets(scope: figures.Scope) -> dict:
    """Unique usagers per genre, age band, statut and quartier of residence, in one pass."""

    def compute():
        if (rows := _stored(scope)) is not None:
            return engine.publics_sets(rows)
        facts = _facts(scope)
        result = {"genre": {}, "band": {}, "statut": {}, "quartier": [], "usagers": 0}
        if facts is None:
            return result
        from_sql, params = facts
        people = (
            Usager.objects.order_by()
            .annotate(band=age_band_expression())
            .values("id", "genre", "band", "statut_social", "quartier_id")
        )
        people_sql, people_params = people.query.sql_with_params()
        rows = _fetch(
            f"""
            SELECT GROUPING(p.genre, p.band, p.statut_social, p.quartier_id) AS g,
                   p.genre, p.band, p.statut_social, p.quartier_id, q.nom, q.qpv, count(*) AS n
            FROM ({people_sql}) p LEFT JOIN reseau_quartier q ON q.id = p.quartier_id
            WHERE p.id IN (SELECT {PERSON} FROM {from_sql})
            GROUP BY GROUPING SETS (
                (p.genre), (p.band), (p.statut_social), (p.quartier_id, q.nom, q.qpv), ()
            )""",
            [*people_params, *params],
        )
        for row in rows:
            g, n = row["g"], row["n"]
            if g == 0b0111:
                result["genre"][row["genre"]] = n
            elif g == 0b1011:
                result["band"][row["band"]] = n
            elif g == 0b1101:
                result["statut"][row["statut_social"]] = n
            elif g == 0b1110:
                result["quartier"].append(row)
            else:
                result["usagers"] = n
        return result

    return figures.memoized(scope, "activity.publics", compute)


# --- Totals ------------------------------------------------------------------------------------


def totals(scope: figures.Scope) -> dict[str, int]:
    """Accompagnements (all, individual, collective), activities and unique usagers."""
    total = people_sets(scope)["total"]
    return {
        "total": total.get("n") or 0,
        "individuels": total.get("individuels") or 0,
        "collectifs": total.get("collectifs") or 0,
        "activites": total.get("activites") or 0,
        "usagers_uniques": total.get("people") or 0,
    }


def persons_seen(scope: figures.Scope, persons) -> set[int]:
    """Which of these people (ids of kept records: a set, or a sorted array of distinct ids)
    have an accompagnement in the scope: how another app's figures (workshop participants) meet
    these ones without counting anyone twice. Driven by the index on accompagnements' usager, so
    it stays quick at any volume."""
    if not len(persons):
        return set()
    if (rows := _stored(scope)) is not None:
        return engine.persons_seen(rows, persons)
    wanted = [int(pk) for pk in persons]
    records = list(
        Usager.objects.filter(Q(pk__in=wanted) | Q(merged_into__in=wanted)).values_list(
            "pk", flat=True
        )
    )
    facts = _facts(scope)
    if facts is None:
        return set()
    from_sql, params = facts
    rows = _fetch(
        f"SELECT DISTINCT {PERSON} AS person FROM {from_sql} WHERE a.usager_id = ANY(%s)",
        [*params, records],
    )
    return {row["person"] for row in rows}


def count_seen(scope: figures.Scope, persons) -> int:
    """len(persons_seen(scope, persons)), without making a set of hundreds of thousands."""
    if len(persons) and (rows := _stored(scope)) is not None:
        return len(engine.seen_among(rows, persons))
    return len(persons_seen(scope, persons))


def new_and_returning(scope: figures.Scope) -> dict[str, int]:
    """Unique usagers of the scope whose first accompagnement ever is in the period, and the rest."""
    usagers = totals(scope)["usagers_uniques"]
    rows = _stored(scope)
    facts = None if rows is not None else _facts(scope)
    if not scope.start or (rows is None and facts is None):
        return {"nouveaux": usagers, "revenus": 0}

    def compute():
        if rows is not None:
            return engine.new_count(rows, scope.start)
        from_sql, params = facts
        row = _fetch(
            f"""
            SELECT count(*) FILTER (WHERE first >= %s) AS nouveaux FROM (
                SELECT COALESCE(u.merged_into_id, u.id) AS person, min(med.date) AS first
                FROM permanences_accompagnement acc
                JOIN permanences_mediation med ON med.id = acc.mediation_id
                JOIN kernel_usager u ON u.id = acc.usager_id
                WHERE COALESCE(u.merged_into_id, u.id) IN (SELECT {PERSON} FROM {from_sql})
                GROUP BY 1
            ) firsts""",
            [scope.start, *params],
        )[0]
        return row["nouveaux"]

    nouveaux = figures.memoized(scope, "activity.new", compute)
    return {"nouveaux": nouveaux, "revenus": usagers - nouveaux}
