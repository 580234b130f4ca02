"""Reading an uploaded spreadsheet (xlsx or CSV) with work bounded by what the file really holds.

Every import reads its file here. A few kilobytes of xlsx can declare a sheet of 16,384 columns
by a million rows, or a gap down to row 1,048,576, or a part that inflates to gigabytes: openpyxl
trusts those declarations and once built rows that cost the server 20 GB. This reader never does:

- the upload's size is capped (IMPORT_MAX_UPLOAD_BYTES) and, for an xlsx, the size of its parts
  once unzipped (IMPORT_MAX_UNCOMPRESSED_BYTES), read from the zip's directory before any parsing
  (Python's zipfile never inflates a part past the size the directory declares);
- the XML is streamed and every element is dropped as soon as it is read, so memory holds one
  row, never the sheet; the declared dimension is ignored, empty cells and rows are never built;
- the raw XML is screened before the parser sees it: no document type (entity expansion), no
  tag or text longer than a megabyte, no nesting deeper than 64 levels (256 in a sheet, libxml2's
  own limit), no row of a sheet holding more than ROW_ELEMENTS_MAX elements;
- a row holding data beyond IMPORT_MAX_ROWS, a cell holding data beyond IMPORT_MAX_COLUMNS, or
  data after more than IMPORT_MAX_EMPTY_ROWS empty rows in a row stops the reading with a French
  message naming the limit. Empty rows at the end are fine: a CSV is not read past them (a
  search tells whether anything follows), an xlsx only parses their XML, bounded by its size.
- a CSV record is refused before csv turns it into a list when it holds too many separators.

Rows come as (line number, cells): the number is the sheet's row, or the CSV line where the
record starts, so that callers report errors where the person will look for them.
"""

from collections.abc import Iterator, Sequence

from .bounds import ZIP_MAGIC, Limits, Source, SpreadsheetError
from .csv_reading import csv_rows
from .xlsx_reading import Workbook

__all__ = ["Limits", "SpreadsheetError", "Workbook", "open_workbook", "read_csv", "read_rows"]


def read_rows(
    source, *, delimiters: Sequence[str] = (";", ","), limits: Limits | None = None
) -> Iterator[tuple[int, list]]:
    """(line number, cells) of each row holding data: of the first sheet of an xlsx, or of a CSV
    (told apart by their content, not their name)."""
    limits = limits or Limits.from_settings()
    opened = Source(source, limits)
    if opened.head.startswith(ZIP_MAGIC):
        with Workbook(opened, limits) as book:
            if not book.sheet_names:
                raise SpreadsheetError("Le classeur ne contient aucune feuille de calcul.")
            yield from book.rows(book.sheet_names[0])
    else:
        yield from csv_rows(opened, delimiters, limits)


def read_csv(
    source, *, delimiters: Sequence[str] = (";", ","), limits: Limits | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) of each CSV record holding data."""
    limits = limits or Limits.from_settings()
    yield from csv_rows(Source(source, limits), delimiters, limits)


def open_workbook(source, *, limits: Limits | None = None) -> "Workbook":
    """An xlsx whose sheets are read with `rows(name)`; use it as a context manager."""
    limits = limits or Limits.from_settings()
    return Workbook(Source(source, limits), limits)
