"""The workshop's pages: the technician's home, the inventory, a device's path and evidence,
the erasure certificates and the labels."""

from django.urls import path

from . import certificate_views, label_views
from . import staff_views as views

urlpatterns = [
    path("", views.home, name="home"),
    # The inventory and receiving a batch.
    path("appareils/", views.ordinateur_list, name="ordinateur_list"),
    path("appareils/reception/", views.ordinateur_receive, name="ordinateur_receive"),
    # A device: its path, storage, evidence of erasure, checks and description.
    path("appareils/<int:pk>/", views.ordinateur_detail, name="ordinateur_detail"),
    path("appareils/<int:pk>/etat/", views.ordinateur_move, name="ordinateur_move"),
    path("appareils/<int:pk>/stockages/ajouter/", views.stockage_add, name="stockage_add"),
    path("stockages/<int:pk>/effacement/", views.effacement_create, name="effacement_create"),
    path("appareils/<int:pk>/controle/", views.controle_create, name="controle_create"),
    path("appareils/<int:pk>/modifier/", views.ordinateur_edit, name="ordinateur_edit"),
    path("effacements/<int:pk>/rapport/", views.effacement_preuve, name="effacement_preuve"),
    path("evenements/<int:pk>/piece/", views.evenement_piece, name="evenement_piece"),
    # Certificates, to print and archive.
    path(
        "appareils/<int:pk>/certificat/",
        certificate_views.certificat_effacement,
        name="certificat_effacement",
    ),
    path("dons/<int:pk>/certificats/", certificate_views.certificats_don, name="certificats_don"),
    # Labels: the asset tag and a QR code of the device's page (A4 sheets, Avery L7160).
    path("appareils/<int:pk>/etiquette/", label_views.etiquette, name="etiquette"),
]
