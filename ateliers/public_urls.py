"""Public pages of the workshops: the programme, registration, the cancellation link."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("programme/", public_views.programme, name="programme"),
    path("programme/calendrier.ics", public_views.calendar, name="calendar"),
    path(
        "programme/<int:pk>/inscription/",
        public_views.register_public,
        name="register_public",
    ),
    path("inscription/<str:token>/", public_views.registered, name="registered"),
    path("inscription/<str:token>/annuler/", public_views.cancel_public, name="cancel_public"),
]
