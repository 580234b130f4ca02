"""Importing external indicators by quartier and month, and comparing quartiers on the page."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from reporting.crossapp import opening_dates
from reporting.models import ExternalIndicator
from tests.factories import LieuFactory, QuartierFactory
from tests.permanences.factories import PermanenceFactory

IMPORT_URL = reverse("reporting:indicator_import")


@pytest.fixture
def quartiers(db):
    return {
        code: QuartierFactory(code=code, nom=f"Quartier {code}")
        for code in ("Q1", "Q2", "Q3", "Q4")
    }


def _csv(text, name="indicateurs.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _post(client, upload, **extra):
    return client.post(IMPORT_URL, {"fichier": upload, **extra})


def test_it_imports_a_clean_csv(quartiers, users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    text = "indicateur;code quartier;mois (AAAA-MM);valeur\nInscriptions CAF;Q1;2023-04;42\nInscriptions CAF;Q2;2023-04;7,5\n"
    response = _post(client, _csv(text))
    assert response.status_code == 302
    values = {(v.quartier.code, v.mois, float(v.valeur)) for v in ExternalIndicator.objects.all()}
    assert values == {
        ("Q1", datetime.date(2023, 4, 1), 42.0),
        ("Q2", datetime.date(2023, 4, 1), 7.5),
    }
    assert AuditEvent.objects.filter(action="reporting.indicatorimport.created").count() == 1


def test_it_reports_each_bad_row_by_line_and_imports_nothing(quartiers, users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    text = (
        "indicateur,code quartier,mois,valeur\n"
        "CPAM,Q1,2023-01,3\n"
        "CPAM,ZZ,2023-01,3\n"
        "CPAM,Q2,janvier,3\n"
        "CPAM,Q3,2023-01,beaucoup\n"
        ",Q4,2023-01,1\n"
        "CPAM,Q1,2023-01,4\n"
    )
    html = _post(client, _csv(text)).content.decode()
    assert "Rien n'a été importé : 5 ligne(s) en erreur." in html
    assert '<th scope="row">3</th><td>Le code quartier « ZZ » est inconnu.</td>' in html
    assert (
        '<th scope="row">4</th><td>Le mois « janvier » n&#x27;est pas au format AAAA-MM.</td>'
        in html
    )
    assert '<th scope="row">5</th><td>La valeur « beaucoup » n&#x27;est pas un nombre.</td>' in html
    assert '<th scope="row">6</th><td>L&#x27;indicateur est vide.</td>' in html
    assert (
        '<th scope="row">7</th><td>Même indicateur, quartier et mois qu&#x27;à la ligne 2.</td>'
        in html
    )
    assert not ExternalIndicator.objects.exists()


def test_it_imports_the_valid_rows_when_asked(quartiers, users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    text = "indicateur;code quartier;mois;valeur\nCPAM;Q1;2023-01;3\nCPAM;ZZ;2023-01;3\n"
    html = _post(client, _csv(text), importer_lignes_valides="on").content.decode()
    assert "1 ligne(s) écartée(s)" in html
    assert ExternalIndicator.objects.get().quartier.code == "Q1"


def test_it_reads_xlsx_and_replaces_a_month_imported_again(quartiers, users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    _post(client, _csv("indicateur;code quartier;mois;valeur\nFrance Travail;Q1;2023-05;10\n"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Indicateur", "Code quartier", "Mois", "Valeur"])
    sheet.append(["France Travail", "Q1", "2023-05", 12])
    sheet.append(["France Travail", "Q1", datetime.datetime(2023, 6, 1), 13])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("ft.xlsx", buffer.getvalue())
    assert _post(client, upload).status_code == 302
    values = dict(ExternalIndicator.objects.values_list("mois", "valeur"))
    assert values == {datetime.date(2023, 5, 1): 12, datetime.date(2023, 6, 1): 13}


def test_it_names_missing_columns(quartiers, users, client_for):
    html = _post(
        client_for(users[Role.COORDINATEUR]), _csv("indicateur;mois;valeur\nA;2023-01;1\n")
    ).content.decode()
    assert "Colonne(s) manquante(s) dans l&#x27;en-tête : code quartier." in html


def test_it_refuses_other_file_types(quartiers, users, client_for):
    html = _post(
        client_for(users[Role.COORDINATEUR]), SimpleUploadedFile("a.pdf", b"%PDF")
    ).content.decode()
    assert "Le fichier doit être au format CSV ou Excel (.xlsx)." in html


def test_opening_dates_are_each_quartiers_first_permanence(quartiers):
    lieu = LieuFactory(quartier=quartiers["Q1"])
    PermanenceFactory(lieu=lieu, valid_from=datetime.date(2022, 9, 1))
    PermanenceFactory(
        lieu=LieuFactory(quartier=quartiers["Q1"]), valid_from=datetime.date(2022, 3, 7)
    )
    PermanenceFactory(lieu=LieuFactory(quartier=None), valid_from=datetime.date(2020, 1, 1))
    # A one-off extra slot (an event) does not open a quartier.
    PermanenceFactory(lieu=lieu, valid_from=datetime.date(2021, 5, 4), is_one_off=True)
    PermanenceFactory(
        lieu=LieuFactory(quartier=quartiers["Q2"]),
        valid_from=datetime.date(2021, 6, 1),
        valid_until=datetime.date(2021, 6, 1),
        is_one_off=True,
    )
    assert opening_dates() == {quartiers["Q1"].pk: datetime.date(2022, 3, 7)}


def test_the_page_compares_quartiers_with_and_without_a_permanence(quartiers, users, client_for):
    # Q1 and Q2 open in March 2022; Q3 and Q4 never: the same series as test_did (DiD = 4).
    series = {
        "Q1": [10, 10, 16, 16],
        "Q2": [20, 20, 24, 24],
        "Q3": [5, 5, 7, 7],
        "Q4": [5, 5, 5, 5],
    }
    for code, values in series.items():
        for month, value in enumerate(values, start=1):
            ExternalIndicator.objects.create(
                indicateur="Inscriptions CAF",
                quartier=quartiers[code],
                mois=datetime.date(2022, month, 1),
                valeur=value,
            )
    for code in ("Q1", "Q2"):
        PermanenceFactory(
            lieu=LieuFactory(quartier=quartiers[code]), valid_from=datetime.date(2022, 3, 1)
        )
    response = client_for(users[Role.COORDINATEUR]).get(
        reverse("reporting:indicators"), {"indicateur": "Inscriptions CAF"}
    )
    html = response.content.decode()
    assert "<dd>4</dd>" in html
    assert (
        '<th scope="row">Quartiers avec permanence</th><td class="text-end">15</td><td class="text-end">20</td>'
        in html
    )
    assert "Petits effectifs" in html and "ordre de grandeur" in html
    assert 'role="img"' in html

    # Each table downloads as CSV and Excel, with the indicator written above it.
    assert "export=avant_apres&amp;format=csv" in html
    viewer = client_for(users[Role.COORDINATEUR])
    url = reverse("reporting:indicators")
    csv = viewer.get(
        url, {"indicateur": "Inscriptions CAF", "export": "avant_apres", "format": "csv"}
    )
    text = b"".join(csv.streaming_content).decode()
    assert "Indicateur;Inscriptions CAF" in text
    assert "Quartiers avec permanence;15,0;20,0" in text
    xlsx = viewer.get(
        url, {"indicateur": "Inscriptions CAF", "export": "par_mois", "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert ("Mois", "Quartiers avec permanence", "Quartiers sans permanence") in rows


def test_the_page_invites_an_import_when_there_is_nothing(users, client_for):
    html = (
        client_for(users[Role.COORDINATEUR]).get(reverse("reporting:indicators")).content.decode()
    )
    assert "Aucun indicateur importé." in html
