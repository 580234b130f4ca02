"""send_workshop_reminders: e-mail the people registered for the next two days' sessions (cron)."""

from django.core.management.base import BaseCommand

from ateliers import services


class Command(BaseCommand):
    help = "Envoie un rappel aux inscrits des séances de demain et d'après-demain (une fois)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compter sans envoyer")

    def handle(self, dry_run=False, **options):
        count = services.send_reminders(dry_run=dry_run)
        verb = "à envoyer" if dry_run else "envoyé(s)"
        self.stdout.write(f"Rappels d'ateliers {verb} : {count}.")
        # What run_scheduled records of this run (poitiers_inclusion/scheduler.py).
        self.counts = {"rappels": count}
