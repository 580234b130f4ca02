"""URLs of the permanences app: the team's schedule pages (joined in permanences/urls.py)."""

from django.urls import path

from . import agenda_views, attendance_views, move_views, planning_views

urlpatterns = [
    # The coordinator's planning.
    path("planning/", planning_views.schedule, name="schedule"),
    path(
        "planning/permanence/nouvelle/",
        planning_views.permanence_create,
        name="permanence_create",
    ),
    path("planning/permanence/<int:pk>/", planning_views.permanence_edit, name="permanence_edit"),
    path(
        "planning/permanence/<int:pk>/terminer/",
        planning_views.permanence_end,
        name="permanence_end",
    ),
    path("planning/ponctuel/nouveau/", planning_views.extra_slot_create, name="extra_slot_create"),
    path("planning/fermeture/nouvelle/", planning_views.closure_create, name="closure_create"),
    path("planning/fermeture/<int:pk>/", planning_views.closure_edit, name="closure_edit"),
    path(
        "planning/fermeture/<int:pk>/supprimer/",
        planning_views.closure_delete,
        name="closure_delete",
    ),
    # The conseiller's day.
    path("agenda/", agenda_views.agenda, name="agenda"),
    path(
        "agenda/rendez-vous/<int:pk>/statut/",
        agenda_views.booking_status,
        name="booking_status",
    ),
    path(
        "agenda/rendez-vous/<int:pk>/mediation/",
        agenda_views.booking_mediation,
        name="booking_mediation",
    ),
    # Attendance.
    path("frequentation/", attendance_views.attendance, name="attendance"),
    path(
        "frequentation/permanence/<int:pk>/deplacer/",
        move_views.permanence_move,
        name="permanence_move",
    ),
]
