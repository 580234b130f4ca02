"""URLs of the permanences app: log pages (joined in permanences/urls.py)."""

from django.urls import path

from . import log_views

urlpatterns = [
    path("accueil/", log_views.home, name="home"),
    path("saisir/", log_views.log, name="log"),
    path("saisir/usagers/", log_views.usager_search, name="usager_search"),
    path("activite/", log_views.activity, name="activity"),
    path("activite/totaux/", log_views.activity_totals_part, name="activity_totals"),
    path("activite/<int:pk>/modifier/", log_views.mediation_edit, name="mediation_edit"),
    path("activite/<int:pk>/dupliquer/", log_views.mediation_duplicate, name="mediation_duplicate"),
    path("activite/<int:pk>/supprimer/", log_views.mediation_delete, name="mediation_delete"),
]
