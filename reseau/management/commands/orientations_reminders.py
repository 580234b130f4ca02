"""orientations_reminders: run daily. Reminds the receiving structure a week before an open
orientation expires, expires those left unanswered for ORIENTATION_EXPIRY_DAYS, and anonymises
the personal fields of orientations closed for longer than the retention delay."""

from django.core.management.base import BaseCommand

from reseau.services import remind_expire_anonymise


class Command(BaseCommand):
    help = "Relance, expire et anonymise les orientations (à lancer chaque jour)."

    def handle(self, **options):
        counts = remind_expire_anonymise()
        self.stdout.write(
            f"Orientations : {counts['relancees']} relancée(s), {counts['expirees']} expirée(s), "
            f"{counts['anonymisees']} anonymisée(s)."
        )
        # What run_scheduled records of this run (poitiers_inclusion/scheduler.py).
        self.counts = {
            "relancées": counts["relancees"],
            "expirées": counts["expirees"],
            "anonymisées": counts["anonymisees"],
        }
