"""The workshop path: parcours, modules, sessions, registrations, waiting list, attendance."""

from django.apps import AppConfig


class AteliersConfig(AppConfig):
    name = "ateliers"
    verbose_name = "Ateliers"

    def ready(self):
        from poitiers_inclusion import nav

        nav.register(nav.NavItem("Ateliers", "ateliers:seance_list", order=14))
        from poitiers_inclusion import usager_records

        from . import figures, records

        figures.register()
        usager_records.register(records.HOLDING)
