"""The team's page of people to call about their appointment."""

from django.urls import path

from . import calls_views as views

urlpatterns = [
    path("agenda/a-appeler/", views.call_list, name="call_list"),
    path("agenda/a-appeler/<int:pk>/fait/", views.call_mark_done, name="call_done"),
]
