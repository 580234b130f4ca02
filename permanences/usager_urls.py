"""URLs of the permanences app: usager pages (joined in permanences/urls.py)."""

urlpatterns = []
