"""The shared kernel: accounts and roles, the usager record, the audit log."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class KernelConfig(AppConfig):
    name = "poitiers_inclusion"
    label = "kernel"
    verbose_name = "Noyau commun"

    def ready(self):
        from . import (
            nav,
            throttle,  # noqa: F401 (registers its deployment check)
        )
        from .enums import Role

        nav.register(
            nav.NavItem("Accueil", "home", roles=Role.values, order=0),
            nav.NavItem("Comptes", "kernel:user_list", roles=[Role.ADMIN], order=90),
            nav.NavItem("Journal d'audit", "kernel:audit_list", roles=[Role.ADMIN], order=91),
        )


class AdminConfig(DjangoAdminConfig):
    """Django's admin with the superusers-only site (poitiers_inclusion/admin_site.py)."""

    default_site = "poitiers_inclusion.admin_site.SuperuserAdminSite"
