"""URLs of the reporting app, mounted under /pilotage/."""

from django.urls import path

from . import share_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export_dashboard, name="export_dashboard"),
    path("export/<slug:section>/<slug:table>.csv", views.export_table_csv, name="export_table_csv"),
    path(
        "export/<slug:section>/<slug:table>.xlsx", views.export_table_xlsx, name="export_table_xlsx"
    ),
    path("rapport/", views.network_report, name="report"),
    path("partages/", share_views.share_list, name="share_list"),
    path("partages/nouveau/", share_views.share_create, name="share_create"),
    path("partages/<int:pk>/revoquer/", share_views.share_revoke, name="share_revoke"),
    path("vue/<str:token>/", share_views.share_public, name="share_public"),
    path("rapport/reunion/<int:pk>/joindre/", views.attach_report, name="attach_report"),
    path("indicateurs/", views.indicators, name="indicators"),
    path("indicateurs/importer/", views.indicator_import, name="indicator_import"),
]
