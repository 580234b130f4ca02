"""Ordinateurs solidaires: donated computers, erased and reconditioned, handed over to households."""

from django.apps import AppConfig


class OrdinateursConfig(AppConfig):
    name = "ordinateurs"
    verbose_name = "Ordinateurs solidaires"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.audit_labels import register_action_labels
        from poitiers_inclusion.enums import Role

        from . import audit_actions

        workshop = [Role.TECHNICIEN, Role.COORDINATEUR, Role.ADMIN]
        register_action_labels(audit_actions.LABELS)
        nav.register(
            nav.NavItem("Ordinateurs", "ordinateurs:home", roles=workshop, order=30),
            nav.NavItem("Dons", "ordinateurs:don_list", roles=workshop, order=31),
            nav.NavItem(
                "Foyers",
                "ordinateurs:demande_list",
                roles=[Role.COORDINATEUR, Role.ADMIN, Role.PRESCRIPTEUR],
                order=32,
            ),
        )
        from . import figures

        figures.register()
