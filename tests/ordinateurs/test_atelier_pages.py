"""The workshop's pages: who opens them, the technician's home, the inventory's filters, its
downloads and its query count."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ordinateurs import services
from ordinateurs.enums import Etat
from ordinateurs.models import Ordinateur
from poitiers_inclusion.enums import Role
from tests.ordinateurs.factories import (
    DonFactory,
    EffacementFactory,
    EvenementFactory,
    OrdinateurFactory,
)

pytestmark = pytest.mark.django_db

WORKSHOP = [Role.TECHNICIEN, Role.COORDINATEUR, Role.ADMIN]
OUTSIDERS = [Role.CONSEILLER, Role.PRESCRIPTEUR]


@pytest.fixture
def technicien(users):
    return users[Role.TECHNICIEN]


@pytest.fixture
def tech(technicien, client_for):
    return client_for(technicien)


def _erased(technicien, **kwargs):
    ordinateur = OrdinateurFactory(**kwargs)
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    for stockage in ordinateur.stockages.all():
        EffacementFactory(stockage=stockage, operateur=technicien)
    return ordinateur


def _urls(ordinateur):
    stockage = ordinateur.stockages.first()
    return [
        reverse("ordinateurs:home"),
        reverse("ordinateurs:ordinateur_list"),
        reverse("ordinateurs:ordinateur_receive"),
        reverse("ordinateurs:ordinateur_detail", args=[ordinateur.pk]),
        reverse("ordinateurs:stockage_add", args=[ordinateur.pk]),
        reverse("ordinateurs:effacement_create", args=[stockage.pk]),
        reverse("ordinateurs:controle_create", args=[ordinateur.pk]),
        reverse("ordinateurs:ordinateur_edit", args=[ordinateur.pk]),
        reverse("ordinateurs:certificat_effacement", args=[ordinateur.pk]),
        reverse("ordinateurs:certificats_don", args=[ordinateur.don.pk]),
    ]


@pytest.mark.parametrize("role", WORKSHOP)
def test_the_workshop_opens_every_page(role, users, client_for, technicien):
    ordinateur = _erased(technicien)
    client = client_for(users[role])
    for url in _urls(ordinateur):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OUTSIDERS)
def test_it_refuses_other_roles(role, users, client_for, technicien):
    ordinateur = _erased(technicien)
    client = client_for(users[role])
    for url in _urls(ordinateur):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Accès refusé" in response.content.decode()
    move = reverse("ordinateurs:ordinateur_move", args=[ordinateur.pk])
    assert client.post(move, {"vers": Etat.EFFACE}).status_code == 403
    assert Ordinateur.objects.get(pk=ordinateur.pk).etat == Etat.DIAGNOSTIQUE


def test_it_rejects_a_get_on_the_state_change(tech):
    ordinateur = OrdinateurFactory()
    assert tech.get(reverse("ordinateurs:ordinateur_move", args=[ordinateur.pk])).status_code == 405


def test_a_technician_lands_on_the_workshop(tech):
    response = tech.get(reverse("home"), follow=True)  # the professionals' space
    assert response.redirect_chain[-1][0] == reverse("ordinateurs:home")


# --- Home ---------------------------------------------------------------------------------------


def test_the_home_counts_devices_and_lists_the_work_to_do(tech, technicien):
    waiting = OrdinateurFactory(numero="PC-2022-0100", marque="Lenovo")
    OrdinateurFactory(numero="PC-2022-0101")
    diagnosed = _erased(technicien, numero="PC-2022-0102")
    response = tech.get(reverse("ordinateurs:home"))
    todo = {t["etat"]: t for t in response.context["todo"]}
    assert todo[Etat.RECU]["count"] == 2
    assert todo[Etat.RECU]["label"] == "À diagnostiquer"
    assert [o.pk for o in todo[Etat.DIAGNOSTIQUE]["rows"]] == [diagnosed.pk]
    assert todo[Etat.EN_REPARATION]["count"] == 0
    html = response.content.decode()
    assert reverse("ordinateurs:ordinateur_detail", args=[waiting.pk]) in html
    assert "À effacer" in html and "Rien en attente." in html
    counts = {s["etat"]: s["count"] for s in response.context["states"]}
    assert counts[Etat.RECU] == 2 and counts[Etat.DISPONIBLE] == 0
    assert response.context["total"] == 3


def test_the_quick_search_opens_the_device_found(tech):
    ordinateur = OrdinateurFactory(numero="PC-2022-0042", numero_serie="5CG1234XYZ")
    url = reverse("ordinateurs:home")
    detail = reverse("ordinateurs:ordinateur_detail", args=[ordinateur.pk])
    assert tech.get(url, {"q": "pc-2022-0042"})["Location"] == detail
    assert tech.get(url, {"q": " 5cg1234xyz "})["Location"] == detail
    # Not a single exact match: the inventory, searched.
    response = tech.get(url, {"q": "PC-2022"})
    assert response["Location"] == reverse("ordinateurs:ordinateur_list") + "?q=PC-2022"


# --- Inventory ----------------------------------------------------------------------------------


def test_the_inventory_filters_by_state_type_don_and_text(tech, technicien):
    don = DonFactory(donateur__nom="Société Alpha")
    hp = OrdinateurFactory(don=don, marque="HP", modele="EliteBook 840", numero_serie="CZC111")
    dell = OrdinateurFactory(marque="Dell", modele="OptiPlex", type="fixe")
    screen = OrdinateurFactory(don=don, type="ecran", marque="Iiyama", stockages=[])
    services.move(ordinateur=dell, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    disk = hp.stockages.first()
    disk.numero_serie = "WD-DISK-77"
    disk.save()
    url = reverse("ordinateurs:ordinateur_list")

    def shown(**params):
        return {o.pk for o in tech.get(url, params).context["page"].object_list}

    assert shown() == {hp.pk, dell.pk, screen.pk}
    assert shown(etat="diagnostique") == {dell.pk}
    assert shown(type="ecran") == {screen.pk}
    assert shown(don=don.pk) == {hp.pk, screen.pk}
    assert shown(q="elitebook") == {hp.pk}
    assert shown(q="czc111") == {hp.pk}
    assert shown(q="disk-77") == {hp.pk}  # a disk's serial finds its computer
    assert shown(q=dell.numero) == {dell.pk}
    assert shown(q="hp 840") == {hp.pk}
    html = tech.get(url, {"don": don.pk}).content.decode()
    assert reverse("ordinateurs:certificats_don", args=[don.pk]) in html
    assert "Société Alpha" in html


def test_the_inventory_downloads_the_filtered_list(tech):
    OrdinateurFactory(marque="HP", modele="=cmd()", numero_serie="CZC111")
    OrdinateurFactory(marque="Dell")
    url = reverse("ordinateurs:ordinateur_list")
    response = tech.get(url, {"q": "HP", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows.index(next(r for r in rows if r and r[0] == "Numéro"))
    assert ["Recherche", "HP"] in rows[:header]
    data = rows[header + 1 :]
    assert len(data) == 1
    assert data[0][2:5] == ["HP", "'=cmd()", "CZC111"]  # never a formula
    assert data[0][8] == "SSD SATA 256 Go"
    assert data[0][11] == "Reçu"

    response = tech.get(url, {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [row for row in workbook.active.iter_rows(values_only=True)]
    numbers = [
        row[0] for row in values[values.index(next(r for r in values if r[0] == "Numéro")) + 1 :]
    ]
    assert len(numbers) == 2


def test_the_inventory_does_not_query_per_row(tech, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            ordinateur = OrdinateurFactory()
            EvenementFactory(ordinateur=ordinateur)

    url = reverse("ordinateurs:ordinateur_list")
    add(3)
    with CaptureQueriesContext(connection) as few:
        assert tech.get(url).status_code == 200
    add(9)
    with django_assert_max_num_queries(len(few)):
        response = tech.get(url)
    assert len(response.context["page"].object_list) == 12
    with django_assert_max_num_queries(len(few)):
        tech.get(url, {"format": "csv"}).getvalue()


def test_the_home_does_not_query_per_device(tech, django_assert_max_num_queries):
    for _ in range(2):
        OrdinateurFactory()
    with CaptureQueriesContext(connection) as few:
        tech.get(reverse("ordinateurs:home"))
    for _ in range(8):
        OrdinateurFactory()
    with django_assert_max_num_queries(len(few)):
        tech.get(reverse("ordinateurs:home"))
