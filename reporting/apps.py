"""Dashboards, indicators, exports and the statistics API, composed from each app's figures."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.audit_labels import register_action_labels
        from reseau import panels

        from . import audit_actions, crossapp

        register_action_labels(audit_actions.LABELS)
        # The report and the external indicators are reached from the dashboard's buttons.
        nav.register(nav.NavItem("Tableau de bord", "reporting:dashboard", order=1))
        crossapp.register()
        # A meeting's page offers to attach the dashboard's workbook (the réseau cannot link here).
        panels.register_reunion_panel("reporting/reunion_panel.html")
