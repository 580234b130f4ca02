"""The workshop path (parcours, modules, sessions, registrations); not built yet."""

from django.apps import AppConfig


class AteliersConfig(AppConfig):
    name = "ateliers"
    verbose_name = "Ateliers"
