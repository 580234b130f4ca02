"""Receiving a batch: each line becomes a numbered device with its first event."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs.enums import Etat, StatutDon
from ordinateurs.models import Evenement, Ordinateur
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from tests.ordinateurs.factories import DonFactory, OrdinateurFactory

pytestmark = pytest.mark.django_db

URL = "ordinateurs:ordinateur_receive"


def _text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def technicien(users):
    return users[Role.TECHNICIEN]


@pytest.fixture
def tech(technicien, client_for):
    return client_for(technicien)


def _lines(*lines, don=""):
    """The POST of the page: `lines` are dicts of one device's fields."""
    data = {
        "don": don,
        "appareils-TOTAL_FORMS": str(len(lines)),
        "appareils-INITIAL_FORMS": "0",
        "appareils-MIN_NUM_FORMS": "0",
        "appareils-MAX_NUM_FORMS": "50",
    }
    for i, line in enumerate(lines):
        values = {
            "type": "portable",
            "marque": "",
            "modele": "",
            "numero_serie": "",
            "processeur": "",
            "memoire_go": "",
            "stockage_type": "",
            "stockage_capacite_go": "",
            "stockage_numero_serie": "",
            **line,
        }
        data.update({f"appareils-{i}-{name}": value for name, value in values.items()})
    return data


def test_receiving_a_batch_creates_numbered_devices_with_their_first_event(tech, technicien):
    don = DonFactory(statut=StatutDon.COLLECTE)
    data = _lines(
        {
            "marque": "HP",
            "modele": "ProBook 450 G5",
            "numero_serie": "5CD1",
            "processeur": "Intel Core i5-8250U",
            "memoire_go": "8",
            "stockage_type": "ssd",
            "stockage_capacite_go": "256",
            "stockage_numero_serie": "S3Z9",
        },
        {"type": "ecran", "marque": "Dell", "modele": "P2219H"},
        {},  # left empty: ignored
        don=don.pk,
    )
    response = tech.post(reverse(URL), data)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('ordinateurs:ordinateur_list')}?don={don.pk}"
    year = timezone.localdate().year
    devices = list(Ordinateur.objects.order_by("numero"))
    assert [o.numero for o in devices] == [f"PC-{year}-0001", f"PC-{year}-0002"]
    laptop, screen = devices
    assert (laptop.don, laptop.marque, laptop.memoire_go, laptop.etat) == (don, "HP", 8, Etat.RECU)
    storage = laptop.stockages.get()
    assert (storage.type, storage.capacite_go, storage.numero_serie) == ("ssd", 256, "S3Z9")
    assert screen.type == "ecran" and not screen.stockages.exists()
    for device in devices:
        event = Evenement.objects.get(ordinateur=device)
        assert (event.de, event.vers, event.auteur) == ("", Etat.RECU, technicien)
    assert AuditEvent.objects.filter(action="ordinateurs.ordinateur.received").exists()
    listed = tech.get(response["Location"])
    assert f"PC-{year}-0001 à PC-{year}-0002" in _text(listed)
    assert {o.pk for o in listed.context["page"].object_list} == {laptop.pk, screen.pk}


def test_a_device_may_come_without_a_batch(tech):
    response = tech.post(reverse(URL), _lines({"marque": "Acer"}))
    assert response["Location"] == reverse("ordinateurs:ordinateur_list")
    assert Ordinateur.objects.get().don is None


def test_the_page_preselects_the_don_and_offers_a_line_per_announced_device(tech):
    don = DonFactory(nb_annonce=4)
    OrdinateurFactory(don=don)
    response = tech.get(reverse(URL), {"don": don.pk})
    assert response.context["reception"]["don"].value() == don.pk
    assert len(response.context["formset"].forms) == 3
    html = _text(response)
    assert f'<option value="{don.pk}" selected>' in html
    assert "---------" not in html


def test_a_cancelled_don_is_not_offered(tech):
    don = DonFactory(statut=StatutDon.ANNULE)
    response = tech.post(reverse(URL), _lines({"marque": "HP"}, don=don.pk))
    assert response.status_code == 200
    assert "Ce don n'est plus proposé" in _text(response)
    assert not Ordinateur.objects.exists()


def test_adding_a_line_keeps_what_was_typed(tech):
    data = _lines({"marque": "Lenovo", "numero_serie": "PF1"}, {"type": "fixe", "modele": "M710"})
    data["ajouter"] = "1"
    response = tech.post(reverse(URL), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 3
    html = _text(response)
    assert 'value="Lenovo"' in html and 'value="PF1"' in html and 'value="M710"' in html
    assert "Le formulaire contient des erreurs" not in html
    assert not Ordinateur.objects.exists()
    # Saved as the page now stands: the two lines typed, the new one left empty.
    final = _lines(
        {"marque": "Lenovo", "numero_serie": "PF1"}, {"type": "fixe", "modele": "M710"}, {}
    )
    tech.post(reverse(URL), final)
    assert sorted(Ordinateur.objects.values_list("marque", "type")) == [
        ("", "fixe"),
        ("Lenovo", "portable"),
    ]


def test_errors_are_shown_next_to_the_field_and_nothing_is_lost(tech):
    data = _lines(
        {"marque": "HP", "memoire_go": "huit", "stockage_capacite_go": "500"},
        {"marque": "Dell"},
    )
    response = tech.post(reverse(URL), data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert forms[0].errors["memoire_go"] == ["Indiquez la mémoire en Go, en chiffres."]
    assert forms[0].errors["stockage_type"] == ["Choisissez le type du support de stockage."]
    html = _text(response)
    assert 'value="huit"' in html and 'value="Dell"' in html
    assert not Ordinateur.objects.exists()


def test_an_empty_batch_or_a_serial_typed_twice_is_refused(tech):
    response = tech.post(reverse(URL), _lines({}, {}))
    assert "Décrivez au moins un appareil." in _text(response)
    response = tech.post(reverse(URL), _lines({"numero_serie": "abc1"}, {"numero_serie": "ABC1 "}))
    assert "Ce numéro de série figure sur deux lignes : ABC1." in _text(response)
    assert not Ordinateur.objects.exists()
