"""The workshop's documents as PDF files a person attaches and archives: the erasure certificate
(one device, one batch) with the SHA-256 of each tool's report, the hand-over receipt without a
name, and sheets of device labels whose QR codes open the device's page."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ordinateurs import label_views, services
from ordinateurs.enums import Etat
from tests.factories import StructureFactory, UserFactory
from tests.ordinateurs.factories import (
    CeremonieFactory,
    DemandeFactory,
    DonFactory,
    FoyerFactory,
    OrdinateurFactory,
    ready_device,
)
from tests.pdfs import pdf_links, pdf_reader, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _city(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CITY_NAME = "Châtellerault"
    settings.SITE_URL = "https://inclusion.example"


@pytest.fixture
def technicien():
    return UserFactory(technicien=True, first_name="Lucie", last_name="Martin")


@pytest.fixture
def tech(technicien, client_for):
    return client_for(technicien)


def test_the_certificate_file_prints_the_evidence_and_its_fingerprint(tech, technicien):
    ordinateur = OrdinateurFactory(numero="PC-2022-0031", marque="Lenovo", modele="ThinkPad T480")
    ssd = ordinateur.stockages.get()
    report = b"%PDF-1.7\nBlancco Drive Eraser 7.8: erasure completed"
    tech.post(
        reverse("ordinateurs:effacement_create", args=[ssd.pk]),
        {
            "methode": "nvme_secure_erase",
            "outil": "Blancco Drive Eraser",
            "version_outil": "7.8",
            "resultat": "reussi",
            "done_at": "2022-06-01T09:15",
            "preuve": SimpleUploadedFile("rapport.pdf", report, "application/pdf"),
        },
    )
    url = reverse("ordinateurs:certificat_effacement", args=[ordinateur.pk])
    assert 'href="?format=pdf"' in tech.get(url).content.decode()
    response = tech.get(url, {"format": "pdf"})
    assert 'filename="certificat-effacement-PC-2022-0031.pdf"' in response["Content-Disposition"]
    text = pdf_text(response)
    for expected in (
        "Ville de Châtellerault",
        "Certificat d'effacement des données",
        "N° CE-PC-2022-0031",
        "Lenovo ThinkPad T480",
        "niveau NIST SP 800-88 : Purge",
        "Blancco Drive Eraser 7.8",
        "01/06/2022 à 09h15",
        "Lucie Martin",
        hashlib.sha256(report).hexdigest(),
        "décret n° 2022-190",
        "Fait à Châtellerault",
        "page 1/",
    ):
        assert expected in text, expected


def test_a_device_not_erased_has_no_certificate_file(tech):
    ordinateur = OrdinateurFactory()
    url = reverse("ordinateurs:certificat_effacement", args=[ordinateur.pk])
    response = tech.get(url, {"format": "pdf"})
    assert response.status_code == 302  # back to the device, with the reason


def test_the_batch_certificate_file_lists_every_device(tech, technicien):
    don = DonFactory(donateur__nom="Groupe Bêta")
    ready_device(technicien, don=don, numero="PC-2022-0001")
    scrapped = OrdinateurFactory(don=don, numero="PC-2022-0003")
    services.move(ordinateur=scrapped, vers=Etat.NON_REEMPLOYABLE, actor=technicien, note="HS")
    OrdinateurFactory(don=don, numero="PC-2022-0005")
    response = tech.get(reverse("ordinateurs:certificats_don", args=[don.pk]), {"format": "pdf"})
    text = pdf_text(response)
    for expected in (
        f"N° CE-DON-{don.pk}",
        "Groupe Bêta",
        "Appareils certifiés 1 sur 3",
        "PC-2022-0001 — support 1",
        "Appareils non réemployés",
        "PC-2022-0003",
        "Appareils encore à l'atelier",
        "PC-2022-0005",
    ):
        assert expected in text, expected


def test_the_receipt_file_names_nobody(technicien, client_for):
    coordinateur = UserFactory(coordinateur=True, first_name="Camille", last_name="Coordonne")
    structure = StructureFactory(nom="CCAS de la Ville")
    demande = DemandeFactory(
        statut="liste_attente",
        foyer=FoyerFactory(structure=structure),
        waitlisted_at=timezone.now(),
    )
    device = ready_device(technicien, numero="PC-2026-0042", numero_serie="SN-DELL-42")
    attribution = services.propose(demande=demande, ordinateur=device, actor=coordinateur)
    attribution = services.hand_over(
        attribution=attribution,
        ceremonie=CeremonieFactory(titre="Remise d'automne", date=timezone.now()),
        actor=coordinateur,
    )
    prescripteur = UserFactory(prescripteur=True, structure=structure)
    response = client_for(prescripteur).get(
        reverse("ordinateurs:recu_remise", args=[attribution.pk]), {"format": "pdf"}
    )
    text = pdf_text(response)
    for expected in (
        "Reçu de remise d'un ordinateur",
        f"N° RR-{attribution.pk}",
        "PC-2026-0042",
        "SN-DELL-42",
        demande.foyer.code,
        "CCAS de la Ville",
        "Remise d'automne",
        "Pour le foyer",
    ):
        assert expected in text, expected
    for name in ("Martin", "Lucie", "Coordonne", "Camille"):
        assert name not in text


def test_a_device_label_holds_its_number_and_a_link_to_its_page(tech):
    ordinateur = OrdinateurFactory(numero="PC-2026-0007", marque="HP", modele="ProBook 640")
    page = tech.get(reverse("ordinateurs:ordinateur_detail", args=[ordinateur.pk]))
    label_url = reverse("ordinateurs:etiquette", args=[ordinateur.pk])
    assert f'href="{label_url}"' in page.content.decode()
    response = tech.get(label_url)
    assert "PC-2026-0007" in pdf_text(response) and "HP ProBook 640" in pdf_text(response)
    detail = reverse("ordinateurs:ordinateur_detail", args=[ordinateur.pk])
    assert pdf_links(response) == [f"https://inclusion.example{detail}"]


def test_the_qr_code_leads_a_signed_out_technician_to_the_device_after_sign_in(client, tech):
    ordinateur = OrdinateurFactory()
    (link,) = pdf_links(tech.get(reverse("ordinateurs:etiquette", args=[ordinateur.pk])))
    path = link.removeprefix("https://inclusion.example")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert response["Location"].endswith(f"?next={path}")


def test_the_labels_of_a_filtered_inventory_fill_a_sheet_per_21(tech):
    don = DonFactory()
    devices = [OrdinateurFactory(don=don) for _ in range(23)]
    OrdinateurFactory()  # another batch: not on these sheets
    url = reverse("ordinateurs:ordinateur_list")
    assert "format=etiquettes" in tech.get(url, {"don": don.pk}).content.decode()
    response = tech.get(url, {"don": don.pk, "format": "etiquettes"})
    assert len(pdf_reader(response).pages) == 2  # Avery L7160: 21 labels a sheet
    links = pdf_links(response)
    assert len(links) == 23
    expected = {
        f"https://inclusion.example{reverse('ordinateurs:ordinateur_detail', args=[o.pk])}"
        for o in devices
    }
    assert set(links) == expected


def test_too_many_labels_are_refused_with_a_reason(tech, monkeypatch):
    monkeypatch.setattr(label_views, "MAX_LABELS", 2)
    for _ in range(3):
        OrdinateurFactory()
    url = reverse("ordinateurs:ordinateur_list")
    response = tech.get(url, {"format": "etiquettes"}, follow=True)
    assert "Plus de 2 appareils : filtrez la liste" in response.content.decode()


def test_labels_are_for_the_workshop_only(client_for):
    ordinateur = OrdinateurFactory()
    prescripteur = UserFactory(prescripteur=True, structure=StructureFactory())
    response = client_for(prescripteur).get(reverse("ordinateurs:etiquette", args=[ordinateur.pk]))
    assert response.status_code == 403
