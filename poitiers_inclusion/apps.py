"""The shared kernel: accounts and roles, the usager record, the audit log."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class KernelConfig(AppConfig):
    name = "poitiers_inclusion"
    label = "kernel"
    verbose_name = "Noyau commun"

    def ready(self):
        from . import (
            audit_actions,
            nav,
            throttle,  # noqa: F401 (registers its deployment check)
        )
        from .audit_labels import register_action_labels

        register_action_labels(audit_actions.LABELS)
        nav.register(
            nav.NavItem("Accueil", "home", order=0),
            nav.NavItem("Comptes", "kernel:user_list", order=90),
            nav.NavItem("Journal d'audit", "kernel:audit_list", order=91),
            nav.NavItem("Tâches planifiées", "kernel:job_runs", order=92),
            nav.NavItem("E-mails non envoyés", "kernel:outbox_list", order=93),
        )


class AdminConfig(DjangoAdminConfig):
    """Django's admin with the superusers-only site (poitiers_inclusion/admin_site.py)."""

    default_site = "poitiers_inclusion.admin_site.SuperuserAdminSite"
