"""URLs of the permanences app: usager pages (joined in permanences/urls.py)."""

from django.urls import path

from . import usager_views

urlpatterns = [
    path("usagers/", usager_views.usager_list, name="usager_list"),
    path("usagers/<int:pk>/", usager_views.usager_detail, name="usager_detail"),
    path("usagers/<int:pk>/fusionner/", usager_views.usager_merge, name="usager_merge"),
    path(
        "usagers/<int:pk>/export.json", usager_views.usager_export_json, name="usager_export_json"
    ),
    path(
        "usagers/<int:pk>/imprimer/", usager_views.usager_export_print, name="usager_export_print"
    ),
    path("usagers/<int:pk>/anonymiser/", usager_views.usager_anonymise, name="usager_anonymise"),
    path("usagers/<int:pk>/supprimer/", usager_views.usager_delete, name="usager_delete"),
]
