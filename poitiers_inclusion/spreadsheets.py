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
  tag or text longer than a megabyte, no nesting deeper than 64 levels;
- a row holding data beyond IMPORT_MAX_ROWS, a cell holding data beyond IMPORT_MAX_COLUMNS, or
  data after more than IMPORT_MAX_EMPTY_ROWS empty rows in a row stops the reading with a French
  message naming the limit. Empty rows at the end are fine: a CSV is not read past them (a
  search tells whether anything follows), an xlsx only parses their XML, bounded by its size.
- a CSV record is refused before csv turns it into a list when it holds too many separators.

Rows come as (line number, cells): the number is the sheet's row, or the CSV line where the
record starts, so that callers report errors where the person will look for them.
"""

import csv
import io
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError, XMLPullParser

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

ZIP_MAGIC = b"PK\x03\x04"
# Excel 97-2003 files and password-protected xlsx are both OLE2 containers.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Excel's own limits (text of a cell, cell styles: styles past it are ignored) and a count of
# sheets no real file reaches; none of them needs a setting.
CELL_TEXT_MAX = 32_767
STYLES_MAX = 65_536
SHEETS_MAX = 1_000
# A worksheet nests seven levels deep (worksheet/sheetData/row/c/is/r/t).
XML_DEPTH_MAX = 64
XML_CHUNK = 64 * 1024
# The longest run of bytes without a ">": a cell of 32,767 characters, escaped, stays far below.
XML_STRETCH_MAX = 1024 * 1024
# csv builds a whole record before we can count its cells: a record holding more than this many
# separators times IMPORT_MAX_COLUMNS (quoted or not) is refused before it becomes a list.
CSV_SEPARATORS_PER_COLUMN = 10


class SpreadsheetError(Exception):
    """The file cannot be read within the limits, or at all; the message is for the person who
    sent it (French, naming the limit and its setting)."""


@dataclass(frozen=True)
class Limits:
    upload_bytes: int
    uncompressed_bytes: int
    rows: int
    columns: int
    empty_rows: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            upload_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
            uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            empty_rows=settings.IMPORT_MAX_EMPTY_ROWS,
        )


def _number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


UNREADABLE_XLSX = (
    "Le fichier est illisible : ce n’est pas un classeur Excel (.xlsx) valide, ou il est "
    "endommagé. Enregistrez-le de nouveau depuis votre tableur, puis déposez-le."
)
OLD_EXCEL = (
    "Ce fichier est au format Excel 97-2003 (.xls) ou protégé par un mot de passe : "
    "enregistrez-le au format Excel (.xlsx) ou CSV, sans mot de passe, puis déposez-le."
)


def _damaged(where: str = "") -> SpreadsheetError:
    return SpreadsheetError(
        f"Le fichier est endommagé et ne peut pas être lu jusqu’au bout{where}. "
        "Enregistrez-le de nouveau depuis votre tableur, puis déposez-le."
    )


def _too_many_rows(line: int, limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        f"Le fichier contient des données à la ligne {_number(line)} : la limite est de "
        f"{_number(limits.rows)} lignes (IMPORT_MAX_ROWS). Découpez-le en plusieurs fichiers."
    )


def _too_many_columns(line: int, column: int | None, limits: Limits) -> SpreadsheetError:
    where = (
        f"a une cellule remplie en colonne {get_column_letter(column)} (la {_number(column)}e)"
        if column
        else f"compte plus de {_number(limits.columns)} cellules"
    )
    return SpreadsheetError(
        f"La ligne {_number(line)} {where} : la limite est de {_number(limits.columns)} "
        "colonnes (IMPORT_MAX_COLUMNS). Supprimez les colonnes inutiles, puis déposez le fichier."
    )


def _too_many_empty_rows(last: int, line: int, limits: Limits) -> SpreadsheetError:
    after = f"après la ligne {_number(last)}" if last else "au début du fichier"
    return SpreadsheetError(
        f"Le fichier contient {_number(line - last - 1)} lignes vides à la suite {after}, puis "
        f"des données à la ligne {_number(line)} : la limite est de {_number(limits.empty_rows)} "
        "lignes vides à la suite (IMPORT_MAX_EMPTY_ROWS). Supprimez ces lignes vides, puis "
        "déposez le fichier."
    )


def _cell_too_long(line: int | None = None) -> SpreadsheetError:
    where = f"de la ligne {_number(line)}" if line else "du classeur"
    return SpreadsheetError(
        f"Une cellule {where} dépasse {_number(CELL_TEXT_MAX)} caractères, la limite d’Excel : "
        "le fichier est sans doute endommagé."
    )


# --- Opening the upload ----------------------------------------------------------------------


class _Source:
    """The upload as a seekable binary stream: a Django upload, a file object, a path or bytes."""

    def __init__(self, source, limits: Limits):
        self._owned = None
        if isinstance(source, bytes | bytearray):
            source = io.BytesIO(source)
        elif isinstance(source, str | Path):
            source = self._owned = open(source, "rb")  # noqa: SIM115 (closed by close())
        self.stream = source
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(0)
        if size > limits.upload_bytes:
            self.close()
            raise SpreadsheetError(
                f"Le fichier pèse {filesizeformat(size)} : la taille maximale est "
                f"{filesizeformat(limits.upload_bytes)} (IMPORT_MAX_UPLOAD_BYTES)."
            )
        self.head = source.read(8)
        source.seek(0)

    def close(self):
        if self._owned is not None:
            self._owned.close()


def read_rows(
    source, *, delimiters: Sequence[str] = (";", ","), limits: Limits | None = None
) -> Iterator[tuple[int, list]]:
    """(line number, cells) of each row holding data: of the first sheet of an xlsx, or of a CSV
    (told apart by their content, not their name)."""
    limits = limits or Limits.from_settings()
    opened = _Source(source, limits)
    if opened.head.startswith(ZIP_MAGIC):
        with Workbook(opened, limits) as book:
            if not book.sheet_names:
                raise SpreadsheetError("Le classeur ne contient aucune feuille de calcul.")
            yield from book.rows(book.sheet_names[0])
    else:
        yield from _csv_rows(opened, delimiters, limits)


def read_csv(
    source, *, delimiters: Sequence[str] = (";", ","), limits: Limits | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) of each CSV record holding data."""
    limits = limits or Limits.from_settings()
    yield from _csv_rows(_Source(source, limits), delimiters, limits)


