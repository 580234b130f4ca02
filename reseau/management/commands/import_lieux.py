"""import_lieux FILE.csv [--skip-invalid]: imports lieux written in the national places standard.

Existing lieux are matched by `id` (our identifiant), then by name and commune. Every bad row is
reported with its line; nothing is imported when a row is bad, unless --skip-invalid is given.
Warnings (a typology code outside data·inclusion's list) do not stop the import. The lieux left
without a quartier are listed: the coverage matrix counts a lieu only in its quartier.
"""

from django.core.management.base import BaseCommand, CommandError

from poitiers_inclusion.spreadsheets import SpreadsheetError
from reseau import standard


class Command(BaseCommand):
    help = "Importe un fichier au standard national des lieux de médiation numérique."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier CSV (UTF-8, séparateur virgule).")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Importer les lignes valides et ignorer les lignes en erreur.",
        )

    def handle(self, path, skip_invalid=False, **options):
        try:
            report = standard.import_csv(path, skip_invalid=skip_invalid)
        except OSError as error:
            raise CommandError(f"Lecture impossible de {path} : {error}") from error
        except SpreadsheetError as error:
            raise CommandError(f"{path} : {error}") from error
        for problem in sorted(report.problems, key=lambda p: p.line):
            self.stderr.write(f"Ligne {problem.line} : {problem.reason}")
        for line, lieu, matched_by in report.updated:
            self.stdout.write(
                f"Ligne {line} : « {lieu.nom} » mis à jour (rapproché par {matched_by})."
            )
        for line, lieu, _ in report.created:
            self.stdout.write(f"Ligne {line} : « {lieu.nom} » créé.")
        for problem in sorted(report.warnings, key=lambda p: p.line):
            self.stdout.write(f"Ligne {problem.line} : avertissement : {problem.reason}.")
        if report.without_quartier:
            self.stdout.write(
                f"{len(report.without_quartier)} lieu(x) sans quartier, absent(s) de la matrice de "
                "couverture : rattachez-les à un quartier (Réseau > Lieux)."
            )
            for line, lieu in report.without_quartier:
                self.stdout.write(f"Ligne {line} : « {lieu.nom} » ({lieu.commune}) sans quartier.")
        if not report.applied:
            raise CommandError(
                f"{len(report.problems)} ligne(s) en erreur : rien n'a été importé "
                "(corrigez le fichier ou relancez avec --skip-invalid)."
            )
        skipped = f", {len(report.problems)} ligne(s) ignorée(s)" if report.problems else ""
        self.stdout.write(
            f"Import terminé : {len(report.created)} créé(s), {len(report.updated)} mis à jour"
            f"{skipped}."
        )
