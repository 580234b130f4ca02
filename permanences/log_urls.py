"""URLs of the permanences app: log pages (joined in permanences/urls.py)."""

urlpatterns = []