def open_workbook(source, *, limits: Limits | None = None) -> "Workbook":
    """An xlsx whose sheets are read with `rows(name)`; use it as a context manager."""
    limits = limits or Limits.from_settings()
    return Workbook(_Source(source, limits), limits)


# --- CSV -------------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    # What spreadsheet programs write in France: UTF-8 (with or without BOM), else Windows-1252.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _delimiter(text: str, delimiters: Sequence[str]) -> str:
    """The candidate found most often on the first line holding something (the first on a tie)."""
    if len(delimiters) == 1:
        return delimiters[0]
    first = re.search(r"\S", text)
    if first is None:
        return delimiters[0]
    start = text.rfind("\n", 0, first.start()) + 1
    end = text.find("\n", first.start())
    line = text[start : end if end >= 0 else len(text)]
    return max(delimiters, key=line.count)


def _csv_rows(opened: _Source, delimiters, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    try:
        raw = opened.stream.read(limits.upload_bytes + 1)
    finally:
        opened.close()
    if raw.startswith(OLE_MAGIC):
        raise SpreadsheetError(OLD_EXCEL)
    text = _decode(raw)
    del raw
    delimiter = _delimiter(text, delimiters)
    something = re.compile(rf"[^\s{re.escape(delimiter)}]")
    separators_max = limits.columns * CSV_SEPARATORS_PER_COLUMN
    state = {"offset": 0, "separators": 0, "line": 0}

    def lines():
        for line in io.StringIO(text, newline=""):
            state["offset"] += len(line)
            state["line"] += 1
            state["separators"] += line.count(delimiter)
            if state["separators"] > separators_max:
                raise _too_many_columns(state["line"], None, limits)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    previous_end = last = empty_run = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            state["separators"] = 0
            if not any(cell.strip() for cell in cells):
                empty_run += 1
                if empty_run > limits.empty_rows:
                    # Stop reading; only a search (in C) tells whether data comes after.
                    found = something.search(text, state["offset"])
                    if found is None:
                        return
                    line = previous_end + 1 + text.count("\n", state["offset"], found.start())
                    raise _too_many_empty_rows(last, line, limits)
                continue
            empty_run = 0
            if start > limits.rows:
                raise _too_many_rows(start, limits)
            if len(cells) > limits.columns:
                raise _too_many_columns(start, None, limits)
            last = start
            yield start, cells
    except csv.Error as exc:
        raise SpreadsheetError(
            f"Le fichier CSV ne peut pas être lu à la ligne {_number(reader.line_num)} "
            "(guillemet non fermé ou cellule démesurée) : enregistrez-le de nouveau au format "
            "CSV depuis votre tableur."
        ) from exc


# --- xlsx ------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute(element, name: str):
    """An attribute by its local name, whatever its namespace (r:id, strict OOXML…)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


class _RawXmlScreen:
    """Refuses, from the raw bytes and before the XML parser sees them, what Office files never
    hold and what would make the parser itself blow up: a document type (entity expansion), and
    a tag or a text longer than a megabyte (a tag of millions of attributes took the parser 73 s
    and 1.2 GB for a 9 MB upload). Every stretch longer than a chunk spans two chunks, so
    looking at the first and last ">" of each chunk is enough."""

    def __init__(self):
        self._since_last_gt = 0
        self._tail = b""

    def check(self, chunk: bytes):
        if b"<!DOCTYPE" in self._tail + chunk[:16] or b"<!DOCTYPE" in chunk:
            raise _damaged()
        self._tail = chunk[-16:]
        first = chunk.find(b">")
        if first < 0:
            self._since_last_gt += len(chunk)
        else:
            if self._since_last_gt + first > XML_STRETCH_MAX:
                raise _damaged()
            self._since_last_gt = len(chunk) - chunk.rfind(b">") - 1
        if self._since_last_gt > XML_STRETCH_MAX:
            raise _damaged()


class _SharedStrings:
    """The workbook's shared strings packed as UTF-8 in one buffer: memory is about the part's
    own size, where a list of millions of small strings would take several times more."""

    def __init__(self):
        self._data = bytearray()
        self._ends = array("Q")

    def append(self, text: str):
        self._data += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._ends):
            raise IndexError(index)
        start = self._ends[index - 1] if index else 0
        return self._data[start : self._ends[index]].decode("utf-8", "surrogatepass")


def _cast_number(text: str):
    return float(text) if "." in text or "e" in text or "E" in text else int(text)


class Workbook:
    """An xlsx read part by part; see `open_workbook`."""

    def __init__(self, opened: _Source, limits: Limits):
        self._opened = opened
        self._limits = limits
        self._strings = None
        self._styles = None
        if opened.head.startswith(OLE_MAGIC):
            opened.close()
            raise SpreadsheetError(OLD_EXCEL)
        try:
            self._zip = zipfile.ZipFile(opened.stream)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as exc:
            opened.close()
            raise SpreadsheetError(UNREADABLE_XLSX) from exc
        try:
            self._check_size()
            self._read_structure()
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._zip.close()
        self._opened.close()

    def _check_size(self):
        expanded = sum(info.file_size for info in self._zip.infolist())
        if expanded > self._limits.uncompressed_bytes:
            raise SpreadsheetError(
                f"Une fois décompressé, le classeur occupe {filesizeformat(expanded)} : la limite "
                f"est de {filesizeformat(self._limits.uncompressed_bytes)} "
                "(IMPORT_MAX_UNCOMPRESSED_BYTES). Supprimez les feuilles, images ou lignes "
                "inutiles, ou découpez le fichier."
            )

    def _elements(self, name: str) -> Iterator[tuple[str, object]]:
        """("start" | "end", element) of one part; each element leaves the tree once it has
        ended, so memory holds the open path only, whatever the part's size."""
        parser = XMLPullParser(events=("start", "end"))
        path = []
        try:
            with self._zip.open(name) as stream:
                screen = _RawXmlScreen()
                while chunk := stream.read(XML_CHUNK):
                    screen.check(chunk)
                    parser.feed(chunk)
                    yield from self._drain(parser, path)
                parser.close()
                yield from self._drain(parser, path)
        except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
            raise _damaged() from exc

    @staticmethod
    def _drain(parser, path):
        for event, element in parser.read_events():
            if event == "start":
                path.append(element)
                if len(path) > XML_DEPTH_MAX:
                    raise _damaged()
                yield event, element
            else:
                path.pop()
                yield event, element
                if path:
                    path[-1].remove(element)

    def _ended(self, name: str):
        for event, element in self._elements(name):
            if event == "end":
                yield _local(element.tag), element

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """{id: (type, target part)} of a part's relationships ("" for the package's own)."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        found = {}
        if rels not in self._zip.NameToInfo:
            return found
        for tag, element in self._ended(rels):
            if tag != "Relationship" or element.get("TargetMode") == "External":
                continue
            target = element.get("Target") or ""
            target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[element.get("Id")] = (element.get("Type") or "", posixpath.normpath(target))
            if len(found) > SHEETS_MAX + 100:
                raise SpreadsheetError(
                    f"Le classeur compte plus de {_number(SHEETS_MAX)} feuilles."
                )
        return found

    def _read_structure(self):
        workbook = next(
            (t for kind, t in self._relationships("").values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        if workbook not in self._zip.NameToInfo:
            raise SpreadsheetError(UNREADABLE_XLSX)
        relations = self._relationships(workbook)
        by_type = {kind.rpartition("/")[2]: target for kind, target in relations.values()}
        self._strings_part = by_type.get("sharedStrings")
        self._styles_part = by_type.get("styles")
        self._sheets: dict[str, str] = {}
        self._epoch = WINDOWS_EPOCH
        for tag, element in self._ended(workbook):
            if tag == "workbookPr" and element.get("date1904") in ("1", "true"):
                self._epoch = MAC_EPOCH
            elif tag == "sheet":
                kind, target = relations.get(_attribute(element, "id"), ("", ""))
                if kind.endswith("/worksheet"):
                    self._sheets[element.get("name") or ""] = target
        self.sheet_names = list(self._sheets)

    def _shared_strings(self) -> _SharedStrings:
        strings = _SharedStrings()
        if not self._strings_part:
            return strings
        parts, length, phonetic = [], 0, False
        for event, element in self._elements(self._strings_part):
            tag = _local(element.tag)
            if event == "start":
                if tag == "si":
                    parts, length, phonetic = [], 0, False
                elif tag == "rPh":
                    phonetic = True
            elif tag == "t" and not phonetic:
                parts.append(element.text or "")
                length += len(parts[-1]) + 1  # + 1: a run without text still costs memory
                if length > CELL_TEXT_MAX:
                    raise _cell_too_long()
            elif tag == "rPh":
                phonetic = False
            elif tag == "si":
                # What openpyxl does with the escaped underscore Excel writes.
                strings.append("".join(parts).replace("x005F_", ""))
        return strings

    def _number_styles(self) -> bytearray:
        """For each cell style (by index): 1 when it shows a date, 2 a duration, else 0."""
        custom: dict[int, str] = {}
        flags = bytearray()
        if not self._styles_part:
            return flags
        in_cell_styles = False
        for event, element in self._elements(self._styles_part):
            tag = _local(element.tag)
            if tag == "cellXfs":
                in_cell_styles = event == "start"
            elif event == "start":
                continue
            elif tag == "numFmt" and len(custom) < STYLES_MAX:
                custom[int(element.get("numFmtId", 0))] = element.get("formatCode") or ""
            elif tag == "xf" and in_cell_styles and len(flags) < STYLES_MAX:
                number = int(element.get("numFmtId", 0))
                code = custom.get(number) or builtin_format_code(number)
                duration = bool(code) and is_timedelta_format(code)
                flags.append(2 if duration else 1 if code and is_date_format(code) else 0)
        return flags

    def rows(self, name: str) -> Iterator[tuple[int, list]]:
        """(row number, cells) of each row of the sheet holding data; cells run from column A
        to the last one filled, None where a cell is empty."""
        if name not in self._sheets:
            raise SpreadsheetError(f"Le classeur ne contient pas de feuille « {name} ».")
        try:
            if self._strings is None:
                self._strings = self._shared_strings()
            if self._styles is None:
                self._styles = self._number_styles()
        except ValueError as exc:
            raise _damaged() from exc
        limits = self._limits
        row_number = column = last = 0
        cells = None  # {column: value} of the open row, filled cells only
        cell = None  # [type, style, text of <v>, texts of an inline string, their length]
        inline = phonetic = False
        try:
            for event, element in self._elements(self._sheets[name]):
                tag = _local(element.tag)
                if event == "start":
                    if tag == "row":
                        number = element.get("r")
                        row_number = int(float(number)) if number else row_number + 1
                        column, cells = 0, {}
                    elif tag == "c":
                        column = self._column(element.get("r"), column)
                        style = element.get("s")
                        cell = [element.get("t", "n"), int(style) if style else 0, None, [], 0]
                    elif tag == "is":
                        inline = True
                    elif tag == "rPh":
                        phonetic = True
                    continue
                if cell is None:
                    if tag == "row" and cells:
                        if row_number > limits.rows:
                            raise _too_many_rows(row_number, limits)
                        if row_number - last - 1 > limits.empty_rows:
                            raise _too_many_empty_rows(last, row_number, limits)
                        last = row_number
                        yield row_number, [cells.get(i) for i in range(1, max(cells) + 1)]
                        cells = None
                elif tag == "v":
                    cell[2] = element.text
                elif tag == "t" and inline and not phonetic:
                    cell[3].append(element.text or "")
                    cell[4] += len(cell[3][-1]) + 1
                    if cell[4] > CELL_TEXT_MAX:
                        raise _cell_too_long(row_number)
                elif tag == "rPh":
                    phonetic = False
                elif tag == "is":
                    inline = False
                elif tag == "c":
                    value = self._value(*cell[:4])
                    cell = None
                    if value is None or (isinstance(value, str) and not value.strip()):
                        continue
                    if column > limits.columns:
                        raise _too_many_columns(row_number, column, limits)
                    if cells is not None:
                        cells[column] = value
        except (ValueError, IndexError, OverflowError) as exc:
            raise _damaged(f" (ligne {_number(row_number)})") from exc

    @staticmethod
    def _column(reference: str | None, previous: int) -> int:
        if not reference:
            return previous + 1
        letters = reference.rstrip("0123456789")
        if not letters or len(letters) > 3:
            raise ValueError(reference)
        return column_index_from_string(letters)

    def _value(self, kind: str, style: int, text: str | None, inline: list[str]):
        if kind == "inlineStr":
            return "".join(inline)
        if text is None or text == "":
            return None
        if len(text) > CELL_TEXT_MAX:
            raise ValueError("cell text")
        if kind == "n":
            number = _cast_number(text)
            flag = self._styles[style] if 0 <= style < len(self._styles) else 0
            if flag:
                try:
                    return from_excel(number, self._epoch, timedelta=flag == 2)
                except (OverflowError, ValueError):
                    return "#VALUE!"  # as openpyxl: a date outside the calendar
            return number
        if kind == "s":
            return self._strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text), "e" (an error such as #N/A)


__all__ = [
    "Limits",
    "SpreadsheetError",
    "Workbook",
    "open_workbook",
    "read_csv",
    "read_rows",
]
