"""The catalogue of the workshop path: parcours and modules, kept by the coordination."""

import re

import pytest
from django.urls import reverse

from ateliers.enums import Niveau
from ateliers.models import Module, Parcours
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent

from .factories import ModuleFactory, ParcoursFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(users, client_for):
    return client_for(users[Role.COORDINATEUR])


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.TECHNICIEN, Role.PRESCRIPTEUR])
def test_only_the_coordination_keeps_the_catalogue(role, users, client_for):
    parcours, module = ParcoursFactory(), ModuleFactory()
    client = client_for(users[role])
    for url in (
        reverse("ateliers:parcours_list"),
        reverse("ateliers:parcours_create"),
        reverse("ateliers:parcours_edit", args=[parcours.pk]),
        reverse("ateliers:module_create"),
        reverse("ateliers:module_edit", args=[module.pk]),
    ):
        assert client.get(url).status_code == 403


def test_the_list_shows_parcours_modules_levels_and_competences(users, client_for):
    parcours = ParcoursFactory(nom="Premiers pas")
    ModuleFactory(
        parcours=parcours,
        titre="Découvrir la souris",
        niveau=Niveau.DEBUTANT,
        competences_pix=["5.1", "1.1"],
    )
    ModuleFactory(parcours=None, titre="Sécurité en ligne", actif=False)
    page = client_for(users[Role.ADMIN]).get(reverse("ateliers:parcours_list")).content.decode()
    assert "Premiers pas" in page and "Découvrir la souris" in page and "Débutant" in page
    assert "5.1 Résoudre des problèmes techniques" in page
    assert "Modules hors parcours" in page and "Sécurité en ligne" in page
    assert "Non proposé" in page


def test_the_coordinator_creates_and_renames_a_parcours(coordinator):
    response = coordinator.post(
        reverse("ateliers:parcours_create"),
        {"nom": "Premiers pas", "description": "", "ordre": "1", "actif": "on"},
    )
    assert response.status_code == 302
    parcours = Parcours.objects.get()
    assert AuditEvent.objects.filter(action="ateliers.parcours.created").exists()
    coordinator.post(
        reverse("ateliers:parcours_edit", args=[parcours.pk]),
        {"nom": "Premiers pas numériques", "description": "", "ordre": "1"},
    )
    parcours.refresh_from_db()
    assert parcours.nom == "Premiers pas numériques" and not parcours.actif


def test_a_parcours_name_is_unique(coordinator):
    ParcoursFactory(nom="Premiers pas")
    response = coordinator.post(
        reverse("ateliers:parcours_create"), {"nom": "Premiers pas", "ordre": "0"}
    )
    assert response.context["form"].errors["nom"] == [
        "Un parcours porte déjà ce nom : choisissez-en un autre."
    ]


def test_the_coordinator_creates_a_module_with_its_competences(coordinator):
    parcours = ParcoursFactory()
    url = reverse("ateliers:module_create")
    page = coordinator.get(url, {"parcours": parcours.pk})
    assert page.context["form"].initial["parcours"] == parcours.pk
    html = page.content.decode()
    assert 'name="competences_pix" value="4.2"' in html
    assert "---------" not in html
    response = coordinator.post(
        url,
        {
            "parcours": parcours.pk,
            "titre": "Mes e-mails",
            "niveau": Niveau.INTERMEDIAIRE,
            "competences_pix": ["2.1", "4.2"],
            "duree_minutes": "120",
            "ordre": "2",
            "actif": "on",
        },
    )
    assert response.status_code == 302
    module = Module.objects.get()
    assert module.competences_pix == ["2.1", "4.2"] and module.parcours == parcours


def test_module_errors_are_in_french_and_keep_the_ticks(coordinator):
    response = coordinator.post(
        reverse("ateliers:module_create"),
        {"titre": "", "competences_pix": ["3.1"], "duree_minutes": "5", "ordre": "0"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["titre"] == ["Donnez un titre au module."]
    assert errors["niveau"] == ["Choisissez le niveau du module."]
    assert errors["duree_minutes"] == ["Un module dure au moins 15 minutes."]
    html = response.content.decode()
    assert re.search(r'name="competences_pix" value="3\.1"\s+id="[^"]+" checked', html)
    assert not Module.objects.exists()


def test_the_coordinator_edits_a_module(coordinator):
    module = ModuleFactory(titre="Ancien titre")
    response = coordinator.post(
        reverse("ateliers:module_edit", args=[module.pk]),
        {
            "titre": "Nouveau titre",
            "niveau": Niveau.AVANCE,
            "competences_pix": ["1.2"],
            "duree_minutes": "90",
            "ordre": "0",
        },
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert (module.titre, module.niveau, module.parcours) == ("Nouveau titre", "avance", None)
    assert not module.actif
