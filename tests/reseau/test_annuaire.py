"""The directory for professionals and the public page of places: who sees the contacts."""

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from reseau.enums import Public, Service

from ..factories import ContactFactory, LieuFactory, QuartierFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    couronneries = QuartierFactory(nom="Couronneries", prioritaire=True)
    ccas = StructureFactory(
        nom="CCAS des Essais",
        typologies=["CCAS"],
        services=[Service.DEMARCHES.value],
        publics=[Public.SENIORS.value],
    )
    ccas.quartiers.add(couronneries)
    lieu = LieuFactory(
        structure=ccas,
        nom="Accueil du CCAS",
        quartier=couronneries,
        services=[Service.DEMARCHES.value],
        horaires="Mo-Fr 09:00-12:00",
    )
    contact = ContactFactory(
        structure=ccas, prenom="Odile", nom="Secrète", courriel="odile.secrete@exemple.test"
    )
    other = StructureFactory(nom="Médiathèque Loin", typologies=["BIB"])
    LieuFactory(structure=other, nom="Médiathèque", services=[Service.LOISIRS.value])
    return {"ccas": ccas, "lieu": lieu, "contact": contact, "other": other, "q": couronneries}


@pytest.mark.parametrize("role", Role.values)
def test_it_shows_contacts_to_every_professional(role, network, client_for, make_user):
    html = client_for(make_user(role)).get(reverse("reseau:annuaire")).content.decode()
    assert "Odile Secrète" in html and "odile.secrete@exemple.test" in html
    assert "Accueil du CCAS" in html
    assert "lundi" in html  # opening hours in words


def test_it_sends_anonymous_visitors_to_login_for_the_directory(network, client):
    for url in (reverse("reseau:annuaire"), reverse("reseau:annuaire_structure", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_it_shows_places_services_and_hours_but_no_contact_to_the_public(network, client):
    response = client.get(reverse("reseau:carte"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Accueil du CCAS" in html and "Aide aux démarches administratives" in html
    assert "9 h – 12 h" in html
    assert "Secrète" not in html and "odile.secrete" not in html


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"service": Service.DEMARCHES.value}, {"CCAS des Essais"}),
        ({"typologie": "BIB"}, {"Médiathèque Loin"}),
        ({"public": Public.SENIORS.value}, {"CCAS des Essais"}),
        ({"q": "médiath"}, {"Médiathèque Loin"}),
    ],
)
def test_it_filters_the_directory(params, expected, network, client_for, make_user):
    response = client_for(make_user(Role.CONSEILLER)).get(reverse("reseau:annuaire"), params)
    assert {s.nom for s in response.context["page"]} == expected


def test_it_filters_by_quartier_served(network, client_for, make_user):
    response = client_for(make_user(Role.CONSEILLER)).get(
        reverse("reseau:annuaire"), {"quartier": network["q"].pk}
    )
    assert [s.nom for s in response.context["page"]] == ["CCAS des Essais"]


def test_it_filters_the_public_page(network, client):
    response = client.get(reverse("reseau:carte"), {"service": Service.LOISIRS.value})
    assert [lieu.nom for lieu in response.context["lieux"]] == ["Médiathèque"]
    assert [m["nom"] for m in response.context["map_data"]["markers"]] == ["Médiathèque"]


def test_it_keeps_the_directory_query_count_flat(
    network, client_for, make_user, django_assert_max_num_queries
):
    client = client_for(make_user(Role.CONSEILLER))
    for _n in range(15):
        structure = StructureFactory()
        LieuFactory(structure=structure)
        ContactFactory(structure=structure)
    with django_assert_max_num_queries(12):
        client.get(reverse("reseau:annuaire"))


def test_it_lets_a_prescripteur_update_only_their_structure(network, client_for, make_user):
    user = make_user(Role.PRESCRIPTEUR, structure=network["ccas"])
    client = client_for(user)
    html = client.get(reverse("reseau:annuaire_structure", args=[network["ccas"].pk])).content
    assert "Mettre à jour cette fiche" in html.decode()
    other = client.get(reverse("reseau:annuaire_structure", args=[network["other"].pk]))
    assert "Mettre à jour cette fiche" not in other.content.decode()
    form = client.get(reverse("reseau:ma_structure")).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(nom="CCAS des Essais", horaires="Mo-Fr 08:30-12:00", quartiers=[network["q"].pk])
    response = client.post(reverse("reseau:ma_structure"), data)
    assert response.status_code == 302, response.context["form"].errors
    network["ccas"].refresh_from_db()
    assert network["ccas"].horaires == "Mo-Fr 08:30-12:00"
