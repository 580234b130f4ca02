"""The territory and its actors: quartiers, structures, lieux, contacts, campaigns, meetings,
orientations."""

from django.apps import AppConfig


class ReseauConfig(AppConfig):
    name = "reseau"
    verbose_name = "Réseau et territoire"

    def ready(self):
        from poitiers_inclusion import figures, nav
        from poitiers_inclusion.enums import Role

        from . import figures as reseau_figures

        managers = [Role.ADMIN, Role.COORDINATEUR]
        everyone = list(Role.values)
        nav.register(
            nav.NavItem("Annuaire", "reseau:annuaire", roles=everyone, order=55),
            nav.NavItem(
                "Orientations",
                "reseau:orientation_list",
                roles=[Role.PRESCRIPTEUR, Role.CONSEILLER, *managers],
                order=56,
            ),
            nav.NavItem(
                "Couverture", "reseau:couverture", roles=[Role.CONSEILLER, *managers], order=57
            ),
            nav.NavItem("Réunions", "reseau:reunion_list", roles=managers, order=58),
            nav.NavItem("Campagnes", "reseau:campagne_list", roles=managers, order=59),
            nav.NavItem("Structures", "reseau:structure_list", roles=managers, order=60),
            nav.NavItem("Lieux", "reseau:lieu_list", roles=managers, order=61),
            nav.NavItem("Contacts", "reseau:contact_list", roles=managers, order=62),
            nav.NavItem("Quartiers", "reseau:quartier_list", roles=managers, order=63),
            nav.NavItem("Carte des lieux", "reseau:carte", roles=everyone, order=64),
        )
        figures.register_section(
            figures.SectionSpec("reseau", "Réseau d'acteurs", 80, reseau_figures.build_section)
        )
        figures.register_api_block("reseau", reseau_figures.api_block)
