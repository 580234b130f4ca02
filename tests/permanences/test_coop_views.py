"""The Coop import page (upload, preview, confirm) and the export page, through the test client."""

import io
from pathlib import Path

import pytest
from django.urls import reverse

from permanences.coop import read_workbook
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion.enums import Role
from tests.factories import UserFactory

from .factories_coop import SAMPLE, coop_row, coop_workbook, coordinator_header

pytestmark = pytest.mark.django_db

IMPORT = reverse("permanences:coop_import")
PREVIEW = reverse("permanences:coop_import_preview")
CONFIRM = reverse("permanences:coop_import_confirm")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def coordinator(client_for, users):
    return client_for(users[Role.COORDINATEUR])


@pytest.fixture
def conseiller():
    return UserFactory(conseiller=True, first_name="Inès", last_name="Médiatrice")


def _upload(client, content, conseiller, name="export.xlsx"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(IMPORT, {"fichier": upload, "conseiller": conseiller.pk})


def _pending_files(settings):
    return list(Path(settings.MEDIA_ROOT).glob("imports/coop/*.xlsx"))


def test_it_previews_then_imports_the_sample(coordinator, conseiller, settings):
    response = _upload(coordinator, SAMPLE.read_bytes(), conseiller)
    assert response.status_code == 302 and response["Location"] == PREVIEW
    assert len(_pending_files(settings)) == 1
    assert "coop_import" in coordinator.session
    assert not isinstance(coordinator.session["coop_import"].get("token"), bytes)

    page = coordinator.get(PREVIEW).content.decode()
    for figure, value in [
        ("accompagnements", 489),
        ("individual", 480),
        ("collective", 1),
        ("unique_usagers", 294),
        ("lieux", 4),
        ("errors", 0),
    ]:
        assert f'data-figure="{figure}">{value}<' in page
    assert not Mediation.objects.exists()

    token = coordinator.session["coop_import"]["token"]
    response = coordinator.post(CONFIRM, {"token": token, "choix": "tout"}, follow=True)
    assert "Import terminé" in response.content.decode()
    assert Accompagnement.objects.count() == 489
    assert set(Mediation.objects.values_list("conseiller", flat=True)) == {conseiller.pk}
    assert _pending_files(settings) == [] and "coop_import" not in coordinator.session


def test_it_lists_every_bad_row_and_offers_the_valid_ones_only(coordinator, conseiller):
    rows = [
        coop_row(1),
        coop_row(2, **{"Thématique(s) d’accompagnement": "Jardinage"}),
        coop_row(3),
        coop_row(4, **{"Date": "le 3 mars"}),
    ]
    _upload(coordinator, coop_workbook(rows), conseiller)
    page = coordinator.get(PREVIEW).content.decode()
    assert "<td>14</td><td>test-00002</td><td>thématique inconnue « Jardinage »</td>" in page
    assert "<td>16</td>" in page and "date illisible « le 3 mars »" in page
    assert "Importer uniquement les lignes valides" in page
    assert 'value="tout"' not in page

    token = coordinator.session["coop_import"]["token"]
    # Without the explicit choice, nothing is imported.
    coordinator.post(CONFIRM, {"token": token, "choix": "tout"})
    assert not Mediation.objects.exists()
    coordinator.post(CONFIRM, {"token": token, "choix": "valides"})
    assert sorted(Mediation.objects.values_list("coop_id", flat=True)) == [
        "test-00001",
        "test-00003",
    ]


def test_it_cancels_and_forgets_the_file(coordinator, conseiller, settings):
    _upload(coordinator, coop_workbook([coop_row(1)]), conseiller)
    token = coordinator.session["coop_import"]["token"]
    response = coordinator.post(CONFIRM, {"token": token, "choix": "annuler"}, follow=True)
    assert "Import annulé" in response.content.decode()
    assert _pending_files(settings) == [] and not Mediation.objects.exists()
    assert coordinator.get(PREVIEW)["Location"] == IMPORT


def test_it_refuses_a_confirmation_with_another_token(coordinator, conseiller):
    _upload(coordinator, coop_workbook([coop_row(1)]), conseiller)
    coordinator.post(CONFIRM, {"token": "x" * 32, "choix": "tout"})
    assert not Mediation.objects.exists()


def test_it_says_when_everything_is_already_imported(coordinator, conseiller):
    content = coop_workbook([coop_row(1)])
    _upload(coordinator, content, conseiller)
    coordinator.post(
        CONFIRM, {"token": coordinator.session["coop_import"]["token"], "choix": "tout"}
    )
    _upload(coordinator, content, conseiller)
    page = coordinator.get(PREVIEW).content.decode()
    assert "Rien de nouveau à importer" in page
    assert Mediation.objects.count() == 1


@pytest.mark.parametrize(
    "content,name,message",
    [
        (b"Date;ID CRA\n", "export.csv", "n’est pas un classeur Excel (.xlsx)"),
        (b"%PDF-1.4 faux", "export.xlsx", "n’est pas un classeur Excel (.xlsx)"),
        (b"PK\x03\x04" + b"\x00" * 200, "export.xlsx", "illisible"),
        (coop_workbook([coop_row(1)], sheet="Feuil1"), "export.xlsx", "feuille « Activités »"),
    ],
    ids=["csv", "not-xlsx", "corrupt", "no-sheet"],
)
def test_it_explains_why_a_file_is_refused(coordinator, conseiller, content, name, message):
    response = _upload(coordinator, content, conseiller, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "coop_import" not in coordinator.session


def test_it_refuses_a_file_above_the_size_limit(coordinator, conseiller, settings):
    settings.COOP_IMPORT_MAX_UPLOAD_BYTES = 1000
    response = _upload(coordinator, SAMPLE.read_bytes(), conseiller)
    assert response.status_code == 200
    assert "la taille maximale est 1000" in response.content.decode()
    form = response.context["form"]
    assert form["conseiller"].value() in (conseiller.pk, str(conseiller.pk))  # kept


def test_it_needs_a_conseiller(coordinator):
    upload = io.BytesIO(coop_workbook([coop_row(1)]))
    upload.name = "export.xlsx"
    response = coordinator.post(IMPORT, {"fichier": upload})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()


def test_the_preview_without_a_pending_file_goes_back_to_the_upload(coordinator):
    assert coordinator.get(PREVIEW)["Location"] == IMPORT


# --- Export ---


def _download(client, **params):
    response = client.get(reverse("permanences:coop_export"), {"telecharger": "1", **params})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def test_the_export_page_offers_filters(coordinator, client_for, conseiller):
    page = coordinator.get(reverse("permanences:coop_export")).content.decode()
    assert "Conseiller" in page and "Lieu" in page
    own = client_for(conseiller).get(reverse("permanences:coop_export")).content.decode()
    assert 'name="conseiller"' not in own


def test_a_conseiller_exports_only_their_own_activities(client_for, conseiller):
    from .factories import MediationFactory

    MediationFactory(conseiller=conseiller, coop_id="mine")
    MediationFactory(coop_id="someone-else")
    parsed = read_workbook(io.BytesIO(_download(client_for(conseiller))))
    assert [r.coop_id for r in parsed.rows] == ["mine"]
    assert not parsed.has_coordinator_columns and parsed.has_beneficiaire


def test_the_export_writes_its_filters_in_the_metadata_block(coordinator, conseiller):
    from openpyxl import load_workbook

    content = _download(coordinator, du="2025-01-01", au="2025-06-30", conseiller=conseiller.pk)
    ws = load_workbook(io.BytesIO(content), read_only=True)["Activités"]
    top = [row for row in ws.iter_rows(max_row=14, values_only=True)]
    assert ("Période", "Du 01/01/2025 au 30/06/2025") in [tuple(r[:2]) for r in top]
    assert ("Conseiller", str(conseiller)) in [tuple(r[:2]) for r in top]


def test_the_export_refuses_an_inverted_period(coordinator):
    response = coordinator.get(
        reverse("permanences:coop_export"),
        {"telecharger": "1", "du": "2025-06-30", "au": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "La date de fin doit suivre la date de début." in response.content.decode()


def test_the_preview_says_who_receives_the_activities(coordinator, conseiller):
    ines = UserFactory(conseiller=True, first_name="Inès", last_name="Martin")
    rows = [
        coop_row(1, **{"Prénom du médiateur": "Inès", "Nom du médiateur": "Martin"}),
        coop_row(2, **{"Prénom du médiateur": "Inès", "Nom du médiateur": "Martin"}),
        coop_row(3, **{"Prénom du médiateur": "Paul", "Nom du médiateur": "Roux"}),
    ]
    _upload(coordinator, coop_workbook(rows, header=coordinator_header()), conseiller)
    page = coordinator.get(PREVIEW).content.decode()
    assert (
        '<tr data-attribution="fichier"><td>Inès Martin</td>'
        "<td>la colonne « Médiateur » du fichier</td>"
        '<td class="text-end">2</td></tr>'
    ) in page
    assert '<tr data-attribution="choisi"><td>Inès Médiatrice</td>' in page
    assert "aucun compte de conseiller au nom de : Paul Roux" in page

    token = coordinator.session["coop_import"]["token"]
    response = coordinator.post(CONFIRM, {"token": token, "choix": "tout"}, follow=True)
    assert "2 pour Inès Martin, 1 pour Inès Médiatrice" in response.content.decode()
    assert Mediation.objects.filter(conseiller=ines).count() == 2


# --- The same rows as CSV (written by PostgreSQL's COPY) ---


def _csv(client, **params):
    response = client.get(reverse("permanences:coop_export"), {"telecharger": "1", **params})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode()


def _csv_records(text, delimiter):
    import csv

    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header_index = next(i for i, line in enumerate(lines) if line and line[0] == "Date")
    header = lines[header_index]
    return lines[:header_index], [
        dict(zip(header, r, strict=True)) for r in lines[header_index + 1 :]
    ]


@pytest.fixture
def two_activities(conseiller):
    import datetime

    from tests.factories import UsagerFactory

    from .factories import MediationFactory

    named = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo")
    MediationFactory(
        conseiller=conseiller,
        date=datetime.date(2025, 3, 4),
        thematiques=["email", "aide_aux_demarches_administratives"],
        thematiques_demarche=["logement"],
        autonomie="partiellement_autonome",
        duree_minutes=45,
        usagers=[named],
        notes='=HYPERLINK("http://x"); "cité"',
        coop_id="acc-1",
    )
    MediationFactory(
        conseiller=conseiller,
        date=datetime.date(2025, 3, 5),
        type_activite="collectif",
        titre_atelier="Atelier tablette",
        niveau_atelier="avance",
        usagers=[UsagerFactory(), UsagerFactory()],
        coop_id="acc-2",
    )


def test_the_french_csv_has_the_workbooks_cells_for_french_excel(coordinator, two_activities):
    from openpyxl import load_workbook

    text = _csv(coordinator, format="csv")
    assert text.startswith("\ufeffInformations export")
    above, records = _csv_records(text.lstrip("\ufeff"), ";")
    assert ["Nombre total", "3"] in above
    ws = load_workbook(io.BytesIO(_download(coordinator)), read_only=True)["Activités"]
    rows = list(ws.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "Date")
    header = rows[header_index]
    cells = [dict(zip(header, r, strict=False)) for r in rows[header_index + 1 :]]

    def as_french_text(value):
        if value is None:
            return ""
        if hasattr(value, "strftime"):
            return value.strftime("%d/%m/%Y")
        return str(value)

    assert records == [{k: as_french_text(v) for k, v in row.items()} for row in cells]
    first = records[0]
    assert first["Date"] == "04/03/2025" and first["Durée (min)"] == "45"
    assert first["Participants"] == "1" and first["Bénéficiaire"] == "Awa Diallo"
    assert first["Thématique(s) d’accompagnement"] == (
        "E-mail\nAide aux démarches administratives\nLogement"
    )
    assert first["Notes supplémentaires"] == '\'=HYPERLINK("http://x"); "cité"'  # never a formula
    assert [r["Participants"] for r in records[1:]] == ["1/2", "2/2"]
    assert ";;" in text  # empty cells are empty, not ""


def test_the_csv_for_programs_has_iso_dates_and_commas(coordinator, two_activities):
    text = _csv(coordinator, format="csv-intl")
    assert not text.startswith("\ufeff")
    _above, records = _csv_records(text, ",")
    assert [r["Date"] for r in records] == ["2025-03-04", "2025-03-05", "2025-03-05"]
    assert records[0]["Niveau d’autonomie (ou de l’atelier)"] == "2/3"


def test_a_conseillers_csv_holds_only_their_own_activities(client_for, conseiller):
    from .factories import MediationFactory

    MediationFactory(conseiller=conseiller, coop_id="mine")
    MediationFactory(coop_id="someone-else")
    _above, records = _csv_records(_csv(client_for(conseiller), format="csv").lstrip("\ufeff"), ";")
    assert [r["ID CRA"] for r in records] == ["mine"]
    assert "Nom du médiateur" not in records[0]


def test_the_export_page_offers_the_csv(coordinator):
    page = coordinator.get(reverse("permanences:coop_export")).content.decode()
    assert 'name="format" value="csv"' in page and 'value="csv-intl"' in page


def test_a_selection_beyond_a_worksheet_asks_for_a_narrower_one_or_the_csv(
    coordinator, monkeypatch
):
    # Excel holds 1,048,576 rows a sheet: a national programme's years hold more. The limit
    # is lowered to the rows of a two-activity export, metadata block and header included.
    from openpyxl import load_workbook

    from poitiers_inclusion import exports
    from poitiers_inclusion.audit import AuditEvent

    from .factories import MediationFactory

    MediationFactory(date="2025-03-03")
    MediationFactory(date="2025-03-04")
    period = {"du": "2025-01-01", "au": "2025-12-31"}
    whole = load_workbook(io.BytesIO(_download(coordinator, **period)), read_only=True)
    lines = len(list(whole["Activités"].iter_rows()))
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", lines)
    at_the_limit = load_workbook(io.BytesIO(_download(coordinator, **period)), read_only=True)
    assert len(list(at_the_limit["Activités"].iter_rows())) == exports.XLSX_MAX_ROWS

    MediationFactory(date="2025-03-05")
    logged = AuditEvent.objects.filter(action="permanences.coop.exported").count()
    response = coordinator.get(
        reverse("permanences:coop_export"), {"telecharger": "1", "format": "xlsx", **period}
    )
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Cette sélection compte plus de 2 lignes, le maximum d’une feuille Excel" in page
    assert "téléchargez un CSV (sans limite de lignes)" in page
    assert 'value="2025-01-01"' in page and 'value="2025-12-31"' in page  # kept
    assert AuditEvent.objects.filter(action="permanences.coop.exported").count() == logged

    csv = coordinator.get(
        reverse("permanences:coop_export"), {"telecharger": "1", "format": "csv", **period}
    )
    assert b"".join(csv.streaming_content).decode("utf-8-sig").count("2025") >= 3
