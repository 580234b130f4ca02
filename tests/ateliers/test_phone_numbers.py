"""Phone numbers in the workshops: typed however, stored +33…, shown 05 49 41 00 00, and a
person registering again is recognised whichever way their number was written."""

import pytest
from django.urls import reverse

from ateliers import services
from ateliers.models import Inscription
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager
from tests.factories import UsagerFactory

from .factories import SeanceFactory

pytestmark = pytest.mark.django_db


def _public_form(**extra):
    return {
        "prenom": "Jeanne",
        "nom": "Martin",
        "telephone": "06 12 34 56 78",
        "email": "",
        "consent": "on",
        "site_web": "",
        **extra,
    }


def test_the_team_types_a_number_the_french_way_and_reads_it_back_so(users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    seance = SeanceFactory()
    client.post(
        reverse("ateliers:seance_register", args=[seance.pk]),
        {
            "qui": "nouveau",
            "first_name": "Awa",
            "last_name": "Diallo",
            "phone": "05.49.41.00.00",
            "email": "",
            "consent": "on",
        },
    )
    assert Inscription.objects.get().usager.phone == "+33549410000"
    page = client.get(reverse("ateliers:seance_detail", args=[seance.pk])).content.decode()
    assert '<a href="tel:+33549410000">05 49 41 00 00</a>' in page


@pytest.mark.parametrize("stored", ["+33612345678", "06.12.34.56.78", "0033 6 12 34 56 78"])
def test_a_person_registering_again_is_recognised_by_their_number(client, stored):
    """The same name and the same number, written another way (by the team, or before numbers
    were stored in one format), is the same person: no duplicate record."""
    person = UsagerFactory(identified=True, first_name="Jeanne", last_name="Martin")
    Usager.objects.filter(pk=person.pk).update(phone=stored, email="")
    response = client.post(
        reverse("ateliers:register_public", args=[SeanceFactory().pk]), _public_form()
    )
    assert response.status_code == 200
    assert Inscription.objects.get().usager == person
    assert Usager.objects.count() == 1


def test_the_service_recognises_a_number_written_with_33():
    first = services.find_or_create_person(
        first_name="Jeanne", last_name="Martin", phone="+33 6 12 34 56 78"
    )
    Usager.objects.filter(pk=first.pk).update(phone="+33 6 12 34 56 78")  # an old value
    again = services.find_or_create_person(
        first_name="Jeanne", last_name="Martin", phone="06 12 34 56 78"
    )
    assert again == first
