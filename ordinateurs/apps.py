"""Ordinateurs solidaires: donated computers to households; not built yet."""

from django.apps import AppConfig


class OrdinateursConfig(AppConfig):
    name = "ordinateurs"
    verbose_name = "Ordinateurs solidaires"
