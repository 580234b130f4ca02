"""The médiation log's dashboard sections and API block, and their registration with the
kernel's figures; what the figures mean is said in `aggregates`."""

import dataclasses

from poitiers_inclusion import figures

from ..enums import Thematique, TypeActivite
from ..perms import READERS
from .aggregates import FILTERS, THEMATIQUE, TYPE, new_and_returning, totals
from .breakdowns import (
    per_age_band,
    per_autonomie,
    per_conseiller,
    per_demarche,
    per_duration_band,
    per_genre,
    per_lieu,
    per_materiel,
    per_month,
    per_quartier,
    per_satisfaction,
    per_source,
    per_statut,
    per_thematique,
    qpv_share,
    redirections,
    satisfied_share,
)


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
        kpis=[
            ("Bénéficiaires réorientés", r["redirigés"]),
            ("Orientés vers une offre sociale internet", r["offre_sociale_internet"]),
        ],
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
