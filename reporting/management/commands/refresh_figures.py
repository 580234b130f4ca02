"""refresh_figures: recompute the stored dashboard figures viewed in the last days (cron), and
rewrite the médiation log's figures store when it is due (permanences/figures/store.py)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from permanences.figures import store
from reporting import snapshots

LOCK_ID = 7_201_2022  # any constant of our own for pg_try_advisory_lock


class Command(BaseCommand):
    help = "Recalcule les chiffres du tableau de bord mis de côté (grands volumes) ; pour cron."

    def add_arguments(self, parser):
        parser.add_argument("--jours", type=int, default=7, help="vues consultées depuis N jours")

    def handle(self, jours, **options):
        # What run_scheduled records of this run (poitiers_inclusion/scheduler.py).
        self.counts = {"vues recalculées": 0}
        # One run at a time: at ten million médiations a view takes a minute and more, so a run
        # may outlast the cron's interval; the next one then leaves it to finish.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID])
            if not cursor.fetchone()[0]:
                self.stdout.write("Un recalcul est déjà en cours : rien à faire.")
                return
            try:
                self._refresh(jours)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])

    def _refresh(self, jours):
        if store.rebuild_due():
            call_command("rebuild_figures_store", stdout=self.stdout)
            self.counts["magasin de chiffres réécrit"] = 1
        started = time.perf_counter()
        refreshed = snapshots.refresh(used_within_days=jours)
        self.counts["vues recalculées"] = len(refreshed)
        self.stdout.write(
            f"{len(refreshed)} vue(s) recalculée(s) en {time.perf_counter() - started:.1f} s."
        )
