"""export_lieux FILE.csv: writes the active lieux in the national places standard (v1.0.2)."""

from django.core.management.base import BaseCommand

from reseau import standard


class Command(BaseCommand):
    help = "Exporte les lieux actifs au standard national des lieux de médiation numérique (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier CSV à écrire (« - » pour la sortie standard).")

    def handle(self, path, **options):
        if path == "-":
            count = standard.write_csv(self.stdout._out)
        else:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                count = standard.write_csv(stream)
        self.stderr.write(f"{count} lieu(x) exporté(s) au standard {standard.VERSION}.")
