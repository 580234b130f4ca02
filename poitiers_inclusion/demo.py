"""Demo accounts, one per role (the passwords are for the demo only, printed at start).

The demo prescripteur belongs to a partner structure of the réseau's demo, which loads these
accounts once its structures exist (`reseau/demo.py`).
"""

from .enums import Role
from .models import User

DEMO_PASSWORD = "demo-inclusion-2022"

DEMO_ACCOUNTS = [
    ("conseiller@demo.example", Role.CONSEILLER, "Camille", "Martin", None),
    ("conseiller2@demo.example", Role.CONSEILLER, "Yanis", "Bernard", None),
    ("conseiller3@demo.example", Role.CONSEILLER, "Inès", "Petit", None),
    ("coordination@demo.example", Role.COORDINATEUR, "Sophie", "Durand", None),
    ("technicien@demo.example", Role.TECHNICIEN, "Lucas", "Moreau", None),
    ("prescripteur@demo.example", Role.PRESCRIPTEUR, "Nadia", "Lefèvre", "CCAS de Poitiers"),
    ("admin@demo.example", Role.ADMIN, "Alex", "Admin", None),
]


def load_accounts(stdout):
    # The referential is reached through the account's own link to it: the kernel imports no app.
    Structure = User._meta.get_field("structure").related_model
    created = 0
    for email, role, first, last, structure_name in DEMO_ACCOUNTS:
        if User.objects.filter(email=email).exists():
            continue
        structure = Structure.objects.get(nom=structure_name) if structure_name else None
        user = User(
            email=email,
            role=role,
            first_name=first,
            last_name=last,
            structure=structure,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        created += 1
    stdout.write(f"Comptes de démonstration : {created} créé(s).")


def print_accounts(stdout):
    stdout.write("")
    stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})")
    for email, role, *_ in DEMO_ACCOUNTS:
        stdout.write(f"  {Role(role).label:<22} {email}")
