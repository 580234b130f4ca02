"""URLs of the ordinateurs app."""

app_name = "ordinateurs"

urlpatterns = []
