"""Figures of the médiation log: the one place that says what they mean and how they are counted.

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

import dataclasses

from django.core.exceptions import EmptyResultSet
from django.db.models import Q

from poitiers_inclusion import figures
from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.models import Usager, User, age_band_expression
from poitiers_inclusion.replica import figures_connection
from reseau.models import Lieu

from ..enums import (
    Autonomie,
    Materiel,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TrancheDuree,
    TypeActivite,
)
from ..models import Mediation
from ..perms import READERS

NOT_GIVEN = "Non renseigné"
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


# --- The scoped base ---------------------------------------------------------------------------

# The log's own dashboard filters (registered below): the keys its figures read in a scope.
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


def _fetch(sql: str, params: list) -> list[dict]:
    with figures_connection().cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _people_sets(scope: figures.Scope) -> dict:
    """Accompagnements and unique usagers in all, per month, per lieu and per conseiller."""

    def compute():
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


def _plain_counts(scope: figures.Scope) -> dict[str, dict]:
    """Accompagnements per duration band, autonomy (individual help only), redirection and the
    structure redirected to, satisfaction and source, in one pass."""

    def compute():
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
                SELECT CASE WHEN m.duree_minutes < 30 THEN %s WHEN m.duree_minutes < 60 THEN %s
                            WHEN m.duree_minutes < 120 THEN %s ELSE %s END AS band,
                       CASE WHEN m.type_activite = %s THEN m.autonomie END AS aut,
                       m.redirige, m.structure_redirection AS structure, m.satisfaction,
                       m.source_connaissance AS source
                FROM {from_sql}
            ) f
            GROUP BY GROUPING SETS ((band), (aut), (redirige, structure), (satisfaction), (source))
            """,
            [
                TrancheDuree.MOINS_30.value,
                TrancheDuree.DE_30_A_60.value,
                TrancheDuree.DE_60_A_120.value,
                TrancheDuree.PLUS_120.value,
                TypeActivite.INDIVIDUEL.value,
                *params,
            ],
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


def _array_sets(scope: figures.Scope) -> dict[str, dict]:
    """Accompagnements per thématique, démarche and matériel (a row counts once per value)."""

    def compute():
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


def _publics(scope: figures.Scope) -> dict:
    """Unique usagers per genre, age band, statut and quartier of residence, in one pass."""

    def compute():
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
    total = _people_sets(scope)["total"]
    return {
        "total": total.get("n") or 0,
        "individuels": total.get("individuels") or 0,
        "collectifs": total.get("collectifs") or 0,
        "activites": total.get("activites") or 0,
        "usagers_uniques": total.get("people") or 0,
    }


def persons_seen(scope: figures.Scope, persons: set[int]) -> set[int]:
    """Which of these people (ids of kept records) have an accompagnement in the scope: how
    another app's figures (workshop participants) meet these ones without counting anyone twice.
    Driven by the index on accompagnements' usager, so it stays quick at any volume."""
    facts = _facts(scope) if persons else None
    if facts is None:
        return set()
    records = list(
        Usager.objects.filter(Q(pk__in=persons) | Q(merged_into__in=persons)).values_list(
            "pk", flat=True
        )
    )
    from_sql, params = facts
    rows = _fetch(
        f"SELECT DISTINCT {PERSON} AS person FROM {from_sql} WHERE a.usager_id = ANY(%s)",
        [*params, records],
    )
    return {row["person"] for row in rows}


def new_and_returning(scope: figures.Scope) -> dict[str, int]:
    """Unique usagers of the scope whose first accompagnement ever is in the period, and the rest."""
    usagers = totals(scope)["usagers_uniques"]
    facts = _facts(scope)
    if not scope.start or facts is None:
        return {"nouveaux": usagers, "revenus": 0}

    def compute():
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


# --- Breakdowns --------------------------------------------------------------------------------
# Each returns a list of {"code", "label", "valeur"} (and "usagers" where it makes sense).


