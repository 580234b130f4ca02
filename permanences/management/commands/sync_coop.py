"""Synchronise the médiations with La Coop de la médiation numérique's API (COOP_API_URL/TOKEN).

Run every night by the scheduler; by hand: `sync_coop [--since AAAA-MM-JJ] [--dry-run]`.
Without the two settings it says what to set and does nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from permanences.coop.client import CoopApiError
from permanences.coop.sync import client_from_settings, is_configured, sync

NOT_CONFIGURED = (
    "La synchronisation avec La Coop n’est pas configurée : rien n’a été fait. Renseignez "
    "COOP_API_URL (https://coop-numerique.anct.gouv.fr/api/v1) et COOP_API_TOKEN "
    "(« identifiant-client:secret », délivré par l’équipe de La Coop), voir le README."
)


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--since attend une date au format AAAA-MM-JJ (reçu : {value})."
        ) from error


class Command(BaseCommand):
    help = (
        "Met à jour les médiations depuis l’API de La Coop : activités des conseillers de la "
        "ville, créées ou modifiées depuis le dernier passage (ou depuis --since)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            type=_day,
            help="reprendre toutes les activités modifiées depuis ce jour (AAAA-MM-JJ)",
        )
        parser.add_argument("--dry-run", action="store_true", help="vérifier sans rien écrire")
        parser.add_argument(
            "--max-pages", type=int, help="pages lues au plus (défaut : COOP_SYNC_MAX_PAGES)"
        )

    def handle(self, *args, since, dry_run, max_pages, **options):
        self.counts = {}
        if not is_configured():
            self.stdout.write(NOT_CONFIGURED)
            return
        try:
            report = sync(
                client=client_from_settings(), since=since, dry_run=dry_run, max_pages=max_pages
            )
        except CoopApiError as error:
            raise CommandError(str(error)) from error
        if report.busy:
            self.stdout.write("Une synchronisation est déjà en cours : rien n’a été fait.")
            return
        counts = report.counts
        self.stdout.write(
            ("Essai à blanc, rien n’a été écrit : " if dry_run else "")
            + f"{counts['creees']} créée(s), {counts['mises_a_jour']} mise(s) à jour, "
            f"{counts['inchangees']} inchangée(s), {counts['supprimees']} supprimée(s), "
            f"{counts['refusees']} refusée(s) ; {report.pages} page(s) lue(s)."
        )
        for item in report.refused:
            self.stdout.write(
                f"Refusée : {item['id']} du {item['date']} ({item['mediateur']}) : {item['motif']}"
            )
        if not report.complete:
            self.stdout.write("La suite sera lue au prochain passage.")
        if not dry_run:
            # The scheduler's record of the run: what changed (not what was read unchanged).
            self.counts = {k: v for k, v in counts.items() if k != "inchangees"}
