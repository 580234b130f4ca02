"""generate_bench_data --mediations N: fills the database with N médiations, and the rest of a
national network's activity, for benchmarks.

On an empty database (or one it filled before) it loads the demo (its accounts, its catalogue),
then each app's `bench_data` module, in the order of INSTALLED_APPS, adds its part for N: the
réseau a national network (≈ N / 3,300 conseillers, 1.5 lieux each, ten départements), the
permanences their slots, the médiations (one in ten collective), their accompagnements and people
(returning, 15 % anonymous), ateliers ≈ N / 50 séances with registrations and attendance,
ordinateurs ≈ N / 200 devices at every stage with donors, batches and households' requests.
Rows go in with PostgreSQL COPY from numpy columns, the big tables' indexes and foreign keys
rebuilt once at the end, all in one transaction (a failed run leaves the database as it was).
Bench rows are tagged (`source_donnee = "bench"`, `bench-lieu-…`, `…@bench.example`): the
command tops the database up to N, so running it twice does not double the data.

On a database with lieux of its own (a test's, a demo loaded before), only médiations are added,
individual, on its lieux, slots and conseillers, as the first version did. Meant for a database
of its own (`EMBEDDED_DB_NAME=…`).
"""

import datetime
import importlib
import io

import numpy as np
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from poitiers_inclusion.benchmarks import record
from poitiers_inclusion.bulkload import BenchPlan, without_indexes
from reseau.bench_data import BENCH_LIEU
from reseau.models import Lieu

from ...figures import store

YEARS_NATIONAL = 10
YEARS_EXISTING = 4


def _modules():
    """Each app's bench_data module, in the order of INSTALLED_APPS (as the demo command)."""
    found = []
    for config in apps.get_app_configs():
        try:
            found.append(importlib.import_module(f"{config.name}.bench_data"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.bench_data":
                raise
    return found


class Command(BaseCommand):
    help = "Ajoute l'activité fictive d'un réseau national (COPY) jusqu'à N médiations."

    def add_arguments(self, parser):
        parser.add_argument("--mediations", type=int, required=True)
        parser.add_argument("--batch", type=int, default=500_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--years", type=int, help="Années couvertes (10 en national, 4 sinon), jusqu'à ce jour."
        )

    def handle(self, mediations, batch, seed, years, **options):
        national = not Lieu.objects.exists() or (
            Lieu.objects.filter(identifiant__startswith=BENCH_LIEU).exists()
        )
        if not Lieu.objects.exists():
            call_command("demo", "--quiet-accounts", stdout=io.StringIO())
        today = timezone.localdate()
        years = years or (YEARS_NATIONAL if national else YEARS_EXISTING)
        first_day = today - datetime.timedelta(days=round(years * 365.25))
        existing = apps.get_model("permanences", "Mediation").objects.filter(source_donnee="bench")
        present = existing.count()
        if present >= mediations:
            # Nothing to add: the indexes, the figures store and its change log stay as they are.
            self.stdout.write(f"Médiations de banc d'essai : {present} présentes, rien à ajouter.")
            return
        plan = BenchPlan(
            mediations=mediations,
            first_day=first_day - datetime.timedelta(days=first_day.weekday()),
            last_day=today,
            rng=np.random.default_rng([seed, present]),
            stdout=self.stdout,
            national=national,
            batch=batch,
        )
        modules = _modules()
        tables = [t for m in modules for t in getattr(m, "TABLES", [])]
        with transaction.atomic(), store.without_change_log(forget_store=True):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            with without_indexes(tables):
                for module in modules:
                    module.load(plan)
                loaded = plan.elapsed()
                self.stdout.write(f"Chargé en {loaded:.1f} s ; index et clés reconstruits…")
            indexed = plan.elapsed() - loaded
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cursor.fetchone()[0]
        took = plan.elapsed()
        rows = sum(plan.written.values())
        added = plan.written.get("permanences_mediation", 0)
        self.stdout.write(
            f"Fait en {took:.1f} s (index {indexed:.1f} s) : {rows} lignes, base de {size}."
        )
        for table, count in sorted(plan.written.items()):
            self.stdout.write(f"  {table:<40} {count:>12}")
        if not added:
            return
        record(
            self.stdout,
            "generate_mediations_per_s",
            "Génération (COPY) : médiations par seconde",
            added / took,
            "/s",
            size=mediations,
        )
        record(
            self.stdout,
            "generate_rows_per_s",
            "Génération (COPY) : lignes par seconde (toutes tables)",
            rows / took,
            "/s",
            size=mediations,
        )
        record(
            self.stdout,
            "generate_total_s",
            "Génération (COPY) : durée totale",
            took,
            "s",
            size=mediations,
        )
