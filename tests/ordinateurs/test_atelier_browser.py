"""Browser check at 390 px: a technician takes a received laptop to "disponible", step by step:
diagnosis, erasure with the tool's report, reconditioning, checklist, and prints the certificate."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from ordinateurs import services
from ordinateurs.enums import Etat, TypeAppareil
from ordinateurs.models import Effacement, Ordinateur
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import UserFactory

from .factories import EffacementFactory, OrdinateurFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = b"nwipe 0.35 - /dev/nvme0n1 - PRNG stream, 1 pass, verify last: OK\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _checked(page, name):
    """The page fits a phone and axe finds nothing serious; a screenshot is kept."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    assert axe_violations(page) == [], name
    screenshot(page, name)


def _tap(page, target):
    """Tap a link or a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        target.tap()


def _move(page, label):
    _tap(page, page.get_by_role("button", name=f"Passer à « {label} »"))
    expect(page.get_by_role("status")).to_contain_text(f"est maintenant « {label.lower()} »")


def test_a_technician_takes_a_laptop_to_available_on_a_phone(phone_page, live_server):
    technicien = UserFactory(technicien=True, first_name="Lucie", last_name="Martin")
    ordinateur = OrdinateurFactory(
        numero="PC-2022-0012", marque="HP", modele="EliteBook 840 G5", numero_serie="5CG8"
    )
    OrdinateurFactory(numero="PC-2022-0013", marque="Dell")
    page = phone_page
    login_in_browser(page, live_server, technicien)

    # The workbench: the received laptop waits to be diagnosed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier")
    _checked(page, "atelier-accueil-390")
    todo = page.get_by_role("region", name="À diagnostiquer")
    _tap(page, todo.get_by_role("link", name="PC-2022-0012"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("PC-2022-0012")
    expect(page.get_by_text("Pour devenir « disponible »")).to_be_visible()
    _checked(page, "atelier-appareil-recu-390")

    page.get_by_label("Note").fill("Démarre, écran sans défaut")
    _move(page, "Diagnostiqué")
    # Not erased yet: "effacé" is there, disabled, with the reason next to it.
    effacer = page.get_by_role("button", name="Passer à « Effacé »")
    expect(effacer).to_be_disabled()
    expect(page.locator("#manque-efface")).to_contain_text("effacement réussi")
    _checked(page, "atelier-appareil-diagnostique-390")

    # The erasure, with the tool's report.
    _tap(page, page.get_by_role("link", name="Enregistrer un effacement"))
    _checked(page, "atelier-effacement-390")
    page.get_by_label("Méthode").select_option("nvme_secure_erase")
    page.get_by_label(re.compile(r"^\s*Outil")).fill("nwipe")
    page.get_by_label("Version de l'outil").fill("0.35")
    page.get_by_label("Réussi").check()
    page.get_by_label("Rapport de l'outil").set_input_files(
        {"name": "nwipe.txt", "mimeType": "text/plain", "buffer": REPORT}
    )
    _tap(page, page.get_by_role("button", name="Enregistrer l'effacement"))
    expect(page.get_by_role("status")).to_contain_text("Effacement réussi enregistré")
    digest = hashlib.sha256(REPORT).hexdigest()
    expect(page.get_by_text(digest)).to_be_visible()

    _move(page, "Effacé")
    _move(page, "Reconditionné")

    # The checklist, one box per function.
    _tap(page, page.get_by_role("link", name="Faire le contrôle fonctionnel"))
    _checked(page, "atelier-controle-390")
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(10)
    first = boxes.first.bounding_box()
    assert first["height"] >= 20  # a box a finger can hit
    for index in range(boxes.count()):
        boxes.nth(index).check()
    _tap(page, page.get_by_role("button", name="Enregistrer le contrôle"))
    expect(page.get_by_role("status")).to_contain_text("Contrôle réussi")

    _move(page, "Contrôlé")
    _move(page, "Disponible")
    expect(page.get_by_text("État : Disponible")).to_be_visible()
    _checked(page, "atelier-appareil-disponible-390")
    assert Ordinateur.objects.get(pk=ordinateur.pk).etat == Etat.DISPONIBLE
    assert Effacement.objects.get().operateur == technicien

    _tap(page, page.get_by_role("link", name="Certificat d'effacement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificat d'effacement des données")
    expect(page.get_by_text(digest)).to_be_visible()
    _checked(page, "atelier-certificat-390")


def test_the_inventory_and_the_reception_fit_a_phone(phone_page, live_server):
    technicien = UserFactory(technicien=True)
    OrdinateurFactory(numero="PC-2022-0001", marque="Lenovo", numero_serie="PF1")
    page = phone_page
    login_in_browser(page, live_server, technicien)

    page.goto(f"{live_server.url}/ordinateurs/appareils/")
    _checked(page, "atelier-inventaire-390")
    page.goto(f"{live_server.url}/ordinateurs/appareils/reception/")
    _checked(page, "atelier-reception-390")
    page.get_by_label("Marque").first.fill("Acer")
    _tap(page, page.get_by_role("button", name="Ajouter une ligne"))
    expect(page.get_by_role("group", name="Appareil 4")).to_be_visible()
    assert page.get_by_label("Marque").first.input_value() == "Acer"
    _tap(page, page.get_by_role("button", name="Enregistrer les appareils"))
    expect(page.get_by_role("status")).to_contain_text("Appareil enregistré")
    _checked(page, "atelier-inventaire-apres-reception-390")


def test_a_technician_checks_a_tower_without_screen_nor_battery(phone_page, live_server):
    technicien = UserFactory(technicien=True)
    tower = OrdinateurFactory(numero="PC-2022-0020", type=TypeAppareil.FIXE, modele="OptiPlex")
    services.move(ordinateur=tower, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    EffacementFactory(stockage=tower.stockages.get(), operateur=technicien)
    for vers in (Etat.EFFACE, Etat.RECONDITIONNE):
        services.move(ordinateur=tower, vers=vers, actor=technicien)
    page = phone_page
    login_in_browser(page, live_server, technicien)
    page.goto(f"{live_server.url}/ordinateurs/appareils/{tower.pk}/")

    _tap(page, page.get_by_role("link", name="Faire le contrôle fonctionnel"))
    # What a tower always has: a box each; no screen, no battery to tick.
    expect(page.get_by_role("checkbox")).to_have_count(4)
    expect(page.get_by_role("checkbox", name="Écran (pixels, rétroéclairage)")).to_have_count(0)
    expect(page.locator("#sans-objet")).to_contain_text("batterie ou alimentation")
    _checked(page, "atelier-controle-unite-centrale-390")
    for index in range(4):
        page.get_by_role("checkbox").nth(index).check()
    # What it may lack: answered one by one, "sans objet" when the tower has none.
    for name in ("Clavier", "Pavé tactile ou souris", "Caméra et micro"):
        group = page.get_by_role("group", name=name)
        group.get_by_label("Sans objet (l'appareil n'en a pas)").check()
    _tap(page, page.get_by_role("button", name="Enregistrer le contrôle"))
    # Wi-Fi was not answered: said next to it, the answers given are kept.
    expect(page.get_by_role("alert")).to_contain_text("1 erreur")
    expect(page.get_by_text("Indiquez si « Wi-Fi » fonctionne")).to_be_visible()
    expect(page.get_by_role("checkbox").first).to_be_checked()
    page.get_by_role("group", name="Wi-Fi").get_by_label("Fonctionne", exact=True).check()
    _tap(page, page.get_by_role("button", name="Enregistrer le contrôle"))
    expect(page.get_by_role("status")).to_contain_text("Contrôle réussi")
    checklist = page.locator("#controle .checklist")
    expect(checklist).to_contain_text("Écran (pixels, rétroéclairage) : sans objet")
    expect(checklist).to_contain_text("Wi-Fi : fonctionne")
    _checked(page, "atelier-controle-unite-centrale-fait-390")
    _move(page, "Contrôlé")
