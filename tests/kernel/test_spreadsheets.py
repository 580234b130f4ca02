"""The bounded reader of uploaded spreadsheets: hostile files are refused quickly in little memory
(measured in a separate process under a memory ceiling), real files read as openpyxl reads them."""

import datetime
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from poitiers_inclusion.spreadsheets import (
    Limits,
    SpreadsheetError,
    open_workbook,
    read_csv,
    read_rows,
)
from tests import hostile_files as hostile
from tests.permanences.factories_coop import SAMPLE

ROOT = Path(__file__).resolve().parents[2]
ROWS = [hostile.INDICATOR_HEADER, hostile.INDICATOR_ROW]
LIMITS = Limits(
    upload_bytes=10 * 2**20, uncompressed_bytes=50 * 2**20, rows=50, columns=6, empty_rows=5
)

# Runs the read in a fresh interpreter under a 1.5 GB address-space ceiling (so that a regression
# fails with MemoryError instead of exhausting the machine) and reports the peak of its resident
# memory above what it held before reading. The peak is Linux's VmHWM, reset before the read:
# ru_maxrss would start from the RSS of the pytest process that spawned the interpreter.
MEASURE = """
import json, resource, sys, time
import django
django.setup()
from poitiers_inclusion import spreadsheets

def kilobytes(key):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key + ":"))

resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # resets VmHWM to the current RSS
before = kilobytes("VmRSS")
start = time.perf_counter()
try:
    outcome = {"rows": sum(1 for _ in spreadsheets.read_rows(sys.argv[1]))}
except spreadsheets.SpreadsheetError as error:
    outcome = {"refused": str(error)}
except MemoryError:
    outcome = {"memory_error": True}
outcome["seconds"] = time.perf_counter() - start
outcome["megabytes"] = (kilobytes("VmHWM") - before) / 1024
print(json.dumps(outcome))
"""


def _measure(tmp_path, content: bytes, name: str) -> dict:
    path = tmp_path / name
    path.write_bytes(content)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "poitiers_inclusion.settings"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _explicit_empty_rows(count=100_000):
    """Rows written out one by one in the XML (formatted rows), holding nothing."""
    rows = "".join(f'<row r="{i}" ht="20" customHeight="1"/>' for i in range(3, count))
    return hostile._rewrite_sheet(
        hostile.workbook_bytes(ROWS), lambda xml: hostile._append_row(xml, rows)
    )


def _empty_far_cells(count=50_000):
    """A styled but empty cell in column XFD on every row: nothing to read, nothing to refuse."""
    rows = "".join(f'<row r="{i}"><c r="XFD{i}" s="0"/></row>' for i in range(3, count))
    return hostile._rewrite_sheet(
        hostile.workbook_bytes(ROWS), lambda xml: hostile._append_row(xml, rows)
    )


def _huge_tag():
    """One cell carrying 400,000 attributes (3 MB): the parser once took 73 s and 1.2 GB."""
    attributes = "".join(f' a{i}=""' for i in range(400_000))
    cell = f'<row r="3"><c r="A3"{attributes}/></row>'
    return hostile._rewrite_sheet(
        hostile.workbook_bytes(ROWS), lambda xml: hostile._append_row(xml, cell)
    )


def _entities():
    """Entity expansion (billion laughs): Office files never declare a document type."""
    dtd = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    return hostile._rewrite_sheet(
        hostile.workbook_bytes(ROWS + [["&b;&b;&b;"]]),
        lambda xml: dtd + xml.replace("&amp;b;&amp;b;&amp;b;", "&b;&b;&b;"),
    )


def _row_of_many_elements(count=2_000_000):
    """One row holding two million empty elements (8 MB): the parser keeps a row's elements
    until the row ends, so their number is bounded too."""
    cell = f'<row r="3"><c r="A3" t="inlineStr"><is>{"<r/>" * count}</is></c></row>'
    return hostile._rewrite_sheet(
        hostile.workbook_bytes(ROWS), lambda xml: hostile._append_row(xml, cell)
    )


HOSTILE = {
    **hostile.issue_shapes(ROWS),
    "row-of-2M-elements": (_row_of_many_elements, "xlsx", "endommagé"),
    "tag-of-400k-attributes": (_huge_tag, "xlsx", "endommagé"),
    "entity-expansion": (_entities, "xlsx", "endommagé"),
}


@pytest.mark.parametrize("shape", HOSTILE)
def test_a_hostile_file_is_refused_quickly_in_little_memory(tmp_path, shape):
    build, extension, named = HOSTILE[shape]
    outcome = _measure(tmp_path, build(), f"hostile.{extension}")
    assert named in outcome.get("refused", ""), outcome
    assert outcome["seconds"] < 2, outcome
    assert outcome["megabytes"] < 150, outcome


HARMLESS = {
    "csv-million-empty-lines-at-the-end": (hostile.csv_empty_lines, "csv", 1),
    "100k-formatted-empty-rows": (_explicit_empty_rows, "xlsx", 2),
    "50k-empty-cells-in-column-XFD": (_empty_far_cells, "xlsx", 2),
}


