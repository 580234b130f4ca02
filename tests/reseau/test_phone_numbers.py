"""Phone numbers in the network: typed the French way, stored +33… (the national standard's and
data·inclusion's format), shown 05 49 41 00 00 with a link that calls it."""

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from reseau import data_inclusion, standard
from reseau.models import Contact, Lieu

from ..factories import LieuFactory, StructureFactory
from .test_lieu_edit import _posted

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client_for, make_user):
    return client_for(make_user(Role.COORDINATEUR))


def test_a_lieu_s_number_typed_the_french_way_is_published_in_the_standard_s_format(
    coordinator, client
):
    lieu = LieuFactory(telephone="")
    response = coordinator.post(
        reverse("reseau:lieu_edit", args=[lieu.pk]), _posted(lieu, telephone="05 49 41 00 00")
    )
    assert response.status_code == 302
    lieu.refresh_from_db()
    assert lieu.telephone == "+33549410000"
    assert standard.row(lieu)["telephone"] == "+33549410000"
    assert data_inclusion.lieu_structure_row(lieu)["telephone"] == "+33549410000"
    page = client.get(reverse("reseau:carte")).content.decode()
    assert '<a href="tel:+33549410000">05 49 41 00 00</a>' in page


def test_the_form_shows_the_stored_number_the_french_way(coordinator):
    lieu = LieuFactory(telephone="+33549410000")
    page = coordinator.get(reverse("reseau:lieu_edit", args=[lieu.pk])).content.decode()
    assert 'value="05 49 41 00 00"' in page


def test_a_foreign_number_is_refused_for_a_lieu_in_french(coordinator):
    """The national standard only holds numbers of France and its overseas territories."""
    lieu = LieuFactory(telephone="")
    response = coordinator.post(
        reverse("reseau:lieu_edit", args=[lieu.pk]), _posted(lieu, telephone="+44 20 7946 0958")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["telephone"] == [
        "Le standard national des lieux n'accepte qu'un numéro de France ou d'outre-mer : par "
        "exemple 05 49 41 00 00."
    ]
    assert 'value="+44 20 7946 0958"' in response.content.decode()
    assert Lieu.objects.get(pk=lieu.pk).telephone == ""


def test_a_contact_s_number_is_stored_once_and_listed_the_french_way(coordinator):
    structure = StructureFactory()
    response = coordinator.post(
        reverse("reseau:contact_create"),
        {"structure": structure.pk, "prenom": "Awa", "nom": "Diallo", "telephone": "0549410000"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Contact.objects.get().telephone == "+33549410000"
    page = coordinator.get(reverse("reseau:contact_list")).content.decode()
    assert '<a href="tel:+33549410000">05 49 41 00 00</a>' in page


def test_an_old_value_that_is_no_number_stays_out_of_the_exports():
    lieu = LieuFactory()
    Lieu.objects.filter(pk=lieu.pk).update(telephone="05 49 (accueil)")
    lieu.refresh_from_db()
    assert standard.row(lieu)["telephone"] == ""
    assert data_inclusion.lieu_structure_row(lieu)["telephone"] is None
