"""create_api_token EMAIL: prints a new API token, alone on its line (only its hash is stored)."""

from django.core.management.base import BaseCommand, CommandError

from poitiers_inclusion.models import ApiToken, User


class Command(BaseCommand):
    help = "Crée un jeton d'API pour ce compte et l'affiche une seule fois."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, email, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun compte actif pour {email}.")
        self.stdout.write(ApiToken.issue(user))
