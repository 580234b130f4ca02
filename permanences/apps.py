"""Drop-in places' schedules, appointments and the médiation log."""

from django.apps import AppConfig


class PermanencesConfig(AppConfig):
    name = "permanences"
    verbose_name = "Permanences et médiations"

    def ready(self):
        from poitiers_inclusion import nav
        from poitiers_inclusion.audit_labels import register_action_labels
        from poitiers_inclusion.backups import register_after_restore

        from . import audit_actions, figures
        from .figures import store

        register_action_labels(audit_actions.LABELS)
        register_after_restore(store.forget)
        nav.register(
            nav.NavItem("Saisir une médiation", "permanences:log", order=10),
            nav.NavItem("Activité", "permanences:activity", order=11),
            nav.NavItem("Usagers", "permanences:usager_list", order=12),
            nav.NavItem("Agenda", "permanences:agenda", order=13),
            nav.NavItem("Permanences", "permanences:schedule", order=20),
            nav.NavItem("Fréquentation", "permanences:attendance", order=21),
            nav.NavItem("Import Coop", "permanences:coop_import", order=22),
            nav.NavItem("Synchroniser avec La Coop", "permanences:coop_sync", order=23),
        )
        figures.register()

        from reseau import hours

        from .booking import weekly_hours_by_lieu

        hours.register_provider(weekly_hours_by_lieu)

        from reseau.referentiel import register_archive_effect

        from .moves import lieu_archive_effects

        register_archive_effect("lieu", lieu_archive_effects)
