"""Public URLs of the permanences app: the schedule and booking (joined in permanences/urls.py)."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("horaires/", public_views.public_schedule, name="public_schedule"),
    path("rendez-vous/<int:pk>/<str:day>/", public_views.booking_new, name="booking_new"),
    path("rendez-vous/confirmation/<str:token>/", public_views.booking_done, name="booking_done"),
    path("rendez-vous/annulation/<str:token>/", public_views.booking_cancel, name="booking_cancel"),
]
