"""Ordinateurs solidaires: donated computers, erased and reconditioned, handed over to households."""

from django.apps import AppConfig


class OrdinateursConfig(AppConfig):
    name = "ordinateurs"
    verbose_name = "Ordinateurs solidaires"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.audit_labels import register_action_labels

        from . import audit_actions, figures

        register_action_labels(audit_actions.LABELS)
        nav.register(
            nav.NavItem("Ordinateurs", "ordinateurs:home", order=30),
            nav.NavItem("Dons", "ordinateurs:don_list", order=31),
            nav.NavItem("Foyers", "ordinateurs:demande_list", order=32),
        )
        figures.register()