def _rows(pairs, labels: dict, *, keep_empty=False, unknown_label=NOT_GIVEN):
    rows = []
    for code, value in pairs:
        if not value and not keep_empty:
            continue
        rows.append(
            {
                "code": code if code not in (None, "") else "",
                "label": labels.get(code, unknown_label) if code else unknown_label,
                "valeur": value or 0,
            }
        )
    return rows


def _ordered(counts: dict, choices) -> list[dict]:
    """Counts per code, in the order of the choices, unknown values (and "not given") last."""
    counts = dict(counts)
    labels = dict(choices)
    ordered = [(code, counts.pop(code, 0)) for code in labels]
    ordered += sorted(counts.items(), key=lambda kv: str(kv[0]))
    return _rows(ordered, labels)


def per_month(scope: figures.Scope) -> list[dict]:
    rows = sorted(_people_sets(scope)["month"], key=lambda r: r["month"])
    return [
        {
            "code": f"{r['month']:%Y-%m}",
            "label": f"{MONTHS[r['month'].month - 1]} {r['month'].year}",
            "valeur": r["n"],
            "usagers": r["people"],
        }
        for r in rows
    ]


def per_lieu(scope: figures.Scope) -> list[dict]:
    rows = _people_sets(scope)["lieu"]
    names = dict(Lieu.objects.filter(pk__in=[r["lieu_id"] for r in rows]).values_list("pk", "nom"))
    result = [
        {
            "code": r["lieu_id"] or "",
            "label": names.get(r["lieu_id"]) or "Hors lieu (domicile, à distance…)",
            "valeur": r["n"],
            "usagers": r["people"],
        }
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r["valeur"], r["label"]))


def per_conseiller(scope: figures.Scope) -> list[dict]:
    rows = _people_sets(scope)["conseiller"]
    people = {
        u.pk: u
        for u in User.objects.filter(pk__in=[r["conseiller_id"] for r in rows]).only(
            "first_name", "last_name", "email"
        )
    }
    result = []
    for r in rows:
        user = people[r["conseiller_id"]]
        result.append(
            {
                "code": r["conseiller_id"],
                "label": f"{user.first_name} {user.last_name}".strip() or user.email,
                "valeur": r["n"],
                "usagers": r["people"],
                "_last_name": user.last_name,
            }
        )
    result.sort(key=lambda r: (-r["valeur"], r.pop("_last_name")))
    return result


def per_genre(scope: figures.Scope) -> list[dict]:
    return _ordered(_publics(scope)["genre"], Genre.choices)


def per_age_band(scope: figures.Scope) -> list[dict]:
    return _ordered(_publics(scope)["band"], TrancheAge.choices)


def per_statut(scope: figures.Scope) -> list[dict]:
    return _ordered(_publics(scope)["statut"], StatutSocial.choices)


def per_quartier(scope: figures.Scope) -> list[dict]:
    """Unique usagers per quartier of residence (not the lieu's)."""
    rows = sorted(_publics(scope)["quartier"], key=lambda r: (-r["n"], r["nom"] or ""))
    return [
        {
            "code": r["quartier_id"] or "",
            "label": (r["nom"] or NOT_GIVEN) + (" (QPV)" if r["qpv"] else ""),
            "valeur": r["n"],
        }
        for r in rows
    ]


def qpv_share(scope: figures.Scope) -> dict:
    """Unique usagers living in a QPV, among those whose quartier is known."""
    rows = _publics(scope)["quartier"]
    known = sum(r["n"] for r in rows if r["quartier_id"])
    qpv = sum(r["n"] for r in rows if r["quartier_id"] and r["qpv"])
    return {
        "qpv": qpv,
        "quartier_connu": known,
        "part": round(100 * qpv / known, 1) if known else None,
    }


def _array_rows(scope, key, choices) -> list[dict]:
    counts = _array_sets(scope)[key]
    return _rows([(code, counts.get(code, 0)) for code, _label in choices], dict(choices))


def per_thematique(scope: figures.Scope) -> list[dict]:
    return _array_rows(scope, "t", Thematique.choices)


def per_demarche(scope: figures.Scope) -> list[dict]:
    return _array_rows(scope, "d", ThematiqueDemarche.choices)


