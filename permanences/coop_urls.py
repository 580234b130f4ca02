"""URLs of the permanences app: Coop import and export pages (joined in permanences/urls.py)."""

from django.urls import path

from . import coop_sync_views, coop_views

urlpatterns = [
    path("import-coop/", coop_views.coop_import, name="coop_import"),
    path("import-coop/apercu/", coop_views.coop_import_preview, name="coop_import_preview"),
    path("import-coop/confirmer/", coop_views.coop_import_confirm, name="coop_import_confirm"),
    path("export-coop/", coop_views.coop_export, name="coop_export"),
    path("synchro-coop/", coop_sync_views.coop_sync, name="coop_sync"),
]
