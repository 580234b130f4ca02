"""The territory and its actors: quartiers, structures, lieux, contacts, campaigns, meetings,
orientations."""

from django.apps import AppConfig


class ReseauConfig(AppConfig):
    name = "reseau"
    verbose_name = "Réseau et territoire"

    def ready(self):
        from poitiers_inclusion import figures, nav
        from poitiers_inclusion.audit_labels import register_action_labels

        from . import audit_actions
        from . import figures as reseau_figures

        register_action_labels(audit_actions.LABELS)
        # The bar is shared by every app and must fit on one line: the réseau's hub page lists
        # what each role may open (structures, contacts, quartiers, meetings, campaigns…).
        nav.register(
            nav.NavItem("Réseau", "reseau:index", order=55),
            nav.NavItem("Lieux", "reseau:lieu_list", order=61),
        )
        figures.register_section(
            figures.SectionSpec(
                "reseau",
                "Réseau d'acteurs",
                80,
                reseau_figures.build_section,
                filters=("lieu", "quartier"),  # the structures, places and contacts
            )
        )
        figures.register_api_block("reseau", reseau_figures.api_block)
