"""URLs of the households' pages: requests and the waiting list, allocation and hand-over,
ceremonies and testimonials."""

from django.urls import path

from . import ceremonie_views
from . import foyers_views as views

urlpatterns = [
    # Requests.
    path("demandes/", views.demande_list, name="demande_list"),
    path("demandes/nouvelle/", views.demande_create, name="demande_create"),
    path("demandes/<int:pk>/", views.demande_detail, name="demande_detail"),
    path("demandes/<int:pk>/decision/", views.demande_decide, name="demande_decide"),
    path("demandes/<int:pk>/proposer/", views.demande_propose, name="demande_propose"),
    path("demandes/<int:pk>/completer/", views.demande_edit, name="demande_edit"),
    # Allocation and hand-over.
    path(
        "attributions/<int:pk>/remise/", views.attribution_hand_over, name="attribution_hand_over"
    ),
    path("attributions/<int:pk>/retrait/", views.attribution_withdraw, name="attribution_withdraw"),
    path("attributions/<int:pk>/recu/", views.recu_remise, name="recu_remise"),
    # Ceremonies.
    path("ceremonies/", ceremonie_views.ceremonie_list, name="ceremonie_list"),
    path("ceremonies/nouvelle/", ceremonie_views.ceremonie_create, name="ceremonie_create"),
    path("ceremonies/<int:pk>/", ceremonie_views.ceremonie_detail, name="ceremonie_detail"),
    path("ceremonies/<int:pk>/modifier/", ceremonie_views.ceremonie_edit, name="ceremonie_edit"),
    path("ceremonies/<int:pk>/inviter/", ceremonie_views.ceremonie_invite, name="ceremonie_invite"),
    path("ceremonies/<int:pk>/prevoir/", ceremonie_views.ceremonie_plan, name="ceremonie_plan"),
    path(
        "ceremonies/<int:pk>/temoignage/",
        ceremonie_views.temoignage_create,
        name="temoignage_create",
    ),
]
