"""One streaming export helper shared by every app: CSV and xlsx, never a formula from user text.

Rows are produced by an iterator and written as they come (openpyxl write-only mode), so a
million rows never sit in memory. Each app declares its own columns and rows.
"""

import csv
import datetime
import decimal
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """Neutralise text that a spreadsheet would run as a formula (prefix it with a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    if isinstance(value, int | float | decimal.Decimal | datetime.date):
        return value
    if isinstance(value, list | tuple):
        return safe_text("\n".join(str(v) for v in value))
    return safe_text(str(value))


@dataclass
class Sheet:
    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence]
    preamble: list[Sequence] = field(default_factory=list)  # lines above the header (filters…)


# A spreadsheet refuses these in a sheet's name, and names longer than 31 characters.
_NOT_IN_SHEET_TITLES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
SHEET_TITLE_LENGTH = 31


def sheet_title(title: str, used: set[str]) -> str:
    """A sheet name a spreadsheet accepts, not already in `used` (any case), added to it."""
    base = " ".join(title.translate(_NOT_IN_SHEET_TITLES).split()).strip("'")
    base = base[:SHEET_TITLE_LENGTH].strip() or "Feuille"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" {n}"
        candidate, n = base[: SHEET_TITLE_LENGTH - len(suffix)].strip() + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def write_xlsx(sheets: Iterable[Sheet], stream) -> None:
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet_title(sheet.title, used))
        for line in sheet.preamble:
            ws.append([_cell_value(v) for v in line])
        if sheet.preamble:
            ws.append([])
        header = []
        for name in sheet.columns:
            cell = WriteOnlyCell(ws, value=safe_text(name))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell_value(v) for v in row])
    workbook.save(stream)


def xlsx_response(filename: str, sheets: Iterable[Sheet]) -> FileResponse:
    # openpyxl's write-only mode streams rows to a temporary file, not to memory.
    spool = tempfile.TemporaryFile()
    write_xlsx(sheets, spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class _Echo:
    def write(self, value):
        return value


def csv_lines(columns: Sequence[str], rows: Iterable[Sequence], preamble=()) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM so that spreadsheet programs read UTF-8
    for line in preamble:
        yield writer.writerow([_cell_value(v) for v in line])
    yield writer.writerow([safe_text(c) for c in columns])
    for row in rows:
        yield writer.writerow([_cell_value(v) for v in row])


def csv_response(filename: str, columns, rows, preamble=()) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(columns, rows, preamble), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(fmt: str, filename: str, title: str, columns, rows, preamble=()):
    """One table as a download: `fmt` "xlsx" gives a workbook of one sheet, anything else CSV.
    `filename` has no extension."""
    if fmt == "xlsx":
        sheet = Sheet(title=title, columns=columns, rows=rows, preamble=list(preamble))
        return xlsx_response(f"{filename}.xlsx", [sheet])
    return csv_response(f"{filename}.csv", columns, rows, preamble)


def csv_text(columns, rows, preamble=()) -> str:
    return "".join(csv_lines(columns, rows, preamble)).lstrip("\ufeff")


__all__ = [
    "Sheet",
    "csv_response",
    "csv_text",
    "safe_text",
    "table_response",
    "write_xlsx",
    "xlsx_response",
]
