"""URLs of the permanences app."""

app_name = "permanences"

urlpatterns = []
