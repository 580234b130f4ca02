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
SHEET_TITLE_MAX = 31  # Excel's limit
# Excel refuses these in a sheet's name; a trailing separator is left over from a cut.
_REFUSED_IN_SHEET_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})
_DANGLING = " -–—,;.(«'’"
# Small words that would end a cut title in mid-phrase ("Passages par mois sur les").
_DANGLING_WORDS = {
    "à",
    "au",
    "aux",
    "de",
    "des",
    "du",
    "en",
    "et",
    "la",
    "le",
    "les",
    "par",
    "pour",
    "sur",
}


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


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    if " " not in head:
        return text[:limit]
    words = head.rsplit(" ", 1)[0].split(" ")
    while len(words) > 1 and words[-1].lower().rstrip(_DANGLING) in _DANGLING_WORDS | {""}:
        words.pop()
    return " ".join(words).rstrip(_DANGLING) or text[:limit]


def sheet_title(title: str, used: set[str] | None = None) -> str:
    """A sheet name Excel accepts and a person can read: the characters Excel refuses removed,
    spaces collapsed, at most 31 characters cut between two words, and, given the names already
    `used` in the workbook (lower-cased; the new one is added), unique with a " (2)" suffix."""
    text = " ".join(str(title).translate(_REFUSED_IN_SHEET_TITLES).split()).strip("'")
    text = _shorten(text, SHEET_TITLE_MAX) or "Feuille"
    if used is None:
        return text
    candidate, n = text, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = _shorten(text, SHEET_TITLE_MAX - len(suffix)) + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


@dataclass
class Sheet:
    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence]
    preamble: list[Sequence] = field(default_factory=list)  # lines above the header (filters…)


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
    "sheet_title",
    "table_response",
    "write_xlsx",
    "xlsx_response",
]
