"""Retention: anonymise identified usagers not seen for USAGER_RETENTION_MONTHS (default 24)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from permanences.usagers import anonymise_usager, inactive_identified
from poitiers_inclusion.dates import months_before


class Command(BaseCommand):
    help = (
        "Anonymise les usagers identifiés sans venue depuis USAGER_RETENTION_MONTHS mois "
        "(24 par défaut) : nom, coordonnées, année de naissance et consentement effacés, "
        "données statistiques conservées. --dry-run montre ce qui serait fait."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="montrer sans rien modifier")

    def handle(self, *args, dry_run, **options):
        months = settings.USAGER_RETENTION_MONTHS
        cutoff = months_before(timezone.localdate(), months)
        due = list(inactive_identified(before=cutoff))
        verb = "serait anonymisé" if dry_run else "anonymisé"
        self.stdout.write(
            f"Durée de conservation : {months} mois ; dernière venue avant le {cutoff:%d/%m/%Y}."
        )
        total = 0
        for usager in due:
            if not dry_run and not anonymise_usager(
                usager=usager, actor=None, reason="conservation"
            ):
                continue  # a run at the same time did it
            total += 1
            # Numbers only: a log of the retention job must not hold the names it erases.
            self.stdout.write(
                f"Usager n°{usager.pk} (dernière activité le {usager.last_activity:%d/%m/%Y}) : {verb}"
            )
        # What run_scheduled records of this run (poitiers_inclusion/scheduler.py).
        self.counts = {"usagers anonymisés": total}
        if dry_run:
            self.stdout.write(
                self.style.WARNING(f"Essai à blanc : {total} usager(s) seraient anonymisés.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{total} usager(s) anonymisé(s)."))
