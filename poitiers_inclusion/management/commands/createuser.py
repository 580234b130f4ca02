"""createuser EMAIL --role ROLE [--structure NAME]: the password comes from DJANGO_USER_PASSWORD."""

import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User

# Partner structures belong to the referential (reseau), reached through the account's own link
# to it: the kernel imports no app.
Structure = User._meta.get_field("structure").related_model


class Command(BaseCommand):
    help = "Crée un compte ; le mot de passe est lu dans la variable DJANGO_USER_PASSWORD."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--structure", help="Nom de la structure (obligatoire pour un prescripteur)."
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, email, role, structure=None, first_name="", last_name="", **options):
        password = os.environ.get("DJANGO_USER_PASSWORD")
        if not password:
            raise CommandError(
                "La variable d'environnement DJANGO_USER_PASSWORD est vide : "
                "définissez-y le mot de passe du compte à créer."
            )
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"« {email} » n'est pas une adresse e-mail valide.") from None
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"Un compte existe déjà pour {email}.")
        structure_obj = None
        if structure:
            structure_obj = Structure.objects.filter(nom__iexact=structure).first()
            if structure_obj is None:
                raise CommandError(f"Aucune structure ne s'appelle « {structure} ».")
        if role == Role.PRESCRIPTEUR and structure_obj is None:
            raise CommandError(
                "Un prescripteur doit être rattaché à une structure : --structure NOM."
            )
        user = User(
            email=email.lower(),
            role=role,
            structure=structure_obj,
            first_name=first_name,
            last_name=last_name,
        )
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Mot de passe refusé : " + " ".join(error.messages)) from None
        user.set_password(password)
        user.save()
        self.stdout.write(f"Compte créé : {user.email} ({user.get_role_display()}).")