def per_materiel(scope: figures.Scope) -> list[dict]:
    return _array_rows(scope, "m", Materiel.choices)


def per_duration_band(scope: figures.Scope) -> list[dict]:
    return _ordered(_plain_counts(scope)["band"], TrancheDuree.choices)


def per_autonomie(scope: figures.Scope) -> list[dict]:
    return _ordered(_plain_counts(scope)["aut"], Autonomie.choices)


def redirections(scope: figures.Scope) -> dict:
    """Accompagnements redirected, and to which kind of structure."""
    counts = _plain_counts(scope)
    return {
        "redirigés": counts["redirige"],
        "par_structure": _ordered(counts["structure"], StructureRedirection.choices),
    }


def per_satisfaction(scope: figures.Scope) -> list[dict]:
    return _ordered(_plain_counts(scope)["satisfaction"], Satisfaction.choices)


def per_source(scope: figures.Scope) -> list[dict]:
    return _ordered(_plain_counts(scope)["source"], SourceConnaissance.choices)


def satisfied_share(scope: figures.Scope) -> float | None:
    """Share of the answers that are "satisfait" or "très satisfait" (in %), None if no answer."""
    counts = _plain_counts(scope)["satisfaction"]
    answered = sum(n for code, n in counts.items() if code)
    if not answered:
        return None
    satisfied = counts.get(Satisfaction.TRES_SATISFAIT, 0) + counts.get(Satisfaction.SATISFAIT, 0)
    return round(100 * satisfied / answered, 1)


# --- Dashboard sections and API block ----------------------------------------------------------


def _table(key, title, rows, *, first="", chart="bar", with_usagers=False, note=""):
    columns = [first, "Accompagnements"] + (["Usagers uniques"] if with_usagers else [])
    body = [
        [r["label"], r["valeur"]] + ([r.get("usagers", 0)] if with_usagers else []) for r in rows
    ]
    return figures.Table(key=key, title=title, columns=columns, rows=body, chart=chart, note=note)


def _people_table(key, title, rows, *, first, chart="bar"):
    return figures.Table(
        key=key,
        title=title,
        columns=[first, "Usagers uniques"],
        rows=[[r["label"], r["valeur"]] for r in rows],
        chart=chart,
    )


def general_section(scope: figures.Scope) -> figures.Section:
    t = totals(scope)
    nr = new_and_returning(scope)
    return figures.Section(
        key="general",
        title="Médiations",
        kpis=[
            ("Médiations (accompagnements)", t["total"]),
            ("Accompagnements individuels", t["individuels"]),
            ("Participations aux ateliers collectifs", t["collectifs"]),
            ("Activités saisies", t["activites"]),
            ("Usagers uniques", t["usagers_uniques"]),
            ("Nouveaux usagers", nr["nouveaux"]),
        ]
        # Without a start date every usager's first visit is in the period: nobody returns.
        + ([("Usagers revenus (déjà accompagnés avant)", nr["revenus"])] if scope.start else []),
        tables=[
            _table(
                "par_mois",
                "Par mois",
                per_month(scope),
                first="Mois",
                chart="line",
                with_usagers=True,
            ),
            _table("par_lieu", "Par lieu", per_lieu(scope), first="Lieu", with_usagers=True),
            dataclasses.replace(
                _table(
                    "par_conseiller",
                    "Par conseiller",
                    per_conseiller(scope),
                    first="Conseiller",
                    with_usagers=True,
                ),
                public=False,
            ),
            _table("par_duree", "Durée", per_duration_band(scope), first="Durée"),
        ],
        notes=[
            "Une médiation est une personne accompagnée lors d'une activité : un atelier de "
            "9 participants compte 9 médiations.",
            "Un usager identifié vu plusieurs fois, ou dans plusieurs lieux, compte une seule "
            "fois dans les usagers uniques.",
        ],
    )


