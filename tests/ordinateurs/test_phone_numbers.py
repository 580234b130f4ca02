"""Phone numbers of donors: typed the French way on the public offer, stored +33…, read back
05 49 41 00 00 with a link that calls it; a known donor's new number, in the notes, as read."""

import pytest
from django.urls import reverse

from ordinateurs.models import Don, Donateur
from poitiers_inclusion.enums import Role

from .factories import DonateurFactory
from .test_dons_public import OFFER_URL, VALID_SIRET, _offer

pytestmark = pytest.mark.django_db


def test_a_donor_s_number_typed_on_the_public_offer_is_stored_once_and_read_back(
    client, users, client_for
):
    response = client.post(OFFER_URL, _offer(telephone="+33 (0)5 49 41 00 00"))
    assert response.status_code == 302
    donor = Donateur.objects.get()
    assert donor.telephone == "+33549410000"
    page = client_for(users[Role.TECHNICIEN]).get(
        reverse("ordinateurs:donateur_detail", args=[donor.pk])
    )
    assert '<a href="tel:+33549410000">05 49 41 00 00</a>' in page.content.decode()


def test_a_known_donor_s_new_number_is_noted_as_people_read_it(client):
    DonateurFactory(siret=VALID_SIRET, telephone="")
    client.post(OFFER_URL, _offer(telephone="0549410000"))
    assert Don.objects.get().notes.endswith("05 49 41 00 00")
