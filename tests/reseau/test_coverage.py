"""Coverage matrix on a crafted territory: places per quartier and service, hours, zones blanches."""

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from reseau import coverage, hours
from reseau.enums import Service

from ..factories import LieuFactory, QuartierFactory

pytestmark = pytest.mark.django_db

DEMARCHES, LOISIRS = Service.DEMARCHES.value, Service.LOISIRS.value


@pytest.fixture
def territory():
    nord = QuartierFactory(nom="Nord", prioritaire=True, latitude=46.6, longitude=0.35)
    centre = QuartierFactory(nom="Centre", latitude=46.58, longitude=0.34)
    sud = QuartierFactory(nom="Sud", latitude=46.56, longitude=0.36)
    LieuFactory(quartier=centre, services=[DEMARCHES, LOISIRS], horaires="Mo-Fr 09:00-12:00")
    LieuFactory(quartier=centre, services=[DEMARCHES], horaires="Sa 09:00-12:00")
    LieuFactory(quartier=nord, services=[LOISIRS], horaires="")
    LieuFactory(quartier=sud, services=[DEMARCHES], archived=True)
    return {"nord": nord, "centre": centre, "sud": sud}


def test_it_counts_places_and_hours_per_quartier_and_service(territory):
    matrix = coverage.matrix()
    cell = matrix.cell(territory["centre"], DEMARCHES)
    assert cell.count == 2 and cell.heures == 15 + 3
    assert matrix.cell(territory["centre"], LOISIRS).heures == 15
    assert matrix.cell(territory["nord"], LOISIRS).count == 1


def test_it_flags_uncovered_cells_as_zones_blanches(territory):
    matrix = coverage.matrix()
    assert matrix.cell(territory["nord"], DEMARCHES).zone_blanche
    assert not matrix.cell(territory["centre"], DEMARCHES).zone_blanche
    # The only place of the south is archived: the whole quartier is uncovered.
    assert matrix.row_for(territory["sud"]).nb_lieux == 0
    assert matrix.row_for(territory["sud"]).zones_blanches == len(Service.values)


def test_it_lists_priority_quartiers_first(territory):
    assert coverage.matrix().rows[0].quartier == territory["nord"]


def test_it_takes_drop_in_hours_from_a_registered_provider(territory):
    lieu = territory["centre"].lieux.filter(horaires="Sa 09:00-12:00").get()

    def provider(ids):
        return {lieu.pk: 6.5} if lieu.pk in ids else {}

    hours.register_provider(provider)
    try:
        cell = coverage.matrix().cell(territory["centre"], DEMARCHES)
    finally:
        hours.unregister_provider(provider)
    assert cell.heures == 15 + 6.5


def test_it_shows_the_matrix_with_qpv_and_zones_blanches(territory, client_for, make_user):
    client = client_for(make_user(Role.COORDINATEUR))
    html = client.get(reverse("reseau:couverture")).content.decode()
    assert "Zone blanche" in html
    assert "QPV" in html
    assert "Quartiers sans aucun lieu : Sud." in html


def test_it_exports_the_matrix_as_csv(territory, client_for, make_user):
    client = client_for(make_user(Role.COORDINATEUR))
    response = client.get(reverse("reseau:couverture"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Quartier;QPV;")
    assert text.splitlines()[1].startswith("Nord;Oui;")


def test_it_puts_zones_on_the_map_for_one_service(territory, client_for, make_user):
    client = client_for(make_user(Role.COORDINATEUR))
    response = client.get(reverse("reseau:couverture"), {"service": DEMARCHES})
    zones = {z["nom"]: z for z in response.context["map_data"]["zones"]}
    assert zones["Nord"]["zone_blanche"] and zones["Nord"]["qpv"]
    assert zones["Centre"]["lieux"] == 2
    assert len(response.context["map_data"]["markers"]) == 2


def test_it_lists_the_lieux_without_a_quartier(territory, client_for, make_user):
    orphan = LieuFactory(nom="Lieu importé sans quartier", quartier=None)
    LieuFactory(nom="Archivé sans quartier", quartier=None, archived=True)
    coordinator = client_for(make_user(Role.COORDINATEUR))
    response = coordinator.get(reverse("reseau:couverture"))
    html = response.content.decode()
    assert list(response.context["lieux_sans_quartier"]) == [orphan]
    assert "1 lieu sans quartier" in html
    assert reverse("reseau:lieu_edit", args=[orphan.pk]) in html
    assert "Archivé sans quartier" not in html
    conseiller = client_for(make_user(Role.CONSEILLER))
    html = conseiller.get(reverse("reseau:couverture")).content.decode()
    assert "Lieu importé sans quartier" in html
    assert reverse("reseau:lieu_edit", args=[orphan.pk]) not in html  # not theirs to edit
