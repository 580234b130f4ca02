"""Sheet names of every export: accepted by Excel, readable, unique in their workbook."""

import io

from openpyxl import load_workbook

from poitiers_inclusion.exports import Sheet, sheet_title, write_xlsx


def test_it_removes_what_excel_refuses_and_collapses_the_spaces():
    assert sheet_title("Couverture : lieux par quartier") == "Couverture lieux par quartier"
    assert sheet_title("Dons [2025] / mois ? *") == "Dons 2025 mois"
    assert sheet_title("  'Réseau'  ") == "Réseau"


def test_it_cuts_long_titles_between_two_words():
    title = sheet_title("Niveau d’autonomie (accompagnements individuels)")
    assert title == "Niveau d’autonomie"
    assert sheet_title("Où en sont les appareils aujourd'hui") == "Où en sont les appareils"
    assert sheet_title("Du don à la remise : appareils arrivés à chaque étape") == (
        "Du don à la remise appareils"
    )


def test_it_keeps_an_empty_title_readable():
    assert sheet_title(" : / ") == "Feuille"


def test_it_makes_titles_unique_in_a_workbook_within_31_characters():
    used: set[str] = set()
    long = "Passages par mois sur les permanences"
    titles = [sheet_title(t, used) for t in ("Activité", "ACTIVITÉ", long, long, long)]
    assert titles == [
        "Activité",
        "ACTIVITÉ (2)",
        "Passages par mois",
        "Passages par mois (2)",
        "Passages par mois (3)",
    ]
    assert all(len(t) <= 31 for t in titles)


def test_a_workbook_of_clashing_titles_opens():
    stream = io.BytesIO()
    sheets = [Sheet("Réseau : bilan", ["A"], [[1]]), Sheet("Réseau  bilan", ["A"], [[2]])]
    write_xlsx(sheets, stream)
    assert load_workbook(io.BytesIO(stream.getvalue())).sheetnames == [
        "Réseau bilan",
        "Réseau bilan (2)",
    ]