def publics_section(scope: figures.Scope) -> figures.Section:
    qpv = qpv_share(scope)
    return figures.Section(
        key="publics",
        title="Publics accompagnés",
        kpis=[
            ("Usagers uniques", totals(scope)["usagers_uniques"]),
            (
                "Part des usagers résidant en QPV",
                figures.percent(qpv["part"]),
            ),
        ],
        tables=[
            _people_table("par_genre", "Genre", per_genre(scope), first="Genre", chart="pie"),
            _people_table(
                "par_tranche_age", "Tranche d'âge", per_age_band(scope), first="Tranche d'âge"
            ),
            _people_table("par_statut", "Statut", per_statut(scope), first="Statut", chart="pie"),
            _people_table(
                "par_quartier", "Quartier de résidence", per_quartier(scope), first="Quartier"
            ),
        ],
        notes=["Les publics comptent des personnes (usagers uniques), pas des médiations."],
    )


def thematiques_section(scope: figures.Scope) -> figures.Section:
    r = redirections(scope)
    return figures.Section(
        key="thematiques",
        title="Thématiques et accompagnement",
        kpis=[("Bénéficiaires réorientés", r["redirigés"])],
        tables=[
            _table("par_thematique", "Thématiques", per_thematique(scope), first="Thématique"),
            _table(
                "par_demarche",
                "Démarches administratives",
                per_demarche(scope),
                first="Démarche",
            ),
            _table(
                "par_materiel", "Matériel numérique utilisé", per_materiel(scope), first="Matériel"
            ),
            _table(
                "par_autonomie",
                "Niveau d’autonomie (accompagnements individuels)",
                per_autonomie(scope),
                first="Niveau d’autonomie",
            ),
            _table(
                "par_redirection",
                "Structure de redirection",
                r["par_structure"],
                first="Structure",
            ),
        ],
        notes=["Une médiation peut porter sur plusieurs thématiques : les totaux se recoupent."],
    )


def satisfaction_section(scope: figures.Scope) -> figures.Section:
    share = satisfied_share(scope)
    return figures.Section(
        key="satisfaction",
        title="Satisfaction et connaissance du service",
        kpis=[("Satisfaits ou très satisfaits", figures.percent(share))],
        tables=[
            _table(
                "par_satisfaction",
                "Satisfaction",
                per_satisfaction(scope),
                first="Satisfaction",
                chart="pie",
            ),
            _table(
                "par_source",
                "Comment avez-vous connu ce service ?",
                per_source(scope),
                first="Source",
            ),
        ],
    )


def _api_rows(rows):
    return [{"code": r["code"], "label": r["label"], "valeur": r["valeur"]} for r in rows]


def api_block(scope: figures.Scope) -> dict:
    t = totals(scope)
    return {
        "total": t["total"],
        "individuels": t["individuels"],
        "collectifs": t["collectifs"],
        "usagers_uniques": t["usagers_uniques"],
        "activites": t["activites"],
        "par_lieu": _api_rows(per_lieu(scope)),
        "par_thematique": _api_rows(per_thematique(scope)),
        "par_tranche_age": _api_rows(per_age_band(scope)),
        "par_genre": _api_rows(per_genre(scope)),
        "par_mois": _api_rows(per_month(scope)),
    }


def register():
    """Register this module's dashboard sections, API block and filters
    (poitiers_inclusion.figures)."""
    for key, title, order, build in (
        ("general", "Médiations", 10, general_section),
        ("publics", "Publics accompagnés", 30, publics_section),
        ("thematiques", "Thématiques et accompagnement", 40, thematiques_section),
        ("satisfaction", "Satisfaction et connaissance du service", 50, satisfaction_section),
    ):
        figures.register_section(
            figures.SectionSpec(key, title, order, build, roles=READERS, filters=FILTERS)
        )
    figures.register_api_block("mediations", api_block)
    figures.register_filter(
        figures.FilterSpec(TYPE, "Type", tuple(TypeActivite.choices), "Tous les types", order=10)
    )
    figures.register_filter(
        figures.FilterSpec(
            THEMATIQUE,
            "Thématique",
            tuple(Thematique.choices),
            "Toutes les thématiques",
            order=20,
        )
    )
