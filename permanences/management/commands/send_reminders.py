"""E-mail tomorrow's and the day after's bookings (once each), then purge old bookings' contacts.

Run it once a day (cron). `--dry-run` only counts; `--no-purge` skips the purge step.
"""

from django.core.management.base import BaseCommand

from permanences import booking


class Command(BaseCommand):
    help = (
        "Envoie par e-mail le rappel des rendez-vous de demain et d'après-demain (une seule fois "
        "chacun), puis efface les coordonnées des rendez-vous passés depuis plus de 30 jours."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter sans rien envoyer.")
        parser.add_argument(
            "--no-purge", action="store_true", help="Ne pas effacer les anciennes coordonnées."
        )

    def handle(self, *args, dry_run=False, no_purge=False, **options):
        sent = booking.send_reminders(dry_run=dry_run)
        verb = "à envoyer" if dry_run else "envoyé(s)"
        self.stdout.write(f"Rappels {verb} : {sent}.")
        # What run_scheduled records of this run (poitiers_inclusion/scheduler.py).
        self.counts = {"rappels": sent}
        if not no_purge:
            purged = booking.purge_bookings(dry_run=dry_run)
            verb = "à effacer" if dry_run else "effacées"
            self.stdout.write(
                f"Rendez-vous de plus de {booking.PURGE_AFTER_DAYS} jours dont les coordonnées "
                f"sont {verb} : {purged}."
            )
            self.counts["coordonnées effacées"] = purged
