"""ordinateurs_housekeeping: expire requests left incomplete, anonymise closed household files."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from ordinateurs import services
from poitiers_inclusion.dates import months_before


class Command(BaseCommand):
    help = (
        "Expire les demandes incomplètes depuis DEMANDE_INCOMPLETE_DAYS jours (90 par défaut) et "
        "anonymise les foyers dont toutes les demandes sont closes depuis FOYER_RETENTION_MONTHS "
        "mois (24 par défaut) ; --dry-run montre ce qui serait fait."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="montrer sans rien modifier")

    def handle(self, *args, dry_run=False, **options):
        days = settings.DEMANDE_INCOMPLETE_DAYS
        expired = services.expire_requests(incomplete_days=days, dry_run=dry_run)
        cutoff = months_before(timezone.localdate(), settings.FOYER_RETENTION_MONTHS)
        before = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time()))
        anonymised = services.anonymise_closed_households(before=before, dry_run=dry_run)
        prefix = "Essai à blanc : " if dry_run else ""
        self.stdout.write(
            f"{prefix}{expired} demande(s) incomplète(s) depuis {days} jours expirée(s) ; "
            f"{anonymised} foyer(s) clos avant le {cutoff:%d/%m/%Y} anonymisé(s)."
        )
        # What run_scheduled records of this run (poitiers_inclusion/scheduler.py).
        self.counts = {"demandes expirées": expired, "foyers anonymisés": anonymised}
