"""The functional check asks what applies to the kind of device: a tower is not asked for a
screen or a battery, a function a device may lack is answered "sans objet", and "sans objet" is
recorded as such and printed on the hand-over receipt. Checks recorded before keep their
meaning."""

import io
import re
from html import unescape

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ordinateurs import documents, services
from ordinateurs.enums import CHECKLIST, Etat, TypeAppareil
from ordinateurs.models import Controle
from poitiers_inclusion.enums import Role
from tests.ordinateurs.factories import (
    ControleFactory,
    DemandeFactory,
    EffacementFactory,
    OrdinateurFactory,
)

pytestmark = pytest.mark.django_db

TOWER_WORKS = {"demarrage": "on", "ports_usb": "on", "son": "on", "donnees_absentes": "on"}
TOWER_ALONE = {
    "clavier": "sans_objet",
    "pave_tactile_souris": "sans_objet",
    "camera_micro": "sans_objet",
    "wifi": "sans_objet",
}


@pytest.fixture
def technicien(users):
    return users[Role.TECHNICIEN]


@pytest.fixture
def tech(technicien, client_for):
    return client_for(technicien)


def _reconditioned(technicien, **kwargs):
    ordinateur = OrdinateurFactory(**kwargs)
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    for stockage in ordinateur.stockages.all():
        EffacementFactory(stockage=stockage, operateur=technicien)
    for vers in (Etat.EFFACE, Etat.RECONDITIONNE):
        services.move(ordinateur=ordinateur, vers=vers, actor=technicien)
    return ordinateur


def _url(ordinateur):
    return reverse("ordinateurs:controle_create", args=[ordinateur.pk])


def test_it_passes_a_tower_without_screen_keyboard_camera_wifi_or_battery(tech, technicien):
    tower = _reconditioned(technicien, type=TypeAppareil.FIXE, modele="OptiPlex 7050")
    page = unescape(tech.get(_url(tower)).content.decode())
    assert "Sans objet pour ce type d'appareil" in page
    assert 'name="ecran"' not in page and 'name="batterie_alimentation"' not in page
    assert "Sans objet (l'appareil n'en a pas)" in page  # Wi-Fi, keyboard… may be absent

    response = tech.post(_url(tower), {**TOWER_WORKS, **TOWER_ALONE}, follow=True)
    assert "Contrôle réussi" in unescape(response.content.decode())
    check = Controle.objects.get()
    assert check.reussi is True
    assert check.resultats["ecran"] is None and check.resultats["batterie_alimentation"] is None
    assert check.resultats["wifi"] is None and check.resultats["demarrage"] is True
    shown = " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())
    assert "Wi-Fi : sans objet" in shown and "Écran (pixels, rétroéclairage) : sans objet" in shown
    assert "Clavier : sans objet" in shown and "Ports USB : fonctionne" in shown
    services.move(ordinateur=tower, vers=Etat.CONTROLE, actor=technicien)


def test_a_tower_with_wifi_must_have_it_working(tech, technicien):
    tower = _reconditioned(technicien, type=TypeAppareil.FIXE)
    tech.post(_url(tower), {**TOWER_WORKS, **TOWER_ALONE, "wifi": "defaut"})
    check = Controle.objects.get()
    assert check.reussi is False and check.resultats["wifi"] is False
    with pytest.raises(services.OrdinateurError, match="contrôle fonctionnel"):
        services.move(ordinateur=tower, vers=Etat.CONTROLE, actor=technicien)


def test_a_function_the_device_may_lack_must_be_answered(tech, technicien):
    tower = _reconditioned(technicien, type=TypeAppareil.FIXE)
    response = tech.post(_url(tower), {**TOWER_WORKS, "clavier": "sans_objet", "note": "Vu"})
    assert response.status_code == 200 and not Controle.objects.exists()
    errors = response.context["form"].errors
    assert errors["wifi"] == [
        "Indiquez si « Wi-Fi » fonctionne, ou « sans objet » si l'appareil n'en a pas."
    ]
    assert response.context["form"]["note"].value() == "Vu"  # nothing typed is lost


def test_a_laptop_cannot_skip_its_screen(technicien):
    laptop = _reconditioned(technicien)
    given = {key: True for key, _ in CHECKLIST} | {"ecran": None}
    check = services.record_check(ordinateur=laptop, resultats=given, operateur=technicien)
    assert check.reussi is False and check.resultats["ecran"] is False


def test_a_check_where_nothing_was_tested_is_refused(tech, technicien):
    other = _reconditioned(technicien, type=TypeAppareil.AUTRE)
    everything_absent = {key: "sans_objet" for key, _ in CHECKLIST}
    response = tech.post(_url(other), everything_absent)
    assert "Testez au moins une fonction" in unescape(response.content.decode())
    assert not Controle.objects.exists()
    with pytest.raises(services.OrdinateurError, match="au moins une fonction"):
        services.record_check(ordinateur=other, resultats={}, operateur=technicien)


def test_a_check_recorded_before_keeps_its_meaning(tech, technicien):
    laptop = _reconditioned(technicien)
    old = {key: True for key, _ in CHECKLIST} | {"wifi": False}
    ControleFactory(ordinateur=laptop, operateur=technicien, resultats=old, reussi=False)
    html = unescape(
        tech.get(reverse("ordinateurs:ordinateur_detail", args=[laptop.pk])).content.decode()
    )
    assert "ne fonctionne pas" in html and "sans objet" not in html
    assert [i["result"] for i in Controle.objects.get().items()].count("ok") == 9


def test_a_check_no_longer_counts_when_the_kind_of_device_changes(technicien):
    tower = _reconditioned(technicien, type=TypeAppareil.FIXE)
    results = {"demarrage": True, "ports_usb": True, "son": True, "donnees_absentes": True}
    services.record_check(ordinateur=tower, resultats=results, operateur=technicien)
    assert services.missing_for(tower, Etat.CONTROLE) == []
    tower.type = TypeAppareil.PORTABLE  # it was a laptop with its lid closed
    assert services.missing_for(tower, Etat.CONTROLE) == [
        "Le dernier contrôle fonctionnel doit être réussi."
    ]


def test_the_receipt_prints_what_did_not_apply(technicien, users, client_for):
    tower = _reconditioned(technicien, type=TypeAppareil.FIXE)
    results = {"demarrage": True, "ports_usb": True, "son": True, "donnees_absentes": True}
    services.record_check(ordinateur=tower, resultats=results, operateur=technicien)
    for vers in (Etat.CONTROLE, Etat.DISPONIBLE):
        services.move(ordinateur=tower, vers=vers, actor=technicien)
    coordinateur = users[Role.COORDINATEUR]
    demande = DemandeFactory(statut="liste_attente")
    attribution = services.propose(demande=demande, ordinateur=tower, actor=coordinateur)
    services.hand_over(attribution=attribution, actor=coordinateur)
    response = client_for(coordinateur).get(
        reverse("ordinateurs:recu_remise", args=[attribution.pk])
    )
    html = unescape(response.content.decode())
    assert "<dt>Sans objet</dt><dd>Écran (pixels, rétroéclairage) ; Clavier ;" in html
    assert "<dt>Fonctions vérifiées</dt><dd>Démarrage et système installé ; Ports USB ;" in html
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(documents.receipt(response.context))).pages
    )
    assert "Sans objet" in text and "Batterie ou alimentation" in text
