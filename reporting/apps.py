"""Dashboards, indicators, exports and the statistics API, composed from each app's figures."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.enums import Role

        staff = [Role.COORDINATEUR, Role.ADMIN]
        nav.register(
            nav.NavItem(
                "Tableau de bord",
                "reporting:dashboard",
                roles=[Role.COORDINATEUR, Role.ADMIN, Role.CONSEILLER, Role.PRESCRIPTEUR],
                order=1,
            ),
            nav.NavItem("Rapport du réseau", "reporting:report", roles=staff, order=80),
            nav.NavItem("Indicateurs externes", "reporting:indicators", roles=staff, order=81),
        )
