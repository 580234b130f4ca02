"""send_donor_certificates: e-mail each donor the erasure certificate of their settled batch."""

from django.core.management.base import BaseCommand

from ordinateurs import donor_certificates


class Command(BaseCommand):
    help = (
        "Envoie par e-mail à chaque donateur le certificat d'effacement (PDF) de son don quand "
        "tous les appareils du don sont traités (effacés et certifiés, non réemployables ou sans "
        "support de stockage), une seule fois ; --dry-run montre ce qui serait envoyé."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="montrer sans rien envoyer")

    def handle(self, *args, dry_run=False, **options):
        sent = donor_certificates.send_settled_certificates(dry_run=dry_run)
        prefix = "Essai à blanc : " if dry_run else ""
        self.stdout.write(f"{prefix}{sent} certificat(s) d'effacement envoyé(s) aux donateurs.")
        # What run_scheduled records of this run (poitiers_inclusion/scheduler.py).
        self.counts = {"certificats envoyés": sent}
