"""Sends the e-mails of the outbox whose next attempt has come, and deletes the old ones."""

from django.core.management.base import BaseCommand

from poitiers_inclusion import mail


class Command(BaseCommand):
    help = (
        "Envoie les e-mails en attente dont la prochaine tentative est venue, puis efface ceux "
        "envoyés ou abandonnés depuis plus de OUTBOX_RETENTION_DAYS jours."
    )

    def handle(self, *args, **options):
        counts = mail.deliver()
        purged = mail.purge()
        self.counts = {
            "e-mails envoyés": counts["envoyes"],
            "en échec": counts["echecs"],
            "effacés": purged,
        }
        self.stdout.write(
            f"{counts['envoyes']} e-mail(s) envoyé(s), {counts['echecs']} en échec (réessayés "
            f"plus tard) ; {purged} ancien(s) effacé(s)."
        )
