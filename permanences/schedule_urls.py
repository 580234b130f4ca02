"""URLs of the permanences app: schedule pages (joined in permanences/urls.py)."""

from django.urls import path

from . import schedule_views as views

urlpatterns = [
    # The coordinator's planning.
    path("planning/", views.schedule, name="schedule"),
    path("planning/permanence/nouvelle/", views.permanence_create, name="permanence_create"),
    path("planning/permanence/<int:pk>/", views.permanence_edit, name="permanence_edit"),
    path("planning/permanence/<int:pk>/terminer/", views.permanence_end, name="permanence_end"),
    path("planning/ponctuel/nouveau/", views.extra_slot_create, name="extra_slot_create"),
    path("planning/fermeture/nouvelle/", views.closure_create, name="closure_create"),
    path("planning/fermeture/<int:pk>/", views.closure_edit, name="closure_edit"),
    path("planning/fermeture/<int:pk>/supprimer/", views.closure_delete, name="closure_delete"),
    # Public pages: the schedule and booking.
    path("horaires/", views.public_schedule, name="public_schedule"),
    path("rendez-vous/<int:pk>/<str:day>/", views.booking_new, name="booking_new"),
    path("rendez-vous/confirmation/<str:token>/", views.booking_done, name="booking_done"),
    path("rendez-vous/annulation/<str:token>/", views.booking_cancel, name="booking_cancel"),
    # The conseiller's day.
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/rendez-vous/<int:pk>/statut/", views.booking_status, name="booking_status"),
    path(
        "agenda/rendez-vous/<int:pk>/mediation/",
        views.booking_mediation,
        name="booking_mediation",
    ),
    # Attendance.
    path("frequentation/", views.attendance, name="attendance"),
]
