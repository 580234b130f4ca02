"""Dashboards, indicators, exports and the statistics API, composed from each app's figures."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from poitiers_inclusion import nav

        # The report and the external indicators are reached from the dashboard's buttons.
        nav.register(nav.NavItem("Tableau de bord", "reporting:dashboard", order=1))
        from . import crossapp

        crossapp.register()
