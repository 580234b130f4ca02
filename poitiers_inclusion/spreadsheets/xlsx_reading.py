"""Reading an xlsx upload within the bounds: the zip's directory checked before any parsing,
the XML screened and streamed, one row in memory at a time.

The small parts (relationships, workbook, styles) go through ElementTree event by event. The big
ones (the sheet, the shared strings) go through libxml2 (lxml), which hands over one whole row (or
string) at a time: Python then looks at its few cells instead of a dozen parser events per cell,
four times faster. The raw bytes are screened the same way, and the elements of the open row are
counted as they arrive (ROW_ELEMENTS_MAX), so a row can no more hold the memory than a sheet.
"""

import posixpath
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError, XMLPullParser

from django.template.defaultfilters import filesizeformat
from lxml import etree
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from .bounds import (
    CELL_TEXT_MAX,
    OLD_EXCEL,
    OLE_MAGIC,
    ROW_ELEMENTS_MAX,
    SHEETS_MAX,
    STYLES_MAX,
    UNREADABLE_XLSX,
    XML_CHUNK,
    XML_DEPTH_MAX,
    XML_STRETCH_MAX,
    Limits,
    Source,
    SpreadsheetError,
    cell_too_long,
    damaged,
    number,
    too_many_columns,
    too_many_empty_rows,
    too_many_rows,
)


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
            raise damaged()
        self._tail = chunk[-16:]
        first = chunk.find(b">")
        if first < 0:
            self._since_last_gt += len(chunk)
        else:
            if self._since_last_gt + first > XML_STRETCH_MAX:
                raise damaged()
            self._since_last_gt = len(chunk) - chunk.rfind(b">") - 1
        if self._since_last_gt > XML_STRETCH_MAX:
            raise damaged()


class _ScreenedPart:
    """A part's bytes as libxml2 reads them: screened (_RawXmlScreen), and the elements opened
    since the last row (or shared string) ended counted, the count reset by the reader."""

    def __init__(self, stream):
        self._stream = stream
        self._screen = _RawXmlScreen()
        self.elements = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(XML_CHUNK if size < 0 else min(size, XML_CHUNK))
        self._screen.check(chunk)
        self.elements += chunk.count(b"<")
        if self.elements > ROW_ELEMENTS_MAX:
            raise damaged()
        return chunk


def _rich_text(element, line: int | None = None) -> str:
    """The text of a shared string (<si>) or an inline one (<is>): its <t>, or the <t> of its
    runs (<r>), without the phonetic reading (<rPh>) Japanese files add."""
    if len(element) == 1 and element[0].tag.endswith("t"):  # the usual <t> alone
        text = element[0].text or ""
        if len(text) >= CELL_TEXT_MAX:
            raise cell_too_long(line)
        return text
    parts, length = [], 0
    for child in element:
        tag = child.tag.rpartition("}")[2]
        if tag == "t":
            texts = (child,)
        elif tag == "r":
            texts = [t for t in child if t.tag.rpartition("}")[2] == "t"]
        else:
            continue
        for t in texts:
            parts.append(t.text or "")
            length += len(parts[-1]) + 1  # + 1: a run without text still costs memory
            if length > CELL_TEXT_MAX:
                raise cell_too_long(line)
    return parts[0] if len(parts) == 1 else "".join(parts)


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


# Column numbers by letters, for the first columns (those of every file).
_COLUMNS: dict[str, int] = {}


def _cast_number(text: str):
    return float(text) if "." in text or "e" in text or "E" in text else int(text)


class Workbook:
    """An xlsx read part by part; see `open_workbook`."""

    def __init__(self, opened: Source, limits: Limits):
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
                f"({self._limits.setting('uncompressed_bytes')}). Supprimez les feuilles, images "
                "ou lignes inutiles, ou découpez le fichier."
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
            raise damaged() from exc

    @staticmethod
    def _drain(parser, path):
        for event, element in parser.read_events():
            if event == "start":
                path.append(element)
                if len(path) > XML_DEPTH_MAX:
                    raise damaged()
                yield event, element
            else:
                path.pop()
                yield event, element
                if path:
                    path[-1].remove(element)

    def _whole(self, name: str, tags: tuple[str, ...]) -> Iterator:
        """Each element of `tags` (local names) of a big part, whole, once it has ended; it is
        emptied and dropped from the tree when the caller asks for the next one."""
        try:
            with self._zip.open(name) as stream:
                part = _ScreenedPart(stream)
                events = etree.iterparse(
                    part,
                    events=("end",),
                    tag=[f"{{*}}{tag}" for tag in tags],
                    resolve_entities=False,
                    load_dtd=False,
                    no_network=True,
                    huge_tree=False,
                    remove_comments=True,
                    remove_pis=True,
                )
                for _, element in events:
                    yield element
                    part.elements = 0
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    if parent is not None:
                        while element.getprevious() is not None:
                            del parent[0]
        except (etree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise damaged() from exc

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
                raise SpreadsheetError(f"Le classeur compte plus de {number(SHEETS_MAX)} feuilles.")
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
        for si in self._whole(self._strings_part, ("si",)):
            # What openpyxl does with the escaped underscore Excel writes.
            strings.append(_rich_text(si).replace("x005F_", ""))
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
            raise damaged() from exc
        limits = self._limits
        row_number = last = 0
        try:
            for row in self._whole(self._sheets[name], ("row", "sheetData")):
                if row.tag.endswith("sheetData"):
                    break  # nothing after the sheet's data is read
                reference = row.get("r")
                row_number = int(float(reference)) if reference else row_number + 1
                cells = self._cells(row, row_number)
                if not cells:
                    continue
                if row_number > limits.rows:
                    raise too_many_rows(row_number, limits)
                if row_number - last - 1 > limits.empty_rows:
                    raise too_many_empty_rows(last, row_number, limits)
                last = row_number
                yield row_number, [cells.get(i) for i in range(1, max(cells) + 1)]
        except (ValueError, IndexError, OverflowError) as exc:
            raise damaged(f" (ligne {number(row_number)})") from exc

    def _cells(self, row, row_number: int) -> dict:
        """{column: value} of the row's filled cells."""
        cells = {}
        column = 0
        columns_max = self._limits.columns
        for cell in row:
            if cell.tag.rpartition("}")[2] != "c":
                continue
            column = self._column(cell.get("r"), column)
            kind = cell.get("t", "n")
            text = None
            for child in cell:
                tag = child.tag.rpartition("}")[2]
                if kind == "inlineStr" and tag == "is":
                    text = _rich_text(child, row_number)
                elif tag == "v" and kind != "inlineStr":
                    text = child.text
            if kind == "inlineStr":
                value = text or ""
            else:
                style = cell.get("s")
                value = self._value(kind, int(style) if style else 0, text)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if column > columns_max:
                raise too_many_columns(row_number, column, self._limits)
            cells[column] = value
        return cells

    @staticmethod
    def _column(reference: str | None, previous: int) -> int:
        if not reference:
            return previous + 1
        letters = reference.rstrip("0123456789")
        column = _COLUMNS.get(letters)
        if column is None:
            if not letters or len(letters) > 3:
                raise ValueError(reference)
            column = column_index_from_string(letters)
            if len(_COLUMNS) < 1000:
                _COLUMNS[letters] = column
        return column

    def _value(self, kind: str, style: int, text: str | None):
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
