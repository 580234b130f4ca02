"""The workshop path: parcours, modules, sessions, registrations, waiting list, attendance."""

from django.apps import AppConfig


class AteliersConfig(AppConfig):
    name = "ateliers"
    verbose_name = "Ateliers"

    def ready(self):
        from poitiers_inclusion import figures as programme_figures
        from poitiers_inclusion import nav, usager_records
        from poitiers_inclusion.audit_labels import register_action_labels
        from poitiers_inclusion.backups import register_after_restore

        from . import audit_actions, figures, figures_data, figures_store, records

        register_action_labels(audit_actions.LABELS)
        nav.register(nav.NavItem("Ateliers", "ateliers:seance_list", order=14))
        figures.register()
        programme_figures.register_store_part(
            figures_data.rebuild_store, lambda: figures_data.current_store() is not None
        )
        programme_figures.register_store_reader(figures_data.current_store)
        register_after_restore(figures_store.forget)
        usager_records.register(records.HOLDING)

        from reseau.referentiel import register_archive_effect

        from .programme import lieu_archive_effects

        register_archive_effect("lieu", lieu_archive_effects)
