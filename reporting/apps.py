"""Dashboards, indicators, exports and the statistics API, composed from each app's figures."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.audit_labels import register_action_labels
        from poitiers_inclusion.enums import Role

        from . import audit_actions

        # The report and the external indicators are reached from the dashboard's buttons.
        register_action_labels(audit_actions.LABELS)
        nav.register(
            nav.NavItem(
                "Tableau de bord",
                "reporting:dashboard",
                roles=[Role.COORDINATEUR, Role.ADMIN, Role.CONSEILLER, Role.PRESCRIPTEUR],
                order=1,
            ),
        )
        from . import crossapp

        crossapp.register()
