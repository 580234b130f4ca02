"""Import an activities export of La Coop de la médiation numérique (xlsx).

Activities go to the conseiller account named in the file's médiateur columns when exactly one
account has that name (a coordinator's or the city's own export), to --conseiller otherwise.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from permanences.coop import CoopFileError, apply_import, plan_import, read_workbook
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User


class Command(BaseCommand):
    help = (
        "Importe un export « Activités » de La Coop (xlsx). Sans --skip-invalid, rien n'est "
        "importé si une ligne est invalide (code de sortie non nul). Réimporter ne double rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier .xlsx exporté depuis La Coop")
        parser.add_argument(
            "--conseiller",
            required=True,
            help="e-mail du conseiller à qui attribuer les activités (celles dont le médiateur "
            "du fichier n'a pas de compte à son nom)",
        )
        parser.add_argument("--dry-run", action="store_true", help="vérifier sans rien écrire")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="importer les lignes valides et ignorer les lignes invalides",
        )

    def handle(self, *args, file, conseiller, dry_run, skip_invalid, **options):
        account = User.objects.filter(
            email__iexact=conseiller, role=Role.CONSEILLER, is_active=True
        ).first()
        if account is None:
            raise CommandError(f"Aucun compte de conseiller actif pour « {conseiller} ».")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            parsed = read_workbook(path)
        except CoopFileError as exc:
            raise CommandError(str(exc)) from exc

        plan = plan_import(parsed, conseiller=account)
        out = self.stdout.write
        out(f"Fichier : {path.name} (en-tête ligne {parsed.header_line})")
        if parsed.ignored_columns:
            out(f"Colonnes ignorées : {', '.join(parsed.ignored_columns)}")
        out(f"Lignes valides : {len(parsed.rows)} ; lignes invalides : {len(parsed.errors)}")
        out(f"Déjà importées (même ID CRA) : {plan.already_imported}")
        out(
            f"À importer : {plan.accompagnements} accompagnements, {plan.individual} "
            f"accompagnements individuels, {plan.collective} ateliers collectifs, "
            f"{plan.unique_usagers} usagers uniques, {len(plan.lieux_to_create)} lieux à créer"
        )
        for entry in plan.attribution:
            how = (
                "d'après la colonne « Médiateur »"
                if entry["from_file"]
                else "conseiller choisi avec --conseiller"
            )
            if entry["unknown"]:
                how += f" ; médiateurs sans compte : {', '.join(entry['unknown'])}"
            out(
                f"Attribués à {entry['conseiller']} : {entry['accompagnements']} "
                f"accompagnements ({how})"
            )
        for error in parsed.errors:
            self.stderr.write(str(error))
        if parsed.errors and not skip_invalid:
            raise CommandError(
                f"{len(parsed.errors)} ligne(s) invalide(s) : rien n'a été importé. Corrigez le "
                "fichier ou relancez avec --skip-invalid pour n'importer que les lignes valides."
            )
        if dry_run:
            out(self.style.WARNING("Essai à blanc (--dry-run) : rien n'a été écrit."))
            return
        del plan  # apply_import plans again under its lock: one plan in memory, not two
        result = apply_import(
            parsed=parsed,
            conseiller=account,
            actor=None,
            skip_invalid=skip_invalid,
            filename=path.name,
        )
        out(
            self.style.SUCCESS(
                f"Importé : {result.mediations} activités, {result.accompagnements} "
                f"accompagnements, {result.usagers_created} usagers créés, "
                f"{result.lieux_created} lieux créés."
            )
        )
        out(
            "Par conseiller : "
            + " ; ".join(f"{name} : {n}" for name, n in sorted(result.per_conseiller.items()))
        )
