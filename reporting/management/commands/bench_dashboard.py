"""bench_dashboard: the dashboard's server time against raw SQL.

Meant for a database of its own (`make bench` sets EMBEDDED_DB_NAME=bench): it first tops the
database up to N médiations with `generate_bench_data`, then

1. renders the coordinator's dashboard (every registered section, no filter) a few times and keeps
   the best time, next to the best time of hand-written SQL computing the médiation aggregates
   the dashboard shows (totals, per month, lieu, conseiller, duration band, thématique, démarche,
   matériel, autonomy, redirection, satisfaction, source, publics), as separate scans and as an
   expert's single GROUPING SETS pass — target ratio ≤ 1.5 against the better of the two;
   every section computed cold (no snapshot, nothing memoised) for several filter combinations
   from the figures store (`rebuild_figures_store` first) — target < 300 ms at 1 M médiations,
   < 1 s at 10 M; `--live` adds today's SQL path without the store (the "before", long).
Exports are measured by `bench_exports` (permanences).
"""

import dataclasses
import datetime
import time
from unittest import mock

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F, Max, Min
from django.test import RequestFactory, override_settings

from permanences.enums import Thematique, TypeActivite
from permanences.figures import engine
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion import figures
from poitiers_inclusion.benchmarks import record
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User
from reporting import snapshots
from reporting.models import FiguresSnapshot
from reseau.models import Lieu, Quartier

TARGET_MS, TARGET_MS_10M = 300, 1000  # any filters, cold: at 1 M médiations, at 10 M

# The médiation aggregates of the dashboard, written by hand (what a DBA would write).
RAW_SQL = {
    "totaux": """
        SELECT count(*), count(*) FILTER (WHERE m.type_activite = 'individuel'),
               count(*) FILTER (WHERE m.type_activite = 'collectif'),
               count(DISTINCT a.usager_id), count(DISTINCT m.id)
        FROM permanences_accompagnement a JOIN permanences_mediation m ON m.id = a.mediation_id""",
    "nouveaux": """
        SELECT count(*) FROM (SELECT a.usager_id, min(m.date) FROM permanences_accompagnement a
        JOIN permanences_mediation m ON m.id = a.mediation_id GROUP BY a.usager_id) first_visit""",
    "par_mois": """
        SELECT date_trunc('month', m.date), count(*), count(DISTINCT a.usager_id)
        FROM permanences_accompagnement a JOIN permanences_mediation m ON m.id = a.mediation_id
        GROUP BY 1 ORDER BY 1""",
    "par_lieu": """
        SELECT m.lieu_id, count(*), count(DISTINCT a.usager_id)
        FROM permanences_accompagnement a JOIN permanences_mediation m ON m.id = a.mediation_id
        GROUP BY 1""",
    "par_conseiller": """
        SELECT m.conseiller_id, count(*), count(DISTINCT a.usager_id)
        FROM permanences_accompagnement a JOIN permanences_mediation m ON m.id = a.mediation_id
        GROUP BY 1""",
    "par_duree": """
        SELECT CASE WHEN m.duree_minutes < 30 THEN 1 WHEN m.duree_minutes < 60 THEN 2
                    WHEN m.duree_minutes < 120 THEN 3 ELSE 4 END, count(*)
        FROM permanences_accompagnement a JOIN permanences_mediation m ON m.id = a.mediation_id
        GROUP BY 1""",
    "par_thematique": """
        SELECT t, count(*) FROM permanences_accompagnement a
        JOIN permanences_mediation m ON m.id = a.mediation_id, unnest(m.thematiques) t GROUP BY 1""",
    "par_demarche": """
        SELECT t, count(*) FROM permanences_accompagnement a
        JOIN permanences_mediation m ON m.id = a.mediation_id, unnest(m.thematiques_demarche) t
        GROUP BY 1""",
    "par_materiel": """
        SELECT t, count(*) FROM permanences_accompagnement a
        JOIN permanences_mediation m ON m.id = a.mediation_id, unnest(m.materiel) t GROUP BY 1""",
    "par_champ": """
        SELECT m.autonomie, m.structure_redirection, m.satisfaction, m.source_connaissance,
               m.redirige, count(*)
        FROM permanences_accompagnement a JOIN permanences_mediation m ON m.id = a.mediation_id
        GROUP BY GROUPING SETS ((1), (2), (3), (4), (5))""",
    "publics": """
        SELECT u.genre, u.tranche_age, u.statut_social, u.quartier_id, count(*)
        FROM kernel_usager u WHERE u.id IN (SELECT usager_id FROM permanences_accompagnement)
        GROUP BY GROUPING SETS ((1), (2), (3), (4))""",
}


