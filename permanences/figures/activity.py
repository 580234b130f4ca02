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
filters (dates inclusive, lieux, quartiers of the lieu, conseillers, types, thématiques). All is
computed by SQL aggregates, never by a loop over rows.
"""

from django.db.models import Case, Count, Min, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from poitiers_inclusion import figures
from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.models import age_band_expression

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
from ..models import Accompagnement, Mediation

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


def mediations(scope: figures.Scope):
    """The activity reports the viewer may see, restricted by the scope's filters."""
    qs = (
        Mediation.objects.all() if scope.user is None else Mediation.objects.visible_for(scope.user)
    )
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
    if scope.types:
        qs = qs.filter(type_activite__in=scope.types)
    if scope.thematiques:
        qs = qs.filter(thematiques__overlap=list(scope.thematiques))
    return qs


def accompagnements(scope: figures.Scope):
    """Accompagnements in scope, each annotated with `person`: the usager after merges."""
    return Accompagnement.objects.filter(mediation__in=mediations(scope)).annotate(
        person=Coalesce("usager__merged_into_id", "usager_id")
    )


# --- Totals ------------------------------------------------------------------------------------


def totals(scope: figures.Scope) -> dict[str, int]:
    """Accompagnements (all, individual, collective), activities and unique usagers, one query."""
    result = accompagnements(scope).aggregate(
        total=Count("id"),
        individuels=Count("id", filter=Q(mediation__type_activite=TypeActivite.INDIVIDUEL)),
        collectifs=Count("id", filter=Q(mediation__type_activite=TypeActivite.COLLECTIF)),
        activites=Count("mediation_id", distinct=True),
        usagers_uniques=Count("person", distinct=True),
    )
    return {key: value or 0 for key, value in result.items()}


def new_and_returning(scope: figures.Scope) -> dict[str, int]:
    """Unique usagers of the scope whose first accompagnement ever is in the period, and the rest."""
    people = accompagnements(scope).values("person")
    firsts = (
        Accompagnement.objects.annotate(person=Coalesce("usager__merged_into_id", "usager_id"))
        .filter(person__in=people)
        .values("person")
        .annotate(first=Min("mediation__date"))
    )
    usagers = firsts.count()
    nouveaux = firsts.filter(first__gte=scope.start).count() if scope.start else usagers
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


def _grouped(qs, key: str, choices, *, count="id", distinct=False) -> list[dict]:
    """Counts per value of one column, in the order of the choices, unknown values last."""
    counts = dict(
        qs.values_list(key)
        .annotate(n=Count(count, distinct=distinct))
        .order_by()
        .values_list(key, "n")
    )
    labels = dict(choices)
    ordered = [(code, counts.pop(code, 0)) for code in labels]
    ordered += sorted(counts.items(), key=lambda kv: str(kv[0]))
    return _rows(ordered, labels)


def _array_counts(qs, key: str, choices) -> list[dict]:
    """Counts per value of an array column (a row counts once for each value it holds)."""
    aggregates = {
        f"c{i}": Count("id", filter=Q(**{f"{key}__contains": [code]}))
        for i, (code, _label) in enumerate(choices)
    }
    result = qs.aggregate(**aggregates)
    return _rows(
        [(code, result[f"c{i}"]) for i, (code, _label) in enumerate(choices)], dict(choices)
    )


def per_month(scope: figures.Scope) -> list[dict]:
    rows = (
        accompagnements(scope)
        .annotate(month=TruncMonth("mediation__date"))
        .values("month")
        .annotate(valeur=Count("id"), usagers=Count("person", distinct=True))
        .order_by("month")
    )
    return [
        {
            "code": f"{r['month']:%Y-%m}",
            "label": f"{MONTHS[r['month'].month - 1]} {r['month'].year}",
            "valeur": r["valeur"],
            "usagers": r["usagers"],
        }
        for r in rows
    ]


def per_lieu(scope: figures.Scope) -> list[dict]:
    rows = (
        accompagnements(scope)
        .values("mediation__lieu_id", "mediation__lieu__nom")
        .annotate(valeur=Count("id"), usagers=Count("person", distinct=True))
        .order_by("-valeur", "mediation__lieu__nom")
    )
    return [
        {
            "code": r["mediation__lieu_id"] or "",
            "label": r["mediation__lieu__nom"] or "Hors lieu (domicile, à distance…)",
            "valeur": r["valeur"],
            "usagers": r["usagers"],
        }
        for r in rows
    ]


def per_conseiller(scope: figures.Scope) -> list[dict]:
    rows = (
        accompagnements(scope)
        .values(
            "mediation__conseiller_id",
            "mediation__conseiller__first_name",
            "mediation__conseiller__last_name",
            "mediation__conseiller__email",
        )
        .annotate(valeur=Count("id"), usagers=Count("person", distinct=True))
        .order_by("-valeur", "mediation__conseiller__last_name")
    )
    return [
        {
            "code": r["mediation__conseiller_id"],
            "label": f"{r['mediation__conseiller__first_name']} "
            f"{r['mediation__conseiller__last_name']}".strip()
            or r["mediation__conseiller__email"],
            "valeur": r["valeur"],
            "usagers": r["usagers"],
        }
        for r in rows
    ]


def per_genre(scope: figures.Scope) -> list[dict]:
    return _grouped(
        accompagnements(scope), "usager__genre", Genre.choices, count="person", distinct=True
    )


