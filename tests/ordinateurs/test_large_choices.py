"""At national scale the programme holds thousands of lieux, structures, batches and devices:
the forms offer them in one pass (no template per option), the inventory reads each device's
last event for the page's rows only, and the choices still validate and keep what was chosen."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ordinateurs.enums import Etat
from poitiers_inclusion.enums import Role
from tests.factories import LieuFactory, StructureFactory
from tests.ordinateurs.factories import (
    DemandeFactory,
    DonateurFactory,
    DonFactory,
    EvenementFactory,
    FoyerFactory,
    OrdinateurFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordination(users, client_for):
    return client_for(users[Role.COORDINATEUR])


@pytest.mark.parametrize(
    "url_name,add",
    [
        ("ordinateurs:ceremonie_create", lambda: (LieuFactory(), DonateurFactory())),
        ("ordinateurs:demande_create", StructureFactory),
        ("ordinateurs:ordinateur_list", DonFactory),
        ("ordinateurs:ordinateur_receive", DonFactory),
        ("ordinateurs:demande_list", lambda: DemandeFactory()),
    ],
)
def test_a_page_renders_as_many_templates_with_many_choices(url_name, add, coordination):
    add()
    few = len(coordination.get(reverse(url_name)).templates)
    for _n in range(12):
        add()
    assert len(coordination.get(reverse(url_name)).templates) == few


def test_a_ceremony_place_reads_with_its_commune_and_stays_chosen_after_an_error(coordination):
    lieu = LieuFactory(nom="Salle <A>", commune="Buxerolles")
    archived = LieuFactory(nom="Annexe fermée", archived=True)
    donor = DonateurFactory(nom="Entreprise & fils")
    create = reverse("ordinateurs:ceremonie_create")
    response = coordination.post(create, {"titre": "", "lieu": lieu.pk, "donateurs": [donor.pk]})
    html = response.content.decode()
    assert "titre" in response.context["form"].errors
    assert f'<option value="{lieu.pk}" selected>Salle &lt;A&gt; (Buxerolles)</option>' in html
    assert f'value="{donor.pk}" id="id_donateurs_0" checked>' in html
    assert "Entreprise &amp; fils</label>" in html
    assert f'value="{archived.pk}"' not in html
    refused = coordination.post(create, {"titre": "Remise", "lieu": archived.pk})
    assert refused.context["form"].errors["lieu"] == ["Choisissez un lieu de la liste."]


def test_the_coordination_refers_a_household_for_an_active_structure_only(coordination):
    archived = StructureFactory(nom="Fermée", archived_at=timezone.now())
    active = StructureFactory(nom="CCAS")
    response = coordination.post(reverse("ordinateurs:demande_create"), {"structure": archived.pk})
    form = response.context["form"]
    assert form.errors["structure"] == ["Choisissez une structure de la liste."]
    assert f'<option value="{active.pk}">CCAS</option>' in response.content.decode()


def test_the_requests_filter_offers_each_structure_with_households_once(coordination):
    with_two = FoyerFactory(structure=StructureFactory(nom="Avec deux")).structure
    FoyerFactory(structure=with_two)
    DemandeFactory(foyer=FoyerFactory(structure=with_two))
    without = StructureFactory(nom="Sans foyer")
    response = coordination.get(reverse("ordinateurs:demande_list"))
    field = response.context["filter"].form.fields["structure"]
    assert [pk for pk, _label in field.choices][1:] == [with_two.pk]
    assert without.pk not in [pk for pk, _label in field.choices]


def test_the_inventory_shows_since_when_and_filters_by_batch(coordination):
    don = DonFactory(donateur=DonateurFactory(nom="Mairie"), offered_on=datetime.date(2025, 3, 4))
    device = OrdinateurFactory(don=don)
    other = OrdinateurFactory()
    last = timezone.now() + datetime.timedelta(days=3)  # after the reception's own event
    EvenementFactory(ordinateur=device, at=last)
    url = reverse("ordinateurs:ordinateur_list")
    response = coordination.get(url, {"don": don.pk})
    html = response.content.decode()
    assert [o.pk for o in response.context["page"]] == [device.pk]
    assert f"depuis le {timezone.localtime(last):%d/%m/%Y}" in html
    assert f'<option value="{don.pk}" selected>Mairie — 04/03/2025</option>' in html
    assert other.numero not in html


def test_the_inventory_reads_the_last_events_of_the_page_only(coordination):
    """Max over the join aggregated every device's events before the page was cut: half a
    second at national scale."""
    for _n in range(3):
        EvenementFactory(vers=Etat.DIAGNOSTIQUE)
    with CaptureQueriesContext(connection) as queries:
        coordination.get(reverse("ordinateurs:ordinateur_list"))
        coordination.get(reverse("ordinateurs:home"))
    device_queries = [q["sql"] for q in queries if '"ordinateurs_evenement"' in q["sql"]]
    assert device_queries and not any("GROUP BY" in sql for sql in device_queries)
