"""URLs of the permanences app: schedule pages (joined in permanences/urls.py)."""

urlpatterns = []
