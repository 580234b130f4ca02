"""Headless Chromium: the public map page works with the tile server unreachable, on a phone."""

import re

import pytest

from poitiers_inclusion.enums import Role
from reseau.enums import Service

from ..browser import axe_violations, login_in_browser, screenshot
from ..factories import LieuFactory, QuartierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def places():
    nord = QuartierFactory(nom="Nord", prioritaire=True, latitude=46.595, longitude=0.36)
    QuartierFactory(nom="Sud", latitude=46.56, longitude=0.36)
    return [
        LieuFactory(
            nom="Médiathèque du Nord",
            quartier=nord,
            latitude=46.594,
            longitude=0.362,
            horaires="Tu-Sa 10:00-18:00",
            services=[Service.OUTILS_QUOTIDIEN.value],
        ),
        LieuFactory(
            nom="Mairie de quartier",
            quartier=nord,
            latitude=46.597,
            longitude=0.358,
            horaires="Mo-Fr 09:00-12:00,14:00-17:30",
            services=[Service.DEMARCHES.value],
        ),
        LieuFactory(nom="Sans coordonnées", quartier=nord, latitude=None, longitude=None),
    ]


def _block_tiles(page, live_server):
    """Everything that is not the application itself (the tile server) is unreachable."""
    own = re.escape(live_server.url)
    page.route(re.compile(rf"^(?!{own}).*"), lambda route: route.abort())


def test_the_public_map_stays_useful_without_tiles_on_a_phone(phone_page, live_server, places):
    _block_tiles(phone_page, live_server)
    phone_page.goto(f"{live_server.url}/reseau/carte/")
    phone_page.wait_for_selector(".leaflet-marker-icon")
    assert phone_page.locator(".leaflet-marker-icon").count() == 2
    assert phone_page.locator(".lieux-list > li").count() == 3
    assert phone_page.get_by_role("heading", name="Mairie de quartier").is_visible()
    phone_page.wait_for_function("document.getElementById('carte-message').textContent.length > 0")
    assert "indisponible" in phone_page.locator("#carte-message").inner_text()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "reseau-carte-publique-390")
    assert axe_violations(phone_page) == []


def test_the_public_map_filters_by_service(page, live_server, places):
    _block_tiles(page, live_server)
    page.goto(f"{live_server.url}/reseau/carte/")
    page.get_by_label("Service").select_option(Service.DEMARCHES.value)
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".leaflet-marker-icon").count() == 1
    assert page.locator(".lieux-list > li").count() == 1


def test_the_coverage_page_is_accessible(page, live_server, places, make_user):
    _block_tiles(page, live_server)
    login_in_browser(page, live_server, make_user(Role.COORDINATEUR))
    page.goto(f"{live_server.url}/reseau/couverture/")
    page.wait_for_selector(".leaflet-interactive")
    assert page.locator("td.zone-blanche").count() > 0
    screenshot(page, "reseau-couverture")
    assert axe_violations(page) == []


def test_the_network_pages_are_accessible_on_a_phone(phone_page, live_server, make_user):
    import io

    from reseau import demo
    from reseau.models import Campagne, Orientation, Reunion, Structure

    demo.load(io.StringIO())
    _block_tiles(phone_page, live_server)
    ccas = Structure.objects.get(nom="CCAS de Poitiers")
    prescripteur = make_user(Role.PRESCRIPTEUR, structure=ccas)
    login_in_browser(phone_page, live_server, prescripteur)
    orientation = Orientation.objects.filter(structure_destination=ccas, etat="ouverte").first()
    verification = (
        Campagne.objects.get().verifications.filter(structure__lieux__isnull=False).first()
    )
    invitation = Reunion.objects.filter(invitations__isnull=False).first().invitations.first()
    pages = {
        "accueil-prescripteur": "/reseau/accueil/",
        "annuaire": "/reseau/annuaire/",
        "orientation-nouvelle": "/reseau/orientations/nouvelle/",
        "orientation-a-traiter": f"/reseau/orientations/{orientation.pk}/",
        "verification-publique": f"/reseau/mise-a-jour/{verification.token}/",
        "invitation-publique": f"/reseau/invitation/{invitation.token}/",
        "orientation-reponse-publique": f"/reseau/orientations/reponse/{orientation.answer_token}/",
    }
    for name, path in pages.items():
        phone_page.goto(f"{live_server.url}{path}")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width)
        screenshot(phone_page, f"reseau-{name}-390")
        assert axe_violations(phone_page) == [], name


def test_a_structure_without_an_account_refuses_from_the_link(page, live_server):
    from reseau.models import Orientation

    from ..factories import StructureFactory
    from .factories import OrientationFactory

    orientation = OrientationFactory(
        structure_origine=StructureFactory(nom="CCAS"),
        structure_destination=StructureFactory(nom="Association sans compte"),
    )
    page.goto(f"{live_server.url}/reseau/orientations/reponse/{orientation.answer_token}/")
    page.get_by_label("Refuser l'orientation").check()
    page.get_by_role("button", name="Envoyer la réponse").click()
    assert page.get_by_role("alert").first.is_visible()
    assert "Indiquez pourquoi" in page.content()
    assert axe_violations(page) == []
    page.get_by_label("Motif du refus").fill("Nous n'accueillons plus de public le samedi.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.get_by_role("heading", name="Merci, votre réponse est enregistrée").wait_for()
    assert axe_violations(page) == []
    orientation = Orientation.objects.get(pk=orientation.pk)
    assert orientation.motif_refus == "Nous n'accueillons plus de public le samedi."
