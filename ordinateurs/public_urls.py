"""Public pages of Ordinateurs solidaires: offering computers, the donor's confirmation link,
the answer to a ceremony's invitation."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("donner/", public_views.don_offer, name="don_offer"),
    path("donner/merci/", public_views.don_offer_done, name="don_offer_done"),
    path("don/<str:token>/", public_views.don_confirm, name="don_confirm"),
    path(
        "ceremonie/<str:token>/",
        public_views.invitation_ceremonie,
        name="invitation_ceremonie",
    ),
]