# What a PostgreSQL expert would write for the same aggregates: one pass over the joined rows
# with GROUPING SETS (the unique usagers per month, lieu and conseiller in the same pass), one
# for the array columns, one over the people for the publics and the new usagers; a partial index
# holds the few merged records, so that resolving merges is a small hash instead of a join.
EXPERT_INDEXES = [
    "CREATE INDEX IF NOT EXISTS bench_usager_merged ON kernel_usager (id) INCLUDE (merged_into_id)"
    " WHERE merged_into_id IS NOT NULL",
]
FACTS = """
    FROM permanences_accompagnement a JOIN permanences_mediation m ON m.id = a.mediation_id
    LEFT JOIN kernel_usager merged ON merged.id = a.usager_id AND merged.merged_into_id IS NOT NULL
"""
EXPERT_SQL = [
    f"""SELECT GROUPING(month, lieu_id, conseiller_id, band, aut, structure, satisfaction, source),
           month, lieu_id, conseiller_id, band, aut, structure, satisfaction, source,
           count(*), count(DISTINCT person), count(*) FILTER (WHERE individuel),
           count(DISTINCT mid)
    FROM (SELECT m.id AS mid, date_trunc('month', m.date) AS month, m.lieu_id, m.conseiller_id,
                 m.type_activite = 'individuel' AS individuel,
                 CASE WHEN m.duree_minutes < 30 THEN 1 WHEN m.duree_minutes < 60 THEN 2
                      WHEN m.duree_minutes < 120 THEN 3 ELSE 4 END AS band,
                 CASE WHEN m.type_activite = 'individuel' THEN m.autonomie END AS aut,
                 CASE WHEN m.redirige THEN m.structure_redirection END AS structure,
                 m.satisfaction, m.source_connaissance AS source,
                 COALESCE(merged.merged_into_id, a.usager_id) AS person {FACTS}) f
    GROUP BY GROUPING SETS ((month), (lieu_id), (conseiller_id), (band), (aut), (structure),
                           (satisfaction), (source), ())""",
    f"""SELECT x.k, x.code, count(*) {FACTS}
    CROSS JOIN LATERAL (SELECT DISTINCT 't', unnest(m.thematiques)
                        UNION ALL SELECT DISTINCT 'd', unnest(m.thematiques_demarche)
                        UNION ALL SELECT DISTINCT 'm', unnest(m.materiel)) AS x(k, code)
    GROUP BY 1, 2""",
    f"""SELECT GROUPING(u.genre, u.tranche_age, u.statut_social, u.quartier_id), u.genre,
           u.tranche_age, u.statut_social, u.quartier_id, count(*),
           count(*) FILTER (WHERE p.first >= DATE '2025-01-01')
    FROM (SELECT COALESCE(merged.merged_into_id, a.usager_id) AS person, min(m.date) AS first
          {FACTS} GROUP BY 1) p JOIN kernel_usager u ON u.id = p.person
    GROUP BY GROUPING SETS ((u.genre), (u.tranche_age), (u.statut_social), (u.quartier_id), ())""",
]


