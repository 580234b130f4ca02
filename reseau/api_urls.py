"""Open-data URLs of the réseau app, mounted at /api/v1/ by the root URLconf."""

from django.urls import path

from .views import api

app_name = "reseau_api"

urlpatterns = [
    path("lieux.csv", api.lieux_csv, name="lieux_csv"),
    path("lieux.json", api.lieux_json, name="lieux_json"),
    path(
        "data-inclusion/structures.json",
        api.data_inclusion_structures,
        name="data_inclusion_structures",
    ),
    path(
        "data-inclusion/services.json",
        api.data_inclusion_services,
        name="data_inclusion_services",
    ),
]
