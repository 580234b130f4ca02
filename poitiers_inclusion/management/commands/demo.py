"""demo: loads the demo data of every app, in dependency order; running it twice changes nothing.

Each app may provide a `demo` module with `load(stdout)`; this command calls them in the order
of INSTALLED_APPS (reseau before the activity apps), inside one transaction. The réseau's demo
creates the demo accounts once its structures exist (the prescripteur belongs to one): the
activity apps' demos find them.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from poitiers_inclusion import demo as kernel_demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (idempotent) et affiche les comptes de démonstration."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="Ne pas afficher les comptes."
        )

    def handle(self, quiet_accounts=False, **options):
        with transaction.atomic():
            for config in apps.get_app_configs():
                if config.name == "poitiers_inclusion":
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                module.load(self.stdout)
        if not quiet_accounts:
            kernel_demo.print_accounts(self.stdout)