@pytest.mark.parametrize("shape", HARMLESS)
def test_empty_rows_and_cells_cost_nothing(tmp_path, shape):
    build, extension, rows = HARMLESS[shape]
    outcome = _measure(tmp_path, build(), f"harmless.{extension}")
    assert outcome.get("rows") == rows, outcome
    assert outcome["seconds"] < 2, outcome
    assert outcome["megabytes"] < 150, outcome


# --- The limits, one by one -------------------------------------------------------------------


def _rows(content, limits=LIMITS, **kwargs):
    return list(read_rows(io.BytesIO(content), limits=limits, **kwargs))


def test_it_refuses_an_upload_above_its_size_limit():
    limits = Limits(**{**LIMITS.__dict__, "upload_bytes": 1000})
    with pytest.raises(SpreadsheetError, match=r"la taille maximale est 1000\soctets \(IMPORT_MAX"):
        _rows(hostile.workbook_bytes(ROWS), limits)


def test_it_refuses_data_beyond_the_last_row():
    rows = [[n] for n in range(1, 52)]
    with pytest.raises(SpreadsheetError, match=r"ligne 51 : la limite est de 50 lignes"):
        _rows(hostile.workbook_bytes(rows))
    with pytest.raises(SpreadsheetError, match="IMPORT_MAX_ROWS"):
        _rows("\n".join(str(n) for n in range(1, 52)).encode())
    assert len(_rows(hostile.workbook_bytes(rows[:50]))) == 50


def test_it_refuses_a_filled_cell_beyond_the_last_column():
    with pytest.raises(SpreadsheetError, match=r"colonne G \(la 7e\).*6 colonnes"):
        _rows(hostile.workbook_bytes([[1, 2, 3, 4, 5, 6, 7]]))
    with pytest.raises(SpreadsheetError, match="IMPORT_MAX_COLUMNS"):
        _rows(b"1;2;3;4;5;6;7\n")
    assert _rows(hostile.workbook_bytes([[1, 2, 3, 4, 5, 6, None, " "]])) == [
        (1, [1, 2, 3, 4, 5, 6])
    ]


def test_it_refuses_data_after_too_many_empty_rows_but_not_at_the_end():
    five_empty = [["a"], [], [], [], [], [], ["b"]]
    assert _rows(hostile.workbook_bytes(five_empty)) == [(1, ["a"]), (7, ["b"])]
    with pytest.raises(SpreadsheetError, match=r"6 lignes vides .* ligne 8 .*IMPORT_MAX_EMPTY"):
        _rows(hostile.workbook_bytes([["a"], [], [], [], [], [], [], ["b"]]))
    assert _rows(b"a\n\n\n\n\n\nb\n") == [(1, ["a"]), (7, ["b"])]
    with pytest.raises(SpreadsheetError, match=r"des données à la ligne 8 "):
        _rows(b"a\n\n\n\n\n\n\nb\n")
    assert _rows(b"a\n" + b"\n" * 100) == [(1, ["a"])]


def test_it_ignores_the_dimension_the_sheet_declares():
    content = hostile._rewrite_sheet(
        hostile.workbook_bytes([["a", "b"], [None, None, None], [None, None, "c"]]),
        lambda xml: hostile._declare(xml, "A1:B1"),
    )
    assert _rows(content) == [(1, ["a", "b"]), (3, [None, None, "c"])]


def test_it_refuses_a_zip_that_expands_beyond_its_limit():
    limits = Limits(**{**LIMITS.__dict__, "uncompressed_bytes": 2 * 2**20})
    with pytest.raises(SpreadsheetError, match=r"la limite est de 2,0\sMio .*UNCOMPRESSED"):
        _rows(hostile.zip_bomb(ROWS, expanded=3 * 2**20), limits)


def test_it_explains_what_it_cannot_read():
    with pytest.raises(SpreadsheetError, match=r"Excel 97-2003 \(\.xls\)"):
        _rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(SpreadsheetError, match="illisible"):
        open_workbook(io.BytesIO(b"indicateur;valeur\n"), limits=LIMITS)
    with pytest.raises(SpreadsheetError, match="illisible|endommagé"):
        _rows(hostile.workbook_bytes(ROWS)[:2000])
    with open_workbook(io.BytesIO(hostile.workbook_bytes(ROWS)), limits=LIMITS) as book:
        with pytest.raises(SpreadsheetError, match="pas de feuille « Activités »"):
            list(book.rows("Activités"))


# --- CSV ------------------------------------------------------------------------------------


