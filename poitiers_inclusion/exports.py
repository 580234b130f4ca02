"""One streaming export helper shared by every app: CSV and xlsx, never a formula from user text.

Rows are produced by an iterator and written as they come (openpyxl write-only mode), so a
million rows never sit in memory. Each app declares its own columns and rows.

Two CSV dialects. The French one (`format=csv`, the default) opens right with a double click in
French Excel: `;` between columns, a decimal comma, dates as JJ/MM/AAAA, a UTF-8 BOM. The one
for programs (`format=csv-intl`, or every CSV when CSV_DIALECT=intl): `,`, a decimal point,
ISO dates, no BOM. In xlsx, numbers are numbers, dates are dates, booleans are Oui/Non, and a
share (`Percent`) is a number shown as a percentage.
"""

import csv
import datetime
import decimal
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
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


EXPORT_FORMATS = ("csv", "csv-intl", "xlsx")


class Percent(str):
    """A share as a person reads it ("12,5 %"), carrying its number (12.5) for spreadsheets:
    pages and JSON see the text, xlsx gets a number formatted as a percentage."""

    number: float

    def __new__(cls, number: float):
        text = f"{number:.1f}".replace(".", ",") + "\u00a0%"
        self = super().__new__(cls, text)
        self.number = number
        return self

    def __getnewargs__(self):
        # Stored dashboards are pickled: rebuild from the number, not from the text.
        return (self.number,)


def safe_text(value):
    """Neutralise text that a spreadsheet would run as a formula (prefix it with a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell_value(value):
    if value is None:
        return ""
    if isinstance(value, Percent):
        return value.number / 100
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


# The most rows a worksheet holds (Excel's limit; a file with more is refused or cut when opened).
XLSX_MAX_ROWS = 1_048_576


@dataclass
class Sheet:
    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence]
    preamble: list[Sequence] = field(default_factory=list)  # lines above the header (filters…)
    # Rows of ready cells (text already through safe_text or safe_text_sql, numbers, dates,
    # None for empty), written as they come: a million rows of a query's cells, no work per
    # cell beyond openpyxl's. `number_formats` gives a column (by index) its display format.
    plain: bool = False
    number_formats: dict[int, str] = field(default_factory=dict)

    def room(self) -> int:
        """How many rows fit under the preamble, its blank line and the header."""
        return XLSX_MAX_ROWS - len(self.preamble) - (1 if self.preamble else 0) - 1


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
        if sheet.plain:
            _append_plain(ws, sheet)
        else:
            for row in sheet.rows:
                ws.append([_xlsx_cell(ws, v) for v in row])
    workbook.save(stream)


def _append_plain(ws, sheet: Sheet) -> None:
    formats = list(sheet.number_formats.items())
    for row in sheet.rows:
        if formats:
            row = list(row)
            for index, number_format in formats:
                if row[index] is not None:
                    cell = WriteOnlyCell(ws, value=row[index])
                    cell.number_format = number_format
                    row[index] = cell
        ws.append(row)


def _xlsx_cell(ws, value):
    if isinstance(value, Percent):
        cell = WriteOnlyCell(ws, value=value.number / 100)
        cell.number_format = "0.0 %"
        return cell
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(ws, value=_cell_value(value))
        cell.number_format = "DD/MM/YYYY HH:MM"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    return _cell_value(value)


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


def french_text(value) -> str:
    """A CSV cell for French Excel: 1234,5 / 25/12/2026 / 25/12/2026 14:30 / Oui."""
    if isinstance(value, Percent):
        return f"{value.number:.1f}".replace(".", ",") + " %"
    value = _cell_value(value)
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


def _intl_text(value):
    if isinstance(value, Percent):
        return value.number
    value = _cell_value(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value


def _french_default() -> bool:
    return getattr(settings, "CSV_DIALECT", "fr") != "intl"


def csv_lines(
    columns: Sequence[str], rows: Iterable[Sequence], preamble=(), *, french: bool | None = None
) -> Iterator[str]:
    french = _french_default() if french is None else french
    writer = csv.writer(_Echo(), delimiter=";" if french else ",")
    cell = french_text if french else _intl_text
    if french:
        yield "\ufeff"  # BOM: French Excel reads the file as UTF-8
    for line in preamble:
        yield writer.writerow([cell(v) for v in line])
    yield writer.writerow([safe_text(c) for c in columns])
    for row in rows:
        yield writer.writerow([cell(v) for v in row])


def csv_response(
    filename: str, columns, rows, preamble=(), *, french: bool | None = None
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(columns, rows, preamble, french=french), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(fmt: str, filename: str, title: str, columns, rows, preamble=()):
    """One table as a download: `fmt` "xlsx" gives a workbook of one sheet, "csv-intl" the CSV
    for programs, anything else the CSV for French Excel. `filename` has no extension."""
    if fmt == "xlsx":
        sheet = Sheet(title=title, columns=columns, rows=rows, preamble=list(preamble))
        return xlsx_response(f"{filename}.xlsx", [sheet])
    french = False if fmt == "csv-intl" else None
    return csv_response(f"{filename}.csv", columns, rows, preamble, french=french)


def safe_text_sql(expression: str) -> str:
    """SQL giving the text `expression` as safe_text does, and empty text as NULL: for cells that
    the database writes itself (COPY) or that openpyxl receives as they are (Sheet.plain)."""
    prefixes = ", ".join(f"chr({ord(p)})" for p in FORMULA_PREFIXES)
    return (
        f"CASE WHEN left({expression}, 1) IN ({prefixes}) THEN chr(39) || {expression} "
        f"ELSE nullif({expression}, '') END"
    )


def date_sql(expression: str, fmt: str) -> str:
    """A date column in SQL: a date for xlsx, JJ/MM/AAAA for the French CSV, ISO for programs."""
    if fmt == "xlsx":
        return expression
    pattern = "YYYY-MM-DD" if fmt == "csv-intl" or not _french_default() else "DD/MM/YYYY"
    return f"to_char({expression}, '{pattern}')"


def copy_csv_response(
    filename: str, columns, sql: str, params=(), preamble=(), *, french: bool | None = None
) -> FileResponse:
    """A CSV whose rows PostgreSQL writes itself (COPY … TO STDOUT WITH CSV), spooled to a
    temporary file like an xlsx: the query gives each cell as the CSV shows it (date_sql,
    safe_text_sql, NULL for empty). The lines above the rows end like COPY's, with "\n"."""
    french = _french_default() if french is None else french
    delimiter = ";" if french else ","
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\n")
    cell = french_text if french else _intl_text
    lines = ["\ufeff"] if french else []
    lines += [writer.writerow([cell(v) for v in line]) for line in preamble]
    lines.append(writer.writerow([safe_text(c) for c in columns]))
    spool = tempfile.TemporaryFile()
    spool.write("".join(lines).encode())
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        copy = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')"
        cursor.copy_expert(copy, spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type="text/csv; charset=utf-8"
    )


def csv_text(columns, rows, preamble=(), *, french: bool | None = None) -> str:
    return "".join(csv_lines(columns, rows, preamble, french=french)).lstrip("\ufeff")


__all__ = [
    "EXPORT_FORMATS",
    "Percent",
    "copy_csv_response",
    "date_sql",
    "safe_text_sql",
    "Sheet",
    "french_text",
    "csv_response",
    "csv_text",
    "safe_text",
    "sheet_title",
    "table_response",
    "write_xlsx",
    "xlsx_response",
]
