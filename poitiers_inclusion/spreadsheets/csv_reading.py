"""Reading a CSV upload within the bounds: its encoding and separator guessed, each record
counted before csv builds it."""

import csv
import io
import re
from collections.abc import Iterator, Sequence

from .bounds import (
    CSV_SEPARATORS_PER_COLUMN,
    OLD_EXCEL,
    OLE_MAGIC,
    Limits,
    Source,
    SpreadsheetError,
    number,
    too_many_columns,
    too_many_empty_rows,
    too_many_rows,
)


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


def csv_rows(opened: Source, delimiters, limits: Limits) -> Iterator[tuple[int, list[str]]]:
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
                raise too_many_columns(state["line"], None, limits)
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
                    raise too_many_empty_rows(last, line, limits)
                continue
            empty_run = 0
            if start > limits.rows:
                raise too_many_rows(start, limits)
            if len(cells) > limits.columns:
                raise too_many_columns(start, None, limits)
            last = start
            yield start, cells
    except csv.Error as exc:
        raise SpreadsheetError(
            f"Le fichier CSV ne peut pas être lu à la ligne {number(reader.line_num)} "
            "(guillemet non fermé ou cellule démesurée) : enregistrez-le de nouveau au format "
            "CSV depuis votre tableur."
        ) from exc
