"""Drop-in places' schedules, appointments and the médiation log."""

from django.apps import AppConfig


class PermanencesConfig(AppConfig):
    name = "permanences"
    verbose_name = "Permanences et médiations"
