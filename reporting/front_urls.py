"""The residents' front door and the calendars, mounted at the site's root."""

from django.urls import path

from . import front_views

app_name = "front"

urlpatterns = [
    path("", front_views.home, name="home"),
    path("agenda/", front_views.calendars, name="calendars"),
    path("agenda/lieux/<int:pk>.ics", front_views.lieu_calendar, name="lieu_calendar"),
]
