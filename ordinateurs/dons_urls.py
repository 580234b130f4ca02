"""The team's pages of donations and donors."""

from django.urls import path

from . import dons_views as views

urlpatterns = [
    # Donations.
    path("dons/", views.don_list, name="don_list"),
    path("dons/nouveau/", views.don_create, name="don_create"),
    path("dons/<int:pk>/", views.don_detail, name="don_detail"),
    path("dons/<int:pk>/collecte/", views.don_plan, name="don_plan"),
    path("dons/<int:pk>/reception/", views.don_collect, name="don_collect"),
    path("dons/<int:pk>/annuler/", views.don_cancel, name="don_cancel"),
    path("dons/<int:pk>/attestation/", views.don_attestation, name="don_attestation"),
    # Donors.
    path("donateurs/", views.donateur_list, name="donateur_list"),
    path("donateurs/<int:pk>/", views.donateur_detail, name="donateur_detail"),
    path("donateurs/<int:pk>/modifier/", views.donateur_edit, name="donateur_edit"),
    path("donateurs/<int:pk>/bilan/<int:year>/", views.donateur_bilan, name="donateur_bilan"),
]
