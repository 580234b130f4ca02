"""refresh_figures: recompute the stored dashboard figures viewed in the last days (cron)."""

import time

from django.core.management.base import BaseCommand

from reporting import snapshots


class Command(BaseCommand):
    help = "Recalcule les chiffres du tableau de bord mis de côté (grands volumes) ; pour cron."

    def add_arguments(self, parser):
        parser.add_argument("--jours", type=int, default=7, help="vues consultées depuis N jours")

    def handle(self, jours, **options):
        started = time.perf_counter()
        refreshed = snapshots.refresh(used_within_days=jours)
        self.stdout.write(
            f"{len(refreshed)} vue(s) recalculée(s) en {time.perf_counter() - started:.1f} s."
        )
