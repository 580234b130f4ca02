"""Small uploads that used to cost the server gigabytes, built in the test; a memory guard.

Each file is a few kilobytes (or a few hundred, for the zip bomb): what matters is what the file
declares or expands to, not its size.
"""

import contextlib
import io
import re
import resource
import time
import tracemalloc
import zipfile

import psutil
from openpyxl import Workbook

INDICATOR_HEADER = ["indicateur", "code quartier", "mois", "valeur"]
INDICATOR_ROW = ["Inscriptions CAF", "Q1", "2023-04", 42]


def workbook_bytes(rows, sheet="Feuil1") -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _rewrite_sheet(content: bytes, edit) -> bytes:
    """The same workbook with the first sheet's XML passed through `edit(xml) -> xml`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def _declare(xml: str, ref: str) -> str:
    return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)


def _append_row(xml: str, row: str) -> str:
    return xml.replace("</sheetData>", row + "</sheetData>")


def far_cell(rows, sheet="Feuil1") -> bytes:
    """The sheet declares A1:XFD1048576 and holds one cell in the very last one (the 20 GB file)."""
    cell = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return _rewrite_sheet(
        workbook_bytes(rows, sheet),
        lambda xml: _append_row(_declare(xml, "A1:XFD1048576"), cell),
    )


def gap_to_row(rows, number=8000, sheet="Feuil1") -> bytes:
    """Data, then nothing down to row `number` of a sheet declared 16,384 columns wide, then data."""
    cell = f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>CAF</t></is></c></row>'
    return _rewrite_sheet(
        workbook_bytes(rows, sheet),
        lambda xml: _append_row(_declare(xml, f"A1:XFD{number}"), cell),
    )


def zip_bomb(rows, expanded=120 * 1024 * 1024, sheet="Feuil1") -> bytes:
    """A workbook whose sheet holds one cell of `expanded` bytes: a few hundred KB once zipped."""
    content = workbook_bytes(rows, sheet)
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(info.filename, "w", force_zip64=True) as member:
                member.write(head + b'<row r="900"><c r="A900" t="inlineStr"><is><t>')
                chunk = b"a" * (1 << 20)
                for _ in range(expanded >> 20):
                    member.write(chunk)
                member.write(b"</t></is></c></row></sheetData>" + tail)
    return out.getvalue()


def csv_wide(columns=100_000) -> bytes:
    """One line of 100,000 cells."""
    return ";".join(f"c{i}" for i in range(columns)).encode()


def csv_empty_lines(count=1_000_000, then="") -> bytes:
    """A header, a million empty lines, then `then`."""
    return (";".join(INDICATOR_HEADER) + "\n" + "\n" * count + then).encode()


def issue_shapes(rows, sheet="Feuil1") -> dict:
    """The files of the security review, around `rows`: {name: (build, extension, the setting
    whose name the refusal must give)}."""
    return {
        "far-cell": (lambda: far_cell(rows, sheet), "xlsx", "IMPORT_MAX_COLUMNS"),
        "gap-to-row-8000": (lambda: gap_to_row(rows, sheet=sheet), "xlsx", "IMPORT_MAX_EMPTY_ROWS"),
        "zip-bomb": (lambda: zip_bomb(rows, sheet=sheet), "xlsx", "IMPORT_MAX_UNCOMPRESSED_BYTES"),
        "csv-100k-columns": (csv_wide, "csv", "IMPORT_MAX_COLUMNS"),
        "csv-million-empty-lines-then-data": (
            lambda: csv_empty_lines(then="CAF;Q1;2023-04;1\n"),
            "csv",
            "IMPORT_MAX_EMPTY_ROWS",
        ),
    }


def field_error(html: str, field="fichier") -> str:
    """The error shown under a form's field (crispy's invalid-feedback), tags removed."""
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>(.*?)</(?:span|div|p)>', html, re.S)
    assert match, f"aucune erreur sous le champ « {field} »"
    return re.sub(r"<[^>]+>", "", match[1]).strip()


@contextlib.contextmanager
def bounded(*, megabytes: int, seconds: float):
    """Fails unless the block allocates less than `megabytes` (Python's peak) within `seconds`.

    The process also gets an address-space ceiling for the block, so that a regression raises
    MemoryError in a second instead of growing until the machine kills something.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = psutil.Process().memory_info().vms + 1536 * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert peak < megabytes * 1024 * 1024, f"{peak / 2**20:.0f} Mo alloués"
    assert elapsed < seconds, f"{elapsed:.1f} s"
