"""Sends the e-mails and text messages of the outboxes whose next attempt has come, and deletes
the old ones."""

from django.core.management.base import BaseCommand

from poitiers_inclusion import mail, sms


class Command(BaseCommand):
    help = (
        "Envoie les e-mails et les SMS en attente dont la prochaine tentative est venue, puis "
        "efface ceux envoyés ou abandonnés depuis plus de OUTBOX_RETENTION_DAYS jours."
    )

    def handle(self, *args, **options):
        counts = mail.deliver()
        purged = mail.purge()
        texts = sms.deliver()
        texts_purged = sms.purge()
        self.counts = {
            "e-mails envoyés": counts["envoyes"],
            "en échec": counts["echecs"],
            "effacés": purged,
            "SMS envoyés": texts["envoyes"],
            "SMS en échec": texts["echecs"],
            "SMS effacés": texts_purged,
        }
        self.stdout.write(
            f"{counts['envoyes']} e-mail(s) envoyé(s), {counts['echecs']} en échec (réessayés "
            f"plus tard) ; {purged} ancien(s) effacé(s)."
        )
        self.stdout.write(
            f"{texts['envoyes']} SMS envoyé(s), {texts['echecs']} en échec ; "
            f"{texts_purged} ancien(s) effacé(s)."
        )
