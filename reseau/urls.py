"""URLs of the réseau app (mounted under /reseau/); open data is in api_urls.py."""

from django.urls import path

from .views import annuaire, campagnes, lieux_a_confirmer, orientations, referentiel, reunions

app_name = "reseau"

urlpatterns = [
    # Referential management (coordinator, admin).
    path("structures/", referentiel.structure_list, name="structure_list"),
    path("structures/nouvelle/", referentiel.structure_edit, name="structure_create"),
    path("structures/<int:pk>/", referentiel.structure_edit, name="structure_edit"),
    path("structures/<int:pk>/archiver/", referentiel.structure_archive, name="structure_archive"),
    path("lieux/", referentiel.lieu_list, name="lieu_list"),
    path("lieux/nouveau/", referentiel.lieu_edit, name="lieu_create"),
    path("lieux/<int:pk>/", referentiel.lieu_edit, name="lieu_edit"),
    path("lieux/<int:pk>/archiver/", referentiel.lieu_archive, name="lieu_archive"),
    path("lieux/a-confirmer/", lieux_a_confirmer.lieux_a_confirmer, name="lieux_a_confirmer"),
    path("lieux/<int:pk>/confirmer/", lieux_a_confirmer.lieu_confirm, name="lieu_confirm"),
    path("lieux/<int:pk>/fusionner/", lieux_a_confirmer.lieu_merge, name="lieu_merge"),
    path("contacts/", referentiel.contact_list, name="contact_list"),
    path("contacts/nouveau/", referentiel.contact_edit, name="contact_create"),
    path("contacts/<int:pk>/", referentiel.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/archiver/", referentiel.contact_archive, name="contact_archive"),
    path("quartiers/", referentiel.quartier_list, name="quartier_list"),
    path("quartiers/nouveau/", referentiel.quartier_edit, name="quartier_create"),
    path("quartiers/<int:pk>/", referentiel.quartier_edit, name="quartier_edit"),
    path("offres-internet/", referentiel.offre_list, name="offre_list"),
    path("offres-internet/nouvelle/", referentiel.offre_edit, name="offre_create"),
    path("offres-internet/<int:pk>/", referentiel.offre_edit, name="offre_edit"),
    path("offres-internet/<int:pk>/archiver/", referentiel.offre_archive, name="offre_archive"),
    path("", annuaire.index, name="index"),
    # Directory, public map, coverage.
    path("annuaire/", annuaire.annuaire, name="annuaire"),
    path("annuaire/<int:pk>/", annuaire.annuaire_structure, name="annuaire_structure"),
    path("carte/", annuaire.carte, name="carte"),
    path("couverture/", annuaire.couverture, name="couverture"),
    # Update campaigns.
    path("campagnes/", campagnes.campagne_list, name="campagne_list"),
    path("campagnes/<int:pk>/", campagnes.campagne_detail, name="campagne_detail"),
    path("campagnes/<int:pk>/relancer/", campagnes.campagne_remind, name="campagne_remind"),
    path("campagnes/<int:pk>/clore/", campagnes.campagne_close, name="campagne_close"),
    path("mise-a-jour/<str:token>/", campagnes.verification, name="verification"),
    # Network meetings.
    path("reunions/", reunions.reunion_list, name="reunion_list"),
    path("reunions/nouvelle/", reunions.reunion_edit, name="reunion_create"),
    path("reunions/<int:pk>/", reunions.reunion_detail, name="reunion_detail"),
    path("reunions/<int:pk>/modifier/", reunions.reunion_edit, name="reunion_edit"),
    path("reunions/<int:pk>/inviter/", reunions.reunion_invite, name="reunion_invite"),
    path("reunions/<int:pk>/presences/", reunions.reunion_attendance, name="reunion_attendance"),
    path(
        "reunions/<int:pk>/compte-rendu/",
        reunions.reunion_compte_rendu,
        name="reunion_compte_rendu",
    ),
    path("reunions/<int:pk>/rapport/", reunions.reunion_rapport, name="reunion_rapport"),
    path("invitation/<str:token>/", reunions.rsvp, name="rsvp"),
    # Orientations and the prescripteur's pages.
    path("accueil/", orientations.home_prescripteur, name="home_prescripteur"),
    path("ma-structure/", orientations.ma_structure, name="ma_structure"),
    path("orientations/", orientations.orientation_list, name="orientation_list"),
    path("orientations/nouvelle/", orientations.orientation_create, name="orientation_create"),
    path("orientations/<int:pk>/", orientations.orientation_detail, name="orientation_detail"),
    path(
        "orientations/<int:pk>/reponse/",
        orientations.orientation_answer,
        name="orientation_answer",
    ),
    path(
        "orientations/reponse/<str:token>/",
        orientations.orientation_reponse,
        name="orientation_reponse",
    ),
    path(
        "orientations/<int:pk>/piece-jointe/",
        orientations.orientation_piece_jointe,
        name="orientation_piece_jointe",
    ),
]
