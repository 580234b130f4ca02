"""rebuild_figures_store: write the médiation log's columnar figures store from scratch.

The figures are exact without it (the store's reads overlay every change logged since it was
written, and without a store they are computed live); rewriting it keeps that overlay short.
Scheduled every night, and after a large import; safe to run at any time.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from ...figures import store

LOCK_ID = 7_201_2023  # pg_try_advisory_lock: one rebuild at a time


class Command(BaseCommand):
    help = "Réécrit le magasin de chiffres des médiations (tableau de bord, API, vues partagées)."

    def handle(self, **options):
        self.counts = {}  # what run_scheduled records of this run
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID])
            if not cursor.fetchone()[0]:
                self.stdout.write("Une reconstruction est déjà en cours : rien à faire.")
                return
        try:
            started = time.perf_counter()
            self.counts = store.rebuild()
            took = time.perf_counter() - started
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
        self.stdout.write(
            f"Magasin de chiffres réécrit en {took:.1f} s : "
            f"{self.counts['accompagnements']} accompagnements, {self.counts['usagers']} usagers."
        )
