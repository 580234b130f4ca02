"""Phone numbers in the permanences: a booking's number typed the French way is stored +33…
and shown 05 49 41 00 00 on the conseiller's agenda; the log form's new person likewise."""

import pytest
from django.urls import reverse

from permanences.models import RendezVous
from poitiers_inclusion.enums import Role
from tests.permanences.factories_schedule import (
    BookablePermanenceFactory,
    booking_form,
    next_weekday,
)

pytestmark = pytest.mark.django_db


def test_a_booking_number_is_stored_once_and_read_back_the_french_way(client, users, client_for):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    response = client.post(url, booking_form(telephone="05-49-41-00-00", email=""))
    assert response.status_code == 302
    assert RendezVous.objects.get().telephone == "+33549410000"
    conseiller = users[Role.CONSEILLER]
    permanence.conseillers.add(conseiller)
    page = client_for(conseiller).get(reverse("permanences:agenda"), {"date": day.isoformat()})
    assert '<a href="tel:+33549410000">05 49 41 00 00</a>' in page.content.decode()


def test_a_wrong_booking_number_is_explained_and_kept(client):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    response = client.post(url, booking_form(telephone="05 49 41 00"))
    assert response.context["form"].errors["telephone"] == [
        "Numéro de téléphone invalide : écrivez par exemple 05 49 41 00 00 ou +33 5 49 41 00 00"
    ]
    assert 'value="05 49 41 00"' in response.content.decode()
    assert not RendezVous.objects.exists()


def test_the_usager_page_shows_the_number_the_french_way_with_a_link(users, client_for):
    from tests.factories import UsagerFactory

    usager = UsagerFactory(identified=True, phone="0590 12 34 56")
    page = client_for(users[Role.COORDINATEUR]).get(
        reverse("permanences:usager_detail", args=[usager.pk])
    )
    assert '<a href="tel:+590590123456">05 90 12 34 56</a>' in page.content.decode()
