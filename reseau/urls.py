"""URLs of the territory's referential."""

from django.urls import path

from . import views

app_name = "reseau"

urlpatterns = [
    path("structures/", views.structure_list, name="structure_list"),
    path("structures/nouvelle/", views.structure_edit, name="structure_create"),
    path("structures/<int:pk>/", views.structure_edit, name="structure_edit"),
    path("structures/<int:pk>/archiver/", views.structure_archive, name="structure_archive"),
    path("lieux/", views.lieu_list, name="lieu_list"),
    path("lieux/nouveau/", views.lieu_edit, name="lieu_create"),
    path("lieux/<int:pk>/", views.lieu_edit, name="lieu_edit"),
    path("lieux/<int:pk>/archiver/", views.lieu_archive, name="lieu_archive"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/nouveau/", views.contact_edit, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/archiver/", views.contact_archive, name="contact_archive"),
    path("quartiers/", views.quartier_list, name="quartier_list"),
    path("quartiers/nouveau/", views.quartier_edit, name="quartier_create"),
    path("quartiers/<int:pk>/", views.quartier_edit, name="quartier_edit"),
]
