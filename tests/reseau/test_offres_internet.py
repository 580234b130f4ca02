"""Social internet offers: recorded by the coordination with the structures that help subscribe,
read by the whole team; a médiation notes a person pointed to one, and the dashboard counts it."""

import pytest
from django.urls import reverse

from permanences.enums import StructureRedirection
from permanences.figures import breakdowns
from permanences.models import Mediation
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from reseau.models import OffreInternetSociale
from tests.factories import StructureFactory
from tests.permanences.factories import MediationFactory
from tests.permanences.factories_log import log_post, permanence_today

pytestmark = pytest.mark.django_db


def test_the_coordination_records_an_offer_and_the_structures_that_help(users, client_for):
    ccas = StructureFactory(nom="CCAS de Poitiers")
    coordinator = client_for(users[Role.COORDINATEUR])
    response = coordinator.post(
        reverse("reseau:offre_create"),
        {
            "offre": "Box sociale",
            "fournisseur": "Orange",
            "prix": "15,99",
            "conditions": "Bénéficiaires du RSA",
            "lien": "https://exemple.test/box-sociale",
            "structures": [ccas.pk],
        },
    )
    assert response.status_code == 302
    offre = OffreInternetSociale.objects.get()
    assert (offre.fournisseur, str(offre.prix), list(offre.structures.all())) == (
        "Orange",
        "15.99",
        [ccas],
    )

    page = client_for(users[Role.CONSEILLER]).get(reverse("reseau:offre_list"))
    text = page.content.decode()
    assert "Box sociale" in text and "15,99 € par mois" in text and "CCAS de Poitiers" in text
    assert reverse("reseau:offre_create") not in text  # reading only


def test_a_conseiller_cannot_change_the_offers(users, client_for):
    response = client_for(users[Role.CONSEILLER]).post(
        reverse("reseau:offre_create"), {"offre": "X", "fournisseur": "Y", "prix": "1"}
    )
    assert response.status_code == 403
    assert not OffreInternetSociale.objects.exists()


def test_a_conseiller_notes_a_person_pointed_to_a_social_internet_offer(users, client_for):
    conseiller = users[Role.CONSEILLER]
    permanence = permanence_today(conseiller)
    response = client_for(conseiller).post(
        reverse("permanences:log"),
        log_post(
            permanence.lieu,
            redirige="oui",
            structure_redirection=StructureRedirection.OFFRE_SOCIALE_INTERNET,
        ),
    )
    assert response.status_code == 302
    mediation = Mediation.objects.get()
    assert mediation.redirige
    assert mediation.structure_redirection == "offre_sociale_internet"


def test_the_dashboard_counts_the_people_pointed_to_an_offer():
    for _ in range(2):
        MediationFactory(
            redirige=True, structure_redirection=StructureRedirection.OFFRE_SOCIALE_INTERNET
        )
    MediationFactory(redirige=True, structure_redirection=StructureRedirection.AIDE_SOCIALE)
    scope = figures.Scope()
    assert breakdowns.redirections(scope)["offre_sociale_internet"] == 2
    section = {spec.key: spec for spec in figures.sections()}["thematiques"].build(scope)
    assert ("Orientés vers une offre sociale internet", 2) in section.kpis
