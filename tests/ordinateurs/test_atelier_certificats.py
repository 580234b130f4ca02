"""The erasure certificates: one device's, refused until every storage is erased, and the
batch's, where every device of the don appears."""

import hashlib
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ordinateurs import services
from ordinateurs.enums import Etat, MethodeEffacement, ResultatEffacement
from tests.factories import UserFactory
from tests.ordinateurs.factories import (
    DonFactory,
    EffacementFactory,
    OrdinateurFactory,
    ready_device,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CITY_NAME = "Châtellerault"


@pytest.fixture
def technicien():
    return UserFactory(technicien=True, first_name="Lucie", last_name="Martin")


@pytest.fixture
def tech(technicien, client_for):
    return client_for(technicien)


def _text(response) -> str:
    return unescape(response.content.decode())


def test_the_certificate_shows_the_evidence_of_each_storage(tech, technicien):
    ordinateur = OrdinateurFactory(
        numero="PC-2022-0031", marque="Lenovo", modele="ThinkPad T480", numero_serie="PF1ABC"
    )
    ssd = ordinateur.stockages.get()
    ssd.numero_serie = "S4EVNX0M"
    ssd.save()
    hdd = ordinateur.stockages.create(type="hdd", capacite_go=1000, numero_serie="WD-WX11")
    report = b"Blancco Drive Eraser 7.8: erasure completed, verification passed"
    url = reverse("ordinateurs:effacement_create", args=[ssd.pk])
    tech.post(
        url,
        {
            "methode": "nvme_secure_erase",
            "outil": "Blancco Drive Eraser",
            "version_outil": "7.8",
            "resultat": "reussi",
            "done_at": "2022-06-01T09:15",
            "preuve": SimpleUploadedFile("rapport.pdf", b"%PDF-1.7\n" + report, "application/pdf"),
        },
    )
    EffacementFactory(stockage=hdd, operateur=technicien, resultat=ResultatEffacement.ECHEC)
    EffacementFactory(
        stockage=hdd,
        operateur=technicien,
        methode=MethodeEffacement.REECRITURE,
        outil="nwipe",
        version_outil="0.34",
        passes=3,
    )
    response = tech.get(reverse("ordinateurs:certificat_effacement", args=[ordinateur.pk]))
    assert response.status_code == 200
    html = _text(response)
    digest = hashlib.sha256(b"%PDF-1.7\n" + report).hexdigest()
    for expected in (
        "Ville de Châtellerault",
        "Certificat d'effacement des données",
        "PC-2022-0031",
        "Lenovo ThinkPad T480",
        "PF1ABC",
        "S4EVNX0M",
        "WD-WX11",
        "NVMe Format / Sanitize — niveau NIST SP 800-88 : Purge",
        "Réécriture en plusieurs passes — niveau NIST SP 800-88 : Clear",
        "Blancco Drive Eraser 7.8",
        "nwipe 0.34",
        "01/06/2022 à 09h15",
        "Lucie Martin",
        digest,
        "toutes les données des précédents utilisateurs de cet appareil ont été effacées",
        "Fait à Châtellerault",
        'type="button" data-print>Imprimer',
    ):
        assert expected in html, expected
    assert len(response.context["lines"]) == 2
    assert "Échec" not in html  # only the erasure that certifies is cited


def test_the_certificate_refuses_a_device_not_fully_erased(tech, technicien):
    ordinateur = OrdinateurFactory()
    second = ordinateur.stockages.create(type="hdd")
    EffacementFactory(stockage=ordinateur.stockages.first(), operateur=technicien)
    EffacementFactory(stockage=second, operateur=technicien, resultat=ResultatEffacement.ECHEC)
    url = reverse("ordinateurs:certificat_effacement", args=[ordinateur.pk])
    response = tech.get(url)
    assert response.status_code == 302
    assert response["Location"].endswith("#stockages")
    html = _text(tech.get(url, follow=True))
    assert (
        f"Le certificat d'effacement de {ordinateur.numero} ne peut pas être établi : "
        "Chaque support de stockage doit avoir un effacement réussi."
    ) in html
    assert "Certificat d'effacement des données" not in html


def test_the_certificate_refuses_a_laptop_without_storage(tech):
    ordinateur = OrdinateurFactory(stockages=[])
    response = tech.get(
        reverse("ordinateurs:certificat_effacement", args=[ordinateur.pk]), follow=True
    )
    assert "Enregistrez ses supports de stockage" in _text(response)


def test_the_device_page_links_the_certificate_once_erased(tech, technicien):
    ordinateur = OrdinateurFactory()
    url = reverse("ordinateurs:certificat_effacement", args=[ordinateur.pk])
    detail = reverse("ordinateurs:ordinateur_detail", args=[ordinateur.pk])
    assert url not in tech.get(detail).content.decode()
    EffacementFactory(stockage=ordinateur.stockages.get(), operateur=technicien)
    assert url in tech.get(detail).content.decode()


def test_the_batch_certificate_lists_every_device(tech, technicien, django_assert_max_num_queries):
    don = DonFactory(donateur__nom="Groupe Bêta", donateur__siret="12345678900011")
    available = ready_device(technicien, don=don, numero="PC-2022-0001")
    two_disks = OrdinateurFactory(don=don, numero="PC-2022-0002")
    extra = two_disks.stockages.create(type="hdd", numero_serie="HDD-2")
    for stockage in two_disks.stockages.all():
        EffacementFactory(stockage=stockage, operateur=technicien, outil="ShredOS")
    scrapped = OrdinateurFactory(don=don, numero="PC-2022-0003")
    services.move(ordinateur=scrapped, vers=Etat.NON_REEMPLOYABLE, actor=technicien, note="HS")
    services.move(ordinateur=scrapped, vers=Etat.RECYCLE, actor=technicien)
    screen = OrdinateurFactory(don=don, numero="PC-2022-0004", type="ecran", stockages=[])
    waiting = OrdinateurFactory(don=don, numero="PC-2022-0005")
    OrdinateurFactory(numero="PC-2022-0099")  # another batch

    url = reverse("ordinateurs:certificats_don", args=[don.pk])
    with django_assert_max_num_queries(12):
        response = tech.get(url)
    html = _text(response)
    lines = response.context["lines"]
    assert [(line["ordinateur"].numero, line["stockage"].pk) for line in lines] == [
        ("PC-2022-0001", available.stockages.get().pk),
        ("PC-2022-0002", two_disks.stockages.order_by("pk").first().pk),
        ("PC-2022-0002", extra.pk),
    ]
    assert response.context["certified"] == 2
    assert response.context["not_reused"] == [scrapped]
    assert response.context["no_storage"] == [screen]
    assert response.context["pending"] == [waiting]
    for numero in ("PC-2022-0001", "PC-2022-0002", "PC-2022-0003", "PC-2022-0004", "PC-2022-0005"):
        assert numero in html
    assert "PC-2022-0099" not in html
    assert "Groupe Bêta" in html and "12345678900011" in html
    assert "filière de traitement des déchets d'équipements électriques et électroniques" in html
    assert "Recyclé (DEEE)" in html
    assert '<th scope="col">SHA-256 du rapport</th>' in html
    assert "<caption>" in html


def test_the_batch_certificate_agrees_with_the_service(tech, technicien):
    """Its in-memory reading of the evidence says what services.erased says."""
    don = DonFactory()
    cases = [
        OrdinateurFactory(don=don),  # not erased
        OrdinateurFactory(don=don, stockages=[]),  # a laptop without storage
        OrdinateurFactory(don=don, type="ecran", stockages=[]),
    ]
    erased = OrdinateurFactory(don=don)
    EffacementFactory(stockage=erased.stockages.get(), operateur=technicien)
    failed = OrdinateurFactory(don=don)
    EffacementFactory(
        stockage=failed.stockages.get(), operateur=technicien, resultat=ResultatEffacement.ECHEC
    )
    response = tech.get(reverse("ordinateurs:certificats_don", args=[don.pk]))
    certified = {line["ordinateur"].pk for line in response.context["lines"]}
    for ordinateur in [*cases, erased, failed]:
        with_storage = ordinateur.stockages.exists()
        assert (ordinateur.pk in certified) == (services.erased(ordinateur) and with_storage)
