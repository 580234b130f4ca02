"""The réseau's figures, as the dashboard and the statistics API receive them."""

import datetime

import pytest
from django.utils import timezone

from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from reseau.enums import EtatOrientation

from ..factories import ContactFactory, StructureFactory
from .factories import InvitationFactory, OrientationFactory, ReunionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    a, b = StructureFactory(typologies=["CCAS"]), StructureFactory(typologies=["ASSO"])
    StructureFactory(archived_at=timezone.now())
    people = [ContactFactory(structure=a), ContactFactory(structure=a), ContactFactory(structure=b)]
    spring = ReunionFactory(date=timezone.make_aware(datetime.datetime(2024, 3, 14, 14)))
    autumn = ReunionFactory(date=timezone.make_aware(datetime.datetime(2024, 10, 10, 9)))
    for contact in people:
        InvitationFactory(reunion=spring, contact=contact, present=True)
        InvitationFactory(reunion=autumn, contact=contact, present=contact.structure == b)
    OrientationFactory(structure_origine=a, structure_destination=b)
    refused = OrientationFactory(structure_origine=b, structure_destination=a)
    refused.refuse(by=None, motif="Complet")
    refused.save()
    return a, b


def test_it_registers_the_section_and_the_api_block():
    spec = next(s for s in figures.sections() if s.key == "reseau")
    assert spec.order == 80
    assert "reseau" in figures.api_blocks()


def test_the_api_block_counts_the_network(network):
    block = figures.api_blocks()["reseau"](figures.Scope())
    assert (block["structures"], block["contacts"], block["reunions"]) == (2, 3, 2)
    assert all(isinstance(block[k], int) for k in ("structures", "contacts", "reunions"))
    assert block["participants"] == 3 + 1
    assert block["orientations"][EtatOrientation.OUVERTE] == 1
    assert block["orientations"][EtatOrientation.REFUSEE] == 1
    assert block["structures_par_typologie"] == {"ASSO": 1, "CCAS": 1}
    autumn = block["reunions_detail"][1]
    assert (autumn["personnes_presentes"], autumn["structures_presentes"]) == (1, 1)


def test_the_figures_follow_the_period_and_the_viewer(network, make_user):
    a, _b = network
    scope = figures.Scope(start=datetime.date(2024, 6, 1), end=datetime.date(2024, 12, 31))
    assert figures.api_blocks()["reseau"](scope)["reunions"] == 1
    OrientationFactory()  # between two other structures
    prescripteur = make_user(Role.PRESCRIPTEUR, structure=a)
    mine = figures.api_blocks()["reseau"](figures.Scope(user=prescripteur))["orientations"]
    assert sum(mine.values()) == 2


def test_the_section_has_kpis_and_tables(network):
    spec = next(s for s in figures.sections() if s.key == "reseau")
    section = spec.build(figures.Scope())
    kpis = dict(section.kpis)
    assert kpis["Structures partenaires"] == 2 and kpis["Réunions du réseau"] == 2
    assert {t.key for t in section.tables} >= {"reseau_reunions", "reseau_orientations"}


def test_the_network_follows_the_quartier_and_lieu_filters(network):
    from ..factories import LieuFactory, QuartierFactory

    a, b = network
    nord, sud = QuartierFactory(), QuartierFactory()
    a.quartiers.add(nord)  # a serves the north
    lieu = LieuFactory(structure=b, quartier=sud)  # b runs a place in the south
    block = figures.api_blocks()["reseau"]
    north = block(figures.Scope(quartiers=(nord.pk,)))
    assert (north["structures"], north["contacts"], north["lieux"]) == (1, 2, 0)
    south = block(figures.Scope(quartiers=(sud.pk,)))
    assert (south["structures"], south["contacts"], south["lieux"]) == (1, 1, 1)
    at_place = block(figures.Scope(lieux=(lieu.pk,)))
    assert (at_place["structures"], at_place["structures_par_typologie"]) == (1, {"ASSO": 1})


def test_the_coverage_table_says_oui_and_non(users, client_for):
    from django.urls import reverse

    from tests.factories import LieuFactory, QuartierFactory

    LieuFactory(quartier=QuartierFactory(nom="Couronneries", qpv=True))
    LieuFactory(quartier=QuartierFactory(nom="Centre", qpv=False))
    html = client_for(users[Role.COORDINATEUR]).get(reverse("reporting:dashboard")).content.decode()
    table = html[html.index("Couverture : lieux par quartier") :]
    assert '<td class="">Oui</td>' in table and '<td class="">Non</td>' in table
    assert "True" not in html and "False" not in html


def test_two_structures_of_the_same_name_and_typology_count_twice():
    # Two CCAS of different communes may bear the same name: each is a structure of the network.
    StructureFactory(nom="CCAS", typologies=["CCAS"], commune="Poitiers")
    StructureFactory(nom="CCAS", typologies=["CCAS"], commune="Buxerolles")
    from reseau.figures import structures_by_typology

    assert structures_by_typology(figures.Scope())["CCAS"] == 2
    assert structures_by_typology()["CCAS"] == 2
