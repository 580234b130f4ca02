"""The shared kernel: accounts and roles, the usager record, the audit log."""

from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "poitiers_inclusion"
    label = "kernel"
    verbose_name = "Noyau commun"

    def ready(self):
        from . import nav
        from .enums import Role

        nav.register(
            nav.NavItem("Accueil", "home", roles=Role.values, order=0),
            nav.NavItem("Comptes", "kernel:user_list", roles=[Role.ADMIN], order=90),
        )