def _run(statements) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def _combinations(user) -> list[tuple[str, str, figures.Scope]]:
    """Filter combinations a coordinator picks, from the whole history to one conseiller's
    thématique."""
    lieu = Lieu.objects.order_by("pk").first()
    quartier = Quartier.objects.order_by("pk").first()
    conseiller = User.objects.filter(role=Role.CONSEILLER).order_by("pk").first()
    year = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    theme = {"thematique": (Thematique.EMAIL.value,)}
    # The thématique of a third of the médiations (national programme's and bench data's most
    # common): the largest selection a single filter makes, over the whole history.
    common = {"thematique": (Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES.value,)}
    individuel = {"type": (TypeActivite.INDIVIDUEL.value,)}
    # Periods of the data's own span: from its second year to the last day (a key's tables
    # from a month on), and its middle (no table: the rows themselves).
    span = Mediation.objects.aggregate(first=Min("date"), last=Max("date"))
    first, last = span["first"] or datetime.date(2024, 1, 1), span["last"] or datetime.date.today()
    second_year = first + datetime.timedelta(days=366)
    middle = (second_year, max(second_year, last - datetime.timedelta(days=2 * 365)))
    return [
        ("all", "sans filtre", figures.Scope(user=user)),
        (
            "common_theme",
            "la thématique la plus fréquente",
            figures.Scope(user=user, app_filters=common),
        ),
        ("year", "une année", figures.Scope(user=user, start=year[0], end=year[1])),
        ("lieu", "un lieu", figures.Scope(user=user, lieux=(lieu.pk,))),
        (
            "quarter_quartier",
            "un trimestre, un quartier",
            figures.Scope(
                user=user,
                start=datetime.date(2025, 1, 1),
                end=datetime.date(2025, 3, 31),
                quartiers=(quartier.pk,) if quartier else (),
            ),
        ),
        (
            "conseiller_theme",
            "un conseiller, une thématique",
            figures.Scope(user=user, conseillers=(conseiller.pk,), app_filters=theme),
        ),
        (
            "year_type_theme",
            "une année, un type, une thématique",
            figures.Scope(
                user=user,
                start=year[0],
                end=year[1],
                app_filters={**theme, "type": (TypeActivite.INDIVIDUEL.value,)},
            ),
        ),
        (
            "common_theme_since",
            "la thématique fréquente, 2e année → ce jour",
            figures.Scope(user=user, start=second_year, app_filters=common),
        ),
        ("since", "2e année → ce jour", figures.Scope(user=user, start=second_year)),
        (
            "middle",
            "les années du milieu",
            figures.Scope(user=user, start=middle[0], end=middle[1]),
        ),
        ("until", "du début à deux ans de la fin", figures.Scope(user=user, end=middle[1])),
        (
            "type_until",
            "un type, du début à deux ans de la fin",
            figures.Scope(user=user, end=middle[1], app_filters=individuel),
        ),
        ("type", "un type (individuel)", figures.Scope(user=user, app_filters=individuel)),
        (
            "type_middle",
            "un type, les années du milieu",
            figures.Scope(user=user, start=middle[0], end=middle[1], app_filters=individuel),
        ),
        (  # (several thématiques: the engine's generality, see two_themes_since)
            "two_themes",
            "deux thématiques (fréquente, e-mail)",
            figures.Scope(
                user=user, app_filters={"thematique": (*common["thematique"], *theme["thematique"])}
            ),
        ),
        (
            "common_theme_type",
            "la thématique fréquente et un type",
            figures.Scope(user=user, app_filters={**common, **individuel}),
        ),
        (
            "common_theme_type_middle",
            "la thématique fréquente et un type, les années du milieu",
            figures.Scope(
                user=user, start=middle[0], end=middle[1], app_filters={**common, **individuel}
            ),
        ),
        # Periods no table starts from: a key's rows counted one by one.
        (
            "common_theme_middle",
            "la thématique fréquente, les années du milieu",
            figures.Scope(user=user, start=middle[0], end=middle[1], app_filters=common),
        ),
        (
            "common_theme_until",
            "la thématique fréquente, du début à deux ans de la fin",
            figures.Scope(user=user, end=middle[1], app_filters=common),
        ),
        # Several thématiques: not a choice of the dashboard's form (one value per filter), the
        # engine's own generality (the statistics' tests draw them).
        (
            "two_themes_since",
            "deux thématiques, 2e année → ce jour",
            figures.Scope(
                user=user,
                start=second_year,
                app_filters={"thematique": (*common["thematique"], *theme["thematique"])},
            ),
        ),
    ]


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


