"""The workshop path: parcours, modules, sessions, registrations, waiting list, attendance."""

from django.apps import AppConfig


class AteliersConfig(AppConfig):
    name = "ateliers"
    verbose_name = "Ateliers"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.audit_labels import register_action_labels
        from poitiers_inclusion.enums import Role

        from . import audit_actions

        register_action_labels(audit_actions.LABELS)
        nav.register(
            nav.NavItem(
                "Ateliers",
                "ateliers:seance_list",
                roles=[Role.CONSEILLER, Role.COORDINATEUR, Role.ADMIN],
                order=14,
            ),
        )
        from poitiers_inclusion import usager_records

        from . import figures, records

        figures.register()
        usager_records.register(records.HOLDING)
