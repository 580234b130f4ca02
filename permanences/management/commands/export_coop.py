"""Export activities in La Coop's layout (xlsx), for one conseiller or the whole city."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from permanences.coop import xlsx_sheet_or_room
from permanences.models import Mediation
from poitiers_inclusion.exports import write_xlsx
from poitiers_inclusion.models import User


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date illisible « {value} » (attendu : AAAA-MM-JJ).") from exc


class Command(BaseCommand):
    help = "Exporte les activités au format de l'export « Activités » de La Coop (xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier .xlsx à écrire")
        parser.add_argument("--conseiller", help="e-mail : n'exporter que ses activités")
        parser.add_argument("--du", help="date de début (AAAA-MM-JJ)")
        parser.add_argument("--au", help="date de fin (AAAA-MM-JJ)")

    def handle(self, *args, file, conseiller, du, au, **options):
        mediations = Mediation.objects.all()
        account = None
        if conseiller:
            account = User.objects.filter(email__iexact=conseiller).first()
            if account is None:
                raise CommandError(f"Aucun compte pour « {conseiller} ».")
            mediations = mediations.filter(conseiller=account)
        start, end = (_date(du) if du else None), (_date(au) if au else None)
        if start:
            mediations = mediations.filter(date__gte=start)
        if end:
            mediations = mediations.filter(date__lte=end)
        period = "Toutes"
        if start or end:
            period = f"{start:%d/%m/%Y} – " if start else "… – "
            period += f"{end:%d/%m/%Y}" if end else "…"
        filters = [("Période", period), ("Lieu", "Tous"), ("Conseiller", str(account or "Tous"))]
        exporter = account or User(first_name="", last_name="Export", role="admin")
        sheet = xlsx_sheet_or_room(
            mediations=mediations, citywide=account is None, exporter=exporter, filters=filters
        )
        if isinstance(sheet, int):
            raise CommandError(
                f"Plus de {sheet:,} lignes : une feuille Excel n'en contient pas davantage. ".replace(
                    ",", "\u202f"
                )
                + "Resserrez la période (--du, --au) ou le conseiller."
            )
        with open(file, "wb") as out:
            write_xlsx([sheet], out)
        self.stdout.write(self.style.SUCCESS(f"Export écrit : {file}"))
