"""backup [--dir FOLDER]: a compressed dump of the database and an archive of the uploaded files,
with the date and time in their names (make backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from poitiers_inclusion.backups import BackupError, backup


class Command(BaseCommand):
    help = "Sauvegarde la base (pg_dump compressé) et les fichiers déposés, horodatés."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=str(settings.BASE_DIR / ".data" / "backups"),
            help="Dossier des sauvegardes (défaut : .data/backups).",
        )

    def handle(self, dir, **options):
        try:
            written = backup(Path(dir))
        except BackupError as error:
            raise CommandError(str(error)) from None
        for path in written:
            self.stdout.write(f"Sauvegarde écrite : {path} ({path.stat().st_size} octets)")
