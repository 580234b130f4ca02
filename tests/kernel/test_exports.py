"""The kernel's export helper: a workbook is written whatever the titles its sheets are given."""

import io

from openpyxl import load_workbook

from poitiers_inclusion.exports import Sheet, table_response, write_xlsx


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
