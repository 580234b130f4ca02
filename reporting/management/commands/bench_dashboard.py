"""bench_dashboard: the dashboard's server time against raw SQL, and an export's peak memory.

Meant for a database of its own (`make bench` sets EMBEDDED_DB_NAME=bench): it first tops the
database up to N médiations with `generate_bench_data`, then

1. renders the coordinator's dashboard (every registered section, no filter) a few times and keeps
   the best time, next to the best time of hand-written SQL computing the médiation aggregates
   the dashboard shows (totals, per month, lieu, conseiller, duration band, thématique, démarche,
   matériel, autonomy, redirection, satisfaction, source, publics) — target ratio ≤ 1.5; then
   the same page served from the figures `refresh_figures` stores for long views — target < 1 s
   (at 10,000,000 médiations: `--mediations 10000000`);
2. streams a million-row export (CSV then xlsx, rows read from the database with a server-side
   cursor) in a child process and prints its peak memory (ru_maxrss) — target < 250 MB.
"""

import resource
import subprocess
import sys
import tempfile
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import RequestFactory, override_settings

from permanences.models import Accompagnement
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from poitiers_inclusion.exports import Sheet, csv_lines, write_xlsx
from poitiers_inclusion.models import User
from reporting import snapshots
from reporting.models import FiguresSnapshot

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


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


class Command(BaseCommand):
    help = "Banc d'essai : temps du tableau de bord face au SQL brut, mémoire d'un export."

    def add_arguments(self, parser):
        parser.add_argument("--mediations", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--export-rows", type=int, default=1_000_000)
        parser.add_argument("--skip-export", action="store_true")
        parser.add_argument(
            "--export-only",
            choices=["csv", "xlsx"],
            help="interne : mesure un seul export dans ce processus",
        )

    def handle(self, mediations, repeat, export_rows, skip_export, export_only, **options):
        if export_only:
            self._export(export_only, export_rows)
            return
        if connection.settings_dict["NAME"] in ("postgres", ""):
            self.stdout.write(
                "Attention : base de développement. `make bench` utilise EMBEDDED_DB_NAME=bench."
            )
        call_command("generate_bench_data", mediations=mediations, stdout=self.stdout)
        count = Accompagnement.objects.count()
        self.stdout.write(f"\nAccompagnements en base : {count:,}".replace(",", " "))
        self._dashboard(repeat)
        if not skip_export:
            for kind in ("csv", "xlsx"):
                self._export_in_child(kind, export_rows)

    # --- Dashboard against raw SQL -----------------------------------------------------------

    def _dashboard(self, repeat: int) -> None:
        from reporting.views import dashboard

        coordinator = User.objects.filter(role=Role.COORDINATEUR, is_active=True).first()
        if coordinator is None:
            raise CommandError("Aucun coordinateur : lancez d'abord `manage.py demo`.")
        request = RequestFactory().get("/pilotage/")
        request.user = coordinator

        def render():
            response = dashboard(request)
            assert response.status_code == 200

        # 1. Live: every view computed from the médiations (no stored figures).
        FiguresSnapshot.objects.all().delete()
        with override_settings(FIGURES_SNAPSHOT_MIN_SECONDS=10**9):
            render()  # warm caches (templates, statistics) before timing
            server = _best(render, repeat)
        self.stdout.write("Sections seules (chacune avec les agrégats qu'elle lit) :")
        for spec in figures.sections():
            # A fresh Scope each time: sections share their aggregates within one request.
            took = _best(lambda spec=spec: spec.build(figures.Scope(user=coordinator)), 1)
            self.stdout.write(f"  section {spec.key:<14} {took * 1000:8.0f} ms")

        def raw():
            with connection.cursor() as cursor:
                for sql in RAW_SQL.values():
                    cursor.execute(sql)
                    cursor.fetchall()

        raw()
        sql = _best(raw, repeat)
        ratio = server / sql if sql else float("inf")
        verdict = "OK" if ratio <= 1.5 else "au-dessus de l'objectif"
        self.stdout.write(
            f"Tableau de bord calculé en direct (toutes sections) : {server * 1000:.0f} ms\n"
            f"SQL brut (agrégats des médiations)                   : {sql * 1000:.0f} ms\n"
            f"Rapport : {ratio:.2f} (objectif ≤ 1,5 : {verdict})"
        )

        # 2. Stored: the view as `refresh_figures` keeps it, read back by the page.
        started = time.perf_counter()
        snapshots.compute(figures.Scope(user=coordinator), store=True)
        stored = time.perf_counter() - started
        served = _best(render, max(repeat, 3))
        verdict = "OK" if served < 1 else "au-dessus de l'objectif"
        self.stdout.write(
            f"Chiffres mis de côté par refresh_figures en {stored:.1f} s ; "
            f"page servie depuis l'instantané : {served * 1000:.0f} ms "
            f"(objectif < 1 s : {verdict})"
        )

    # --- Export memory ----------------------------------------------------------------------

    def _export_in_child(self, kind: str, rows: int) -> None:
        """A fresh process, so its peak memory is the export's and not the dashboard's."""
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "bench_dashboard",
                "--export-only",
                kind,
                "--export-rows",
                str(rows),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        self.stdout.write(result.stdout.strip())
        if result.returncode:
            raise CommandError(result.stderr[-2000:])

    def _export(self, kind: str, rows: int) -> None:
        columns = [
            "Date",
            "Type",
            "Lieu",
            "Durée (min)",
            "Thématiques",
            "Genre",
            "Tranche d'âge",
            "Statut",
            "Conseiller",
        ]
        queryset = Accompagnement.objects.values_list(
            "mediation__date",
            "mediation__type_activite",
            "mediation__lieu__nom",
            "mediation__duree_minutes",
            "mediation__thematiques",
            "usager__genre",
            "usager__tranche_age",
            "usager__statut_social",
            "mediation__conseiller__email",
        ).order_by("pk")[:rows]
        before = _peak_mb()
        started = time.perf_counter()
        written = 0

        def counted():
            nonlocal written
            for row in queryset.iterator(chunk_size=5000):
                written += 1
                yield row

        with tempfile.TemporaryFile() as out:
            if kind == "csv":
                for line in csv_lines(columns, counted(), [["Banc d'essai"]]):
                    out.write(line.encode())
            else:
                write_xlsx([Sheet("Activités", columns, counted(), [["Banc d'essai"]])], out)
            size = out.tell()
        took = time.perf_counter() - started
        peak = _peak_mb()
        verdict = "OK" if peak < 250 else "au-dessus de l'objectif"
        self.stdout.write(
            f"Export {kind.upper():<4} {written:,} lignes, {size / 1e6:.0f} Mo, {took:.1f} s : "
            f"mémoire de pointe {peak:.0f} Mo (avant l'export {before:.0f} Mo ; objectif < 250 Mo : "
            f"{verdict})".replace(",", " ")
        )


def _peak_mb() -> float:
    """Peak resident memory of this process. VmHWM starts afresh at exec, whereas ru_maxrss
    keeps the parent's peak from before the fork, so it would report the dashboard's memory."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