class Command(BaseCommand):
    help = "Banc d'essai : temps du tableau de bord face au SQL brut."

    def add_arguments(self, parser):
        parser.add_argument("--mediations", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=3)
        # Kept for the commands already written down: exports are measured by bench_exports.
        parser.add_argument("--skip-export", action="store_true", help="sans effet")
        parser.add_argument(
            "--live", action="store_true", help="mesure aussi le calcul SQL d'avant (long)"
        )
        # A database filled and indexed beforehand (bench10m): no top-up, no rewrite, no SQL
        # comparisons (minutes each at 10 M).
        parser.add_argument("--no-generate", action="store_true", help="base déjà remplie")
        parser.add_argument("--no-rebuild", action="store_true", help="magasin déjà écrit")
        parser.add_argument("--skip-sql", action="store_true", help="sans les mesures SQL brut")

    def handle(self, mediations, repeat, live, **options):
        if connection.settings_dict["NAME"] in ("postgres", ""):
            self.stdout.write(
                "Attention : base de développement. `make bench` utilise EMBEDDED_DB_NAME=bench."
            )
        if not options["no_generate"]:
            call_command("generate_bench_data", mediations=mediations, stdout=self.stdout)
        count = Accompagnement.objects.count()
        self.stdout.write(f"\nAccompagnements en base : {count:,}".replace(",", " "))
        if not options["no_rebuild"]:
            started = time.perf_counter()
            call_command("rebuild_figures_store", stdout=self.stdout)
            record(
                self.stdout,
                "store_rebuild",
                "Réécriture du magasin de chiffres",
                time.perf_counter() - started,
                "s",
                size=mediations,
            )
        self._dashboard(repeat, mediations, live, sql=not options["skip_sql"])

    # --- Dashboard against raw SQL -----------------------------------------------------------

    def _sections(self, scope: figures.Scope, repeat: int, size: int) -> None:
        """Each section of the unfiltered view, cold: where the time goes."""
        best = {}
        for _ in range(repeat):
            fresh = dataclasses.replace(scope)
            for spec in figures.sections():
                started = time.perf_counter()
                spec.build(fresh)
                took = time.perf_counter() - started
                best[spec.key] = min(best.get(spec.key, took), took)
        for key, took in best.items():
            record(
                self.stdout,
                f"dashboard_section_{key}",
                f"Section « {key} », sans filtre, à froid",
                took * 1000,
                "ms",
                size=size,
            )

    def _after_a_write(self, scope: figures.Scope, repeat: int) -> float:
        """The unfiltered view computed right after a médiation was saved, each time: a new state
        of the store's change log (its overlay applies the changes since the previous state), as
        when conseillers log médiations while a coordinator reads the dashboard. The median."""
        mediation = Mediation.objects.order_by("-pk").values_list("pk", flat=True).first()
        times = []
        for _ in range(max(repeat, 3)):
            # Saved unchanged: logged all the same, by the triggers, as any write.
            Mediation.objects.filter(pk=mediation).update(duree_minutes=F("duree_minutes"))
            started = time.perf_counter()
            snapshots.compute(dataclasses.replace(scope), store=False)
            times.append(time.perf_counter() - started)
        return sorted(times)[len(times) // 2]

    def _dashboard(self, repeat: int, size: int, live: bool, sql: bool = True) -> None:
        from reporting.views import dashboard

        coordinator = User.objects.filter(role=Role.COORDINATEUR, is_active=True).first()
        if coordinator is None:
            raise CommandError("Aucun coordinateur : lancez d'abord `manage.py demo`.")
        FiguresSnapshot.objects.all().delete()
        target = TARGET_MS if size <= 1_000_000 else TARGET_MS_10M

        def cold(scope):
            # A fresh Scope each time (nothing memoised), never stored: computed as a new view.
            return _best(lambda: snapshots.compute(dataclasses.replace(scope), store=False), repeat)

        worst = 0.0
        for key, label, scope in _combinations(coordinator):
            took = cold(scope) * 1000
            worst = max(worst, took)
            record(
                self.stdout,
                f"dashboard_cold_{key}",
                f"Tableau de bord à froid : {label}",
                took,
                "ms",
                target=target,
                size=size,
            )
        everything = figures.Scope(user=coordinator)
        after_a_write = self._after_a_write(everything, repeat) * 1000
        record(
            self.stdout,
            "dashboard_cold_after_write",
            "Tableau de bord à froid, sans filtre, juste après une saisie",
            after_a_write,
            "ms",
            target=target,
            size=size,
        )
        self._sections(everything, repeat, size)
        api = _best(
            lambda: snapshots.compute(dataclasses.replace(everything), kind="api", store=False),
            repeat,
        )
        record(
            self.stdout,
            "api_cold",
            "API statistiques à froid, sans filtre",
            api * 1000,
            "ms",
            target=target,
            size=size,
        )
        request = RequestFactory().get("/pilotage/")
        request.user = coordinator
        with override_settings(FIGURES_SNAPSHOT_MIN_SECONDS=10**9):  # never stored: cold
            page = _best(lambda: dashboard(request), repeat)
        record(
            self.stdout,
            "dashboard_page",
            "Page du tableau de bord (gabarit compris)",
            page * 1000,
            "ms",
            target=target,
            size=size,
        )
        engine_all = cold(everything)
        if live:  # today's SQL, without the figures store: the "before"
            with mock.patch.object(engine, "rows_for", lambda scope: None):
                took = _best(
                    lambda: snapshots.compute(dataclasses.replace(everything), store=False), 1
                )
            record(
                self.stdout,
                "dashboard_live_sql",
                "Tableau de bord en SQL direct (avant)",
                took * 1000,
                "ms",
                size=size,
            )

        if not sql:
            return
        raw = _best(lambda: _run(RAW_SQL.values()), repeat)
        with connection.cursor() as cursor:
            for index in EXPERT_INDEXES:
                cursor.execute(index)
            cursor.execute("ANALYZE kernel_usager")
        expert = _best(lambda: _run(EXPERT_SQL), repeat)
        record(
            self.stdout,
            "raw_sql_scans",
            "SQL brut, agrégats en passes séparées",
            raw * 1000,
            "ms",
            size=size,
        )
        record(
            self.stdout,
            "raw_sql_expert",
            "SQL expert, une passe GROUPING SETS",
            expert * 1000,
            "ms",
            size=size,
        )
        record(
            self.stdout,
            "ratio_dashboard_vs_sql",
            "Tableau de bord complet / meilleur SQL brut (rapport)",
            engine_all / min(raw, expert),
            "x",
            target=1.5,
            size=size,
        )
