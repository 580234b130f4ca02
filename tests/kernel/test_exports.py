"""The kernel's export helper: a workbook is written whatever the titles its sheets are given."""

import csv
import datetime
import decimal
import io
import json
import pickle

from openpyxl import load_workbook

from poitiers_inclusion.exports import Percent, Sheet, table_response, write_xlsx
from poitiers_inclusion.figures import percent


def test_it_writes_sheets_whose_titles_a_spreadsheet_forbids():
    stream = io.BytesIO()
    titles = ["Couverture : lieux par quartier", "CAF / RSA [2022]?", "Couverture : lieux"]
    write_xlsx([Sheet(title=t, columns=["A"], rows=[[1]]) for t in titles], stream)
    names = load_workbook(stream).sheetnames
    assert names == ["Couverture lieux par quartier", "CAF RSA 2022", "Couverture lieux"]


def test_it_gives_each_sheet_a_title_of_its_own():
    stream = io.BytesIO()
    write_xlsx([Sheet(title="Activité : mois", columns=[], rows=[])] * 3, stream)
    assert load_workbook(stream).sheetnames == [
        "Activité mois",
        "Activité mois (2)",
        "Activité mois (3)",
    ]


def test_a_table_download_with_such_a_title_is_a_workbook():
    response = table_response("xlsx", "couverture", "Couverture : lieux par quartier", ["A"], [])
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Couverture lieux par quartier"]


# --- Spreadsheets that open right in French Excel ------------------------------------------------

ROW = [
    "Médiathèque",
    1234,
    12.5,
    decimal.Decimal("61.5"),
    datetime.date(2026, 12, 25),
    datetime.datetime(2026, 12, 25, 14, 30, tzinfo=datetime.UTC),
    True,
    Percent(25.0),
    None,
]


def _download(fmt) -> str:
    response = table_response(fmt, "essai", "Essai", list("ABCDEFGHI"), [ROW], [["Année", 2026]])
    return b"".join(response.streaming_content).decode("utf-8")


def test_a_csv_download_is_for_french_excel_by_default():
    text = _download("csv")
    assert text.startswith("\ufeff")  # UTF-8 BOM: Excel reads the accents right
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Année;2026"
    assert lines[1] == "A;B;C;D;E;F;G;H;I"
    # Noon UTC is 15:30 in Paris in winter.
    assert lines[2] == "Médiathèque;1234;12,5;61,5;25/12/2026;25/12/2026 15:30;Oui;25,0 %;"


def test_programs_get_commas_points_and_iso_dates():
    text = _download("csv-intl")
    assert not text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[2] == [
        "Médiathèque",
        "1234",
        "12.5",
        "61.5",
        "2026-12-25",
        "2026-12-25 15:30",
        "Oui",
        "25.0",
        "",
    ]


def test_a_setting_makes_every_csv_for_programs(settings):
    settings.CSV_DIALECT = "intl"
    assert _download("csv").splitlines()[1] == "A,B,C,D,E,F,G,H,I"


def test_a_workbook_has_numbers_dates_and_oui_non():
    response = table_response("xlsx", "essai", "Essai", list("ABCDEFGHI"), [ROW])
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    values = [c.value for c in cells]
    assert values[:4] == ["Médiathèque", 1234, 12.5, 61.5]
    assert values[4] == datetime.datetime(2026, 12, 25)  # a date, shown JJ/MM/AAAA
    assert cells[4].number_format == "DD/MM/YYYY"
    assert values[5] == datetime.datetime(2026, 12, 25, 15, 30)
    assert values[6] == "Oui"
    assert values[7] == 0.25 and cells[7].number_format == "0.0 %"


def test_a_share_reads_as_text_on_pages_and_in_json():
    share = percent(12.5)
    assert share == "12,5\u00a0%" and json.dumps(share) == '"12,5\\u00a0%"'
    assert percent(None) == "—"


def test_a_share_survives_a_stored_dashboard():
    """Dashboards are stored pickled (reporting.snapshots): a share comes back whole."""
    back = pickle.loads(pickle.dumps(Percent(12.5)))
    assert (back, back.number, type(back)) == ("12,5\u00a0%", 12.5, Percent)
