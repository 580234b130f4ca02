"""URLs of the statistics API, mounted under /api/v1/."""

from django.urls import path

from . import api

app_name = "reporting_api"

urlpatterns = [
    path("statistiques", api.statistics, name="statistics"),
    path("activites", api.activites, name="activites"),
    path("openapi.json", api.openapi, name="openapi"),
]
