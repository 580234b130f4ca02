"""Dashboards, indicators, exports and the statistics API, composed from each app's figures."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Pilotage"
