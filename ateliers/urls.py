"""URLs of the ateliers app."""

app_name = "ateliers"

urlpatterns = []
