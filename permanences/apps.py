"""Drop-in places' schedules, appointments and the médiation log."""

from django.apps import AppConfig


class PermanencesConfig(AppConfig):
    name = "permanences"
    verbose_name = "Permanences et médiations"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.audit_labels import register_action_labels
        from poitiers_inclusion.enums import Role

        from . import audit_actions, figures

        loggers = [Role.CONSEILLER, Role.COORDINATEUR]
        staff = [Role.COORDINATEUR, Role.ADMIN]
        register_action_labels(audit_actions.LABELS)
        nav.register(
            nav.NavItem("Saisir une médiation", "permanences:log", roles=loggers, order=10),
            nav.NavItem("Activité", "permanences:activity", roles=loggers, order=11),
            nav.NavItem("Usagers", "permanences:usager_list", roles=loggers, order=12),
            nav.NavItem("Agenda", "permanences:agenda", roles=loggers, order=13),
            nav.NavItem("Permanences", "permanences:schedule", roles=staff, order=20),
            nav.NavItem("Fréquentation", "permanences:attendance", roles=staff, order=21),
            nav.NavItem("Import Coop", "permanences:coop_import", roles=staff, order=22),
        )
        figures.register()

        from reseau import hours

        from .booking import weekly_hours_by_lieu

        hours.register_provider(weekly_hours_by_lieu)
