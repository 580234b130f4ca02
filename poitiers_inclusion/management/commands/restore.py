"""restore FILE [--yes]: restores a backup into the configured database, which must be empty,
after confirmation (make restore FILE=…)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from poitiers_inclusion.backups import BackupError, check_restorable, restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde (make backup) dans la base configurée, qui doit être vide."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Le fichier .dump écrit par make backup.")
        parser.add_argument("--yes", action="store_true", help="Ne pas demander de confirmation.")

    def handle(self, file, yes=False, **options):
        dump = Path(file)
        name = settings.DATABASES["default"]["NAME"]
        try:
            check_restorable(dump)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if not yes:
            answer = input(f"Restaurer {dump.name} dans la base {name} ? Tapez « oui » : ")
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée : rien n'a été modifié.")
        try:
            done = restore(dump)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for line in done:
            self.stdout.write(line)
        self.stdout.write("Lancez ensuite les migrations (make prod le fait au démarrage).")
