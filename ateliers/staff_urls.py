"""The team's pages: sessions, registrations and attendance, parcours and modules."""

from django.urls import path

from . import staff_views as views

urlpatterns = [
    # Sessions.
    path("", views.seance_list, name="seance_list"),
    path("seances/nouvelle/", views.seance_create, name="seance_create"),
    path("seances/<int:pk>/", views.seance_detail, name="seance_detail"),
    path("seances/<int:pk>/modifier/", views.seance_edit, name="seance_edit"),
    path("seances/<int:pk>/annuler/", views.seance_cancel, name="seance_cancel"),
    # Registrations and attendance.
    path("seances/<int:pk>/inscrire/", views.seance_register, name="seance_register"),
    path("seances/<int:pk>/sur-place/", views.seance_walk_in, name="seance_walk_in"),
    path("inscriptions/<int:pk>/presence/", views.presence, name="presence"),
    path("inscriptions/<int:pk>/annuler/", views.inscription_cancel, name="inscription_cancel"),
    # The catalogue.
    path("parcours/", views.parcours_list, name="parcours_list"),
    path("parcours/nouveau/", views.parcours_create, name="parcours_create"),
    path("parcours/<int:pk>/modifier/", views.parcours_edit, name="parcours_edit"),
    path("modules/nouveau/", views.module_create, name="module_create"),
    path("modules/<int:pk>/modifier/", views.module_edit, name="module_edit"),
]
