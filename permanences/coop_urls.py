"""URLs of the permanences app: Coop import and export pages (joined in permanences/urls.py)."""

urlpatterns = []
