"""Every table exports to CSV and xlsx; the whole dashboard to one workbook; never a formula."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from poitiers_inclusion.enums import Role

from .conftest import HOSTILE

DANGEROUS = ("=", "+", "-", "@")


def _workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _values(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_it_exports_the_dashboard_as_one_sheet_per_section(fake_sections, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(
        reverse("reporting:export_dashboard"), {"du": "2025-01-01", "au": "2025-06-30"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = _workbook(response)
    assert workbook.sheetnames == ["Activité", "Réseau"]
    rows = _values(workbook["Activité"])
    flat = [v for row in rows for v in row if v is not None]
    # The filters come first, then the figures.
    assert ["Période", "du 01/01/2025 au 30/06/2025"] in [r[:2] for r in rows]
    assert flat.index("Période") < flat.index("Chiffres clés")
    assert ["Médiathèque", 7, 5] in [r[:3] for r in rows]
    assert ["Médiations", 12] in [r[:2] for r in rows]


def test_it_exports_one_table_as_csv_with_its_filters(fake_sections, users, client_for):
    url = reverse("reporting:export_table_csv", args=["activite", "par_lieu"])
    response = client_for(users[Role.COORDINATEUR]).get(url, {"type": "collectif"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"].startswith('attachment; filename="activite-par_lieu')
    assert "Type;Atelier collectif" in text
    assert "Lieu;Médiations;Usagers uniques\r\nMédiathèque;7;5\r\n" in text
    assert fake_sections.scopes[-1].chosen("type") == ("collectif",)


def test_it_exports_one_table_as_xlsx(fake_sections, users, client_for):
    url = reverse("reporting:export_table_xlsx", args=["activite", "par_mois"])
    workbook = _workbook(client_for(users[Role.COORDINATEUR]).get(url))
    rows = _values(workbook.active)
    assert ["Mois", "Individuels", "Collectifs"] in [r[:3] for r in rows]
    assert ["02/2025", 5, 2] in [r[:3] for r in rows]


def test_an_unknown_table_is_not_found(fake_sections, users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    assert (
        client.get(reverse("reporting:export_table_csv", args=["activite", "rien"])).status_code
        == 404
    )
    assert (
        client.get(reverse("reporting:export_table_csv", args=["rien", "par_lieu"])).status_code
        == 404
    )


def test_the_conseiller_export_holds_their_own_figures(fake_sections, users, client_for):
    response = client_for(users[Role.CONSEILLER]).get(reverse("reporting:export_dashboard"))
    rows = _values(_workbook(response)["Activité"])
    assert ["Médiations", 3] in [r[:2] for r in rows]


def test_no_xlsx_cell_can_start_a_formula(hostile_section, users, client_for):
    workbook = _workbook(
        client_for(users[Role.COORDINATEUR]).get(reverse("reporting:export_dashboard"))
    )
    cells = [c for row in workbook["Piège"].iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(DANGEROUS)]
    for text in HOSTILE:  # still readable, only neutralised
        assert "'" + text in texts


def test_no_csv_cell_can_start_a_formula(hostile_section, users, client_for):
    import csv

    url = reverse("reporting:export_table_csv", args=["piege", "lieux"])
    response = client_for(users[Role.COORDINATEUR]).get(url)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert not [c for c in cells if c.startswith(DANGEROUS)]
    assert "'-1" in cells and "'@x" in cells


def test_a_negative_number_stays_a_number(registry, users, client_for):
    from poitiers_inclusion.figures import Section, SectionSpec, Table

    registry.register_section(
        SectionSpec(
            "evolution",
            "Évolution",
            1,
            lambda scope: Section(
                "evolution", "Évolution", tables=[Table("t", "T", ["Lieu", "Écart"], [["A", -3]])]
            ),
        )
    )
    url = reverse("reporting:export_table_xlsx", args=["evolution", "t"])
    rows = _values(_workbook(client_for(users[Role.COORDINATEUR]).get(url)).active)
    assert ["A", -3] in [r[:2] for r in rows]
