"""The territory and its actors: quartiers, structures, lieux, contacts."""

from django.apps import AppConfig


class ReseauConfig(AppConfig):
    name = "reseau"
    verbose_name = "Réseau et territoire"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.enums import Role

        managers = [Role.ADMIN, Role.COORDINATEUR]
        nav.register(
            nav.NavItem("Structures", "reseau:structure_list", roles=managers, order=60),
            nav.NavItem("Lieux", "reseau:lieu_list", roles=managers, order=61),
            nav.NavItem("Contacts", "reseau:contact_list", roles=managers, order=62),
            nav.NavItem("Quartiers", "reseau:quartier_list", roles=managers, order=63),
        )