def test_it_reads_csv_as_spreadsheet_programs_write_it():
    assert _rows("\ufeffnom;ville\nÉlodie;Poitiers\n".encode()) == [
        (1, ["nom", "ville"]),
        (2, ["Élodie", "Poitiers"]),
    ]
    assert _rows("nom;ville\nÉlodie;Poitiers\n".encode("cp1252"))[1] == (2, ["Élodie", "Poitiers"])
    assert _rows(b"nom,ville\nA,B\n")[1] == (2, ["A", "B"])
    assert _rows(b"a,b;c\n")[0] == (1, ["a,b", "c"])  # a tie goes to the first candidate


def test_it_numbers_csv_records_by_the_line_where_they_start():
    text = b'id,texte\n1,"sur\ndeux lignes"\n\n2,fin\n'
    assert list(read_csv(io.BytesIO(text), delimiters=(",",), limits=LIMITS)) == [
        (1, ["id", "texte"]),
        (2, ["1", "sur\ndeux lignes"]),
        (5, ["2", "fin"]),
    ]


def test_a_csv_record_is_refused_before_it_becomes_a_list():
    # 61 separators in one quoted cell: more than 10 per allowed column.
    text = b'a;"' + b";" * 61 + b'"\n'
    with pytest.raises(SpreadsheetError, match="IMPORT_MAX_COLUMNS"):
        _rows(text)
    assert _rows(b'a;"' + b";" * 50 + b'"\n') == [(1, ["a", ";" * 50])]


# --- The same values as openpyxl ------------------------------------------------------------


def _as_openpyxl_reads(source, sheet):
    """Rows holding data as openpyxl reads them, trimmed like the reader's (blank cells: None)."""
    workbook = load_workbook(source, read_only=True, data_only=True)
    ws = workbook[sheet]
    ws.reset_dimensions()
    found = []
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [None if isinstance(v, str) and not v.strip() else v for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            found.append((number, cells))
    workbook.close()
    return found


def test_it_reads_the_real_coop_export_as_openpyxl_does():
    with open_workbook(SAMPLE) as book:
        rows = list(book.rows("Activités"))
    assert rows == _as_openpyxl_reads(SAMPLE, "Activités")
    assert len(rows) == 498


MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXCEL_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats'
        '-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{R}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{R}/styles" Target="/xl/styles.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<workbook {MAIN} xmlns:r="{R}"><workbookPr date1904="{{date1904}}"/><sheets>'
        '<sheet name="Activités" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/sharedStrings.xml": (
        f'<sst {MAIN} count="3" uniqueCount="3"><si><t>Date</t></si>'
        '<si><r><rPr><b/></rPr><t>Gras</t></r><r><t xml:space="preserve"> et fin</t></r></si>'
        '<si><t>ポ</t><rPh sb="0" eb="1"><t>ぽ</t></rPh></si></sst>'
    ),
    "xl/styles.xml": (
        f'<styleSheet {MAIN}><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy'
        ' hh:mm"/><numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts><cellStyleXfs '
        'count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/>'
        '<xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>'
    ),
    "xl/worksheets/sheet1.xml": (
        f'<worksheet {MAIN}><dimension ref="A1:B2"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row>'
        '<row r="3"><c r="A3" s="1"><v>45000</v></c><c r="B3" s="2"><v>45000.75</v></c>'
        '<c r="C3" s="3"><v>1.5</v></c><c r="D3" t="b"><v>1</v></c><c r="E3" t="e"><v>#N/A'
        '</v></c><c r="F3"><f>1+1</f><v>2</v></c><c r="G3" t="str"><f>"a"</f><v>a</v></c>'
        '<c r="H3" t="inlineStr"><is><t>en ligne</t></is></c><c r="I3"><v>1E3</v></c></row>'
        "<row><c><v>7</v></c><c/><c><v>8</v></c></row>"
        "</sheetData></worksheet>"
    ),
}


def _as_excel_writes(date1904="0") -> bytes:
    """A workbook written the way Excel writes one (shared strings, styles, no dimension
    trust), unlike openpyxl's own files which hold inline strings only."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in EXCEL_PARTS.items():
            archive.writestr(name, text.replace("{date1904}", date1904))
    return stream.getvalue()


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # openpyxl, not us
@pytest.mark.parametrize("date1904", ["0", "1"])
def test_it_reads_what_excel_writes_as_openpyxl_does(date1904):
    content = _as_excel_writes(date1904)
    with open_workbook(
        io.BytesIO(content), limits=Limits(**{**LIMITS.__dict__, "columns": 9})
    ) as book:
        assert book.sheet_names == ["Activités"]
        rows = list(book.rows("Activités"))
    assert rows == _as_openpyxl_reads(io.BytesIO(content), "Activités")
    assert rows[0] == (1, ["Date", "Gras et fin", "ポ"])
    day = datetime.datetime(2027 if date1904 == "1" else 2023, 3, 15 if date1904 == "0" else 16)
    assert rows[1][1][:4] == [
        day,
        day + datetime.timedelta(hours=18),
        datetime.timedelta(hours=36),
        True,
    ]
    assert rows[1][1][4:] == ["#N/A", 2, "a", "en ligne", 1000.0]
    assert rows[2] == (4, [7, None, 8])
