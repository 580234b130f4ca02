"""Names typed by the team reach maps and charts as text, never as markup: headless Chromium
opens every tooltip, popup and chart of the map and dashboard pages with HTML stored in the
labels, and no element of that HTML appears, nothing of it runs."""

import datetime
import re

import pytest

from poitiers_inclusion.enums import Role
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.browser import login_in_browser
from tests.factories import LieuFactory, QuartierFactory, StructureFactory, UsagerFactory
from tests.permanences.factories import MediationFactory, PermanenceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each payload carries data-pwned, so an element built from it is found in the DOM even when a
# Content-Security-Policy stops its handler from running.
IMG = '<img src=x onerror="window.__pwned=1" data-pwned>'
SCRIPT = "<script data-pwned>window.__pwned=1</script>"
SVG = '<svg onload="window.__pwned=1" data-pwned></svg>'

PAYLOAD_PRESENT = """() => ({
    pwned: window.__pwned === 1,
    elements: Array.from(document.querySelectorAll('[data-pwned], img[src="x"]'))
        .map(e => e.outerHTML.slice(0, 80)),
})"""


@pytest.fixture
def labelled_with_html(make_user):
    """Quartiers, a structure, a lieu and a conseiller whose names are HTML, with activity."""
    two_months_ago = datetime.date.today() - datetime.timedelta(days=60)
    with_lieu = QuartierFactory(nom=f"Nord {IMG}", qpv=True, latitude=46.60, longitude=0.30)
    QuartierFactory(nom=f"Sud {SCRIPT}", latitude=46.55, longitude=0.40)
    QuartierFactory(
        nom=f"Est {SVG}",
        latitude=46.57,
        longitude=0.45,
        contour={
            "type": "Polygon",
            "coordinates": [[[0.44, 46.56], [0.46, 46.56], [0.46, 46.58], [0.44, 46.58]]],
        },
    )
    lieu = LieuFactory(
        nom=f"Médiathèque {IMG}",
        adresse=f"1 rue {SCRIPT}",
        structure=StructureFactory(nom=f"Association {SVG}"),
        quartier=with_lieu,
        latitude=46.58,
        longitude=0.35,
    )
    conseiller = make_user(Role.CONSEILLER, last_name=f"Martin {IMG}")
    for day in range(6):
        MediationFactory(
            conseiller=conseiller,
            lieu=lieu,
            date=two_months_ago + datetime.timedelta(days=day * 7),
            usagers=[UsagerFactory(quartier=with_lieu)],
        )
    PermanenceFactory(lieu=lieu, valid_from=two_months_ago - datetime.timedelta(days=30))
    seance = SeanceFactory(lieu=lieu, date=two_months_ago)
    InscriptionFactory(seance=seance, present=True)
    return make_user(Role.COORDINATEUR)


def _block_tiles(page, live_server):
    own = re.escape(live_server.url)
    page.route(re.compile(rf"^(?!{own}).*"), lambda route: route.abort())


def _open_every_map_label(page):
    """Hover every quartier shape (tooltip) and click every place marker (popup); return the
    text each showed and what of the payloads was in the page while it was open."""
    page.wait_for_selector(".leaflet-marker-icon")
    shown, found = [], []

    def read(box):
        box.wait_for()
        shown.append(box.inner_text())
        found.append(page.evaluate(PAYLOAD_PRESENT))

    shapes = page.locator("path.leaflet-interactive")
    for i in range(shapes.count()):
        shapes.nth(i).hover()
        read(page.locator(".leaflet-tooltip"))
        page.mouse.move(0, 0)
        page.locator(".leaflet-tooltip").wait_for(state="detached")
    markers = page.locator(".leaflet-marker-icon")
    for i in range(markers.count()):
        markers.nth(i).click()
        read(page.locator(".leaflet-popup-content"))
        page.locator(".leaflet-popup-close-button").click()
        page.locator(".leaflet-popup-content").wait_for(state="detached")
    found.append(page.evaluate(PAYLOAD_PRESENT))
    return shown, found


CLEAN = {"pwned": False, "elements": []}


def test_the_names_on_the_maps_are_shown_as_text(page, live_server, labelled_with_html):
    _block_tiles(page, live_server)
    login_in_browser(page, live_server, labelled_with_html)

    page.goto(f"{live_server.url}/reseau/couverture/")
    shown, found = _open_every_map_label(page)
    assert found == [CLEAN] * 5
    # The three quartiers' tooltips and the place's popup, each naming what was typed.
    assert len(shown) == 4
    assert any(f"Nord {IMG} (QPV)" in text for text in shown)
    assert any(f"Sud {SCRIPT}" in text for text in shown)
    assert any(f"Est {SVG}" in text for text in shown)
    assert any(f"Médiathèque {IMG}" in text and SCRIPT in text for text in shown)

    page.goto(f"{live_server.url}/reseau/carte/")
    shown, found = _open_every_map_label(page)
    assert found == [CLEAN] * 2
    assert len(shown) == 1 and f"Médiathèque {IMG}" in shown[0]


@pytest.mark.parametrize("path", ["/pilotage/", "/pilotage/rapport/"])
def test_the_names_in_the_charts_are_shown_as_text(page, live_server, labelled_with_html, path):
    login_in_browser(page, live_server, labelled_with_html)
    start = datetime.date.today() - datetime.timedelta(days=120)
    page.goto(f"{live_server.url}{path}?du={start:%Y-%m-%d}&au={datetime.date.today():%Y-%m-%d}")
    labels = page.locator(".bar-label")
    assert labels.count() > 0
    names = [labels.nth(i).inner_text() for i in range(labels.count())]
    # The lieu (activity, attendance, ateliers), the quartier of residence, the conseiller.
    assert sum(f"Médiathèque {IMG}" in n for n in names) >= 2
    assert f"Nord {IMG} (QPV)" in names
    if path == "/pilotage/":
        assert any(f"Martin {IMG}" in n for n in names)
    for chart in page.locator("figure.chart").all():
        chart.scroll_into_view_if_needed()
        chart.hover()
        chart.click()
    for bar in page.locator(".bar-row").all():
        bar.hover()
    assert page.evaluate(PAYLOAD_PRESENT) == CLEAN