def per_age_band(scope: figures.Scope) -> list[dict]:
    qs = accompagnements(scope).annotate(band=age_band_expression(prefix="usager__"))
    return _grouped(qs, "band", TrancheAge.choices, count="person", distinct=True)


def per_statut(scope: figures.Scope) -> list[dict]:
    return _grouped(
        accompagnements(scope),
        "usager__statut_social",
        StatutSocial.choices,
        count="person",
        distinct=True,
    )


def per_quartier(scope: figures.Scope) -> list[dict]:
    """Unique usagers per quartier of residence (not the lieu's)."""
    rows = (
        accompagnements(scope)
        .values("usager__quartier_id", "usager__quartier__nom", "usager__quartier__qpv")
        .annotate(valeur=Count("person", distinct=True))
        .order_by("-valeur", "usager__quartier__nom")
    )
    return [
        {
            "code": r["usager__quartier_id"] or "",
            "label": (r["usager__quartier__nom"] or NOT_GIVEN)
            + (" (QPV)" if r["usager__quartier__qpv"] else ""),
            "valeur": r["valeur"],
        }
        for r in rows
    ]


def qpv_share(scope: figures.Scope) -> dict:
    """Unique usagers living in a QPV, among those whose quartier is known."""
    result = accompagnements(scope).aggregate(
        connus=Count("person", distinct=True, filter=Q(usager__quartier__isnull=False)),
        qpv=Count("person", distinct=True, filter=Q(usager__quartier__qpv=True)),
    )
    known, qpv = result["connus"] or 0, result["qpv"] or 0
    return {
        "qpv": qpv,
        "quartier_connu": known,
        "part": round(100 * qpv / known, 1) if known else None,
    }


def per_thematique(scope: figures.Scope) -> list[dict]:
    return _array_counts(accompagnements(scope), "mediation__thematiques", Thematique.choices)


def per_demarche(scope: figures.Scope) -> list[dict]:
    return _array_counts(
        accompagnements(scope), "mediation__thematiques_demarche", ThematiqueDemarche.choices
    )


def per_materiel(scope: figures.Scope) -> list[dict]:
    return _array_counts(accompagnements(scope), "mediation__materiel", Materiel.choices)


def per_duration_band(scope: figures.Scope) -> list[dict]:
    band = Case(
        When(mediation__duree_minutes__lt=30, then=Value(TrancheDuree.MOINS_30.value)),
        When(mediation__duree_minutes__lt=60, then=Value(TrancheDuree.DE_30_A_60.value)),
        When(mediation__duree_minutes__lt=120, then=Value(TrancheDuree.DE_60_A_120.value)),
        default=Value(TrancheDuree.PLUS_120.value),
    )
    return _grouped(accompagnements(scope).annotate(band=band), "band", TrancheDuree.choices)


def per_autonomie(scope: figures.Scope) -> list[dict]:
    qs = accompagnements(scope).filter(mediation__type_activite=TypeActivite.INDIVIDUEL)
    return _grouped(qs, "mediation__autonomie", Autonomie.choices)


def redirections(scope: figures.Scope) -> dict:
    """Accompagnements redirected, and to which kind of structure."""
    qs = accompagnements(scope)
    total = qs.aggregate(
        n=Count("id", filter=Q(mediation__redirige=True)),
    )["n"]
    per_structure = _grouped(
        qs.filter(mediation__redirige=True),
        "mediation__structure_redirection",
        StructureRedirection.choices,
    )
    return {"redirigés": total or 0, "par_structure": per_structure}


def per_satisfaction(scope: figures.Scope) -> list[dict]:
    return _grouped(accompagnements(scope), "mediation__satisfaction", Satisfaction.choices)


def per_source(scope: figures.Scope) -> list[dict]:
    return _grouped(
        accompagnements(scope), "mediation__source_connaissance", SourceConnaissance.choices
    )


def satisfied_share(scope: figures.Scope) -> float | None:
    """Share of the answers that are "satisfait" or "très satisfait" (in %), None if no answer."""
    result = accompagnements(scope).aggregate(
        answered=Count("id", filter=~Q(mediation__satisfaction="")),
        satisfied=Count(
            "id",
            filter=Q(
                mediation__satisfaction__in=[Satisfaction.TRES_SATISFAIT, Satisfaction.SATISFAIT]
            ),
        ),
    )
    if not result["answered"]:
        return None
    return round(100 * result["satisfied"] / result["answered"], 1)


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
        ],
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
            _table(
                "par_conseiller",
                "Par conseiller",
                per_conseiller(scope),
                first="Conseiller",
                with_usagers=True,
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
                f"{qpv['part']} %" if qpv["part"] is not None else "—",
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
        kpis=[("Satisfaits ou très satisfaits", f"{share} %" if share is not None else "—")],
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
    """Register this module's dashboard sections and API blocks (poitiers_inclusion.figures)."""
    for key, title, order, build in (
        ("general", "Médiations", 10, general_section),
        ("publics", "Publics accompagnés", 30, publics_section),
        ("thematiques", "Thématiques et accompagnement", 40, thematiques_section),
        ("satisfaction", "Satisfaction et connaissance du service", 50, satisfaction_section),
    ):
        figures.register_section(figures.SectionSpec(key, title, order, build))
    figures.register_api_block("mediations", api_block)
