"""URLs of the reporting app."""

app_name = "reporting"

urlpatterns = []
