"""The bounds of every spreadsheet reading: the limits (settings and Excel's own), the French
messages that name them, and the upload opened within its size."""

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from openpyxl.utils.cell import get_column_letter

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
# The tags ("<", opening and closing) a sheet row (or a shared string) may hold: the parser keeps
# the elements of the open row until it ends. A row of 200 cells of text holds about 1,200.
ROW_ELEMENTS_MAX = 100_000
# csv builds a whole record before we can count its cells: a record holding more than this many
# separators times IMPORT_MAX_COLUMNS (quoted or not) is refused before it becomes a list.
CSV_SEPARATORS_PER_COLUMN = 10


class SpreadsheetError(Exception):
    """The file cannot be read within the limits, or at all; the message is for the person who
    sent it (French, naming the limit and its setting)."""


# The setting of each limit, named in the messages; an import may take others (`from_settings`).
SETTINGS = {
    "upload_bytes": "IMPORT_MAX_UPLOAD_BYTES",
    "uncompressed_bytes": "IMPORT_MAX_UNCOMPRESSED_BYTES",
    "rows": "IMPORT_MAX_ROWS",
    "columns": "IMPORT_MAX_COLUMNS",
    "empty_rows": "IMPORT_MAX_EMPTY_ROWS",
}


@dataclass(frozen=True)
class Limits:
    upload_bytes: int
    uncompressed_bytes: int
    rows: int
    columns: int
    empty_rows: int
    settings: dict = field(default_factory=lambda: dict(SETTINGS), compare=False)

    @classmethod
    def from_settings(cls, **names: str) -> "Limits":
        """The limits of the settings; `names` replaces some of them for one kind of import,
        e.g. rows="COOP_IMPORT_MAX_ROWS" (its messages then name that setting)."""
        chosen = {**SETTINGS, **names}
        return cls(
            **{limit: getattr(settings, name) for limit, name in chosen.items()}, settings=chosen
        )

    def setting(self, limit: str) -> str:
        return self.settings.get(limit, SETTINGS[limit])


def number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


UNREADABLE_XLSX = (
    "Le fichier est illisible : ce n’est pas un classeur Excel (.xlsx) valide, ou il est "
    "endommagé. Enregistrez-le de nouveau depuis votre tableur, puis déposez-le."
)
OLD_EXCEL = (
    "Ce fichier est au format Excel 97-2003 (.xls) ou protégé par un mot de passe : "
    "enregistrez-le au format Excel (.xlsx) ou CSV, sans mot de passe, puis déposez-le."
)


def damaged(where: str = "") -> SpreadsheetError:
    return SpreadsheetError(
        f"Le fichier est endommagé et ne peut pas être lu jusqu’au bout{where}. "
        "Enregistrez-le de nouveau depuis votre tableur, puis déposez-le."
    )


def too_many_rows(line: int, limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        f"Le fichier contient des données à la ligne {number(line)} : la limite est de "
        f"{number(limits.rows)} lignes ({limits.setting('rows')}). Découpez-le en plusieurs "
        "fichiers."
    )


def too_many_columns(line: int, column: int | None, limits: Limits) -> SpreadsheetError:
    where = (
        f"a une cellule remplie en colonne {get_column_letter(column)} (la {number(column)}e)"
        if column
        else f"compte plus de {number(limits.columns)} cellules"
    )
    return SpreadsheetError(
        f"La ligne {number(line)} {where} : la limite est de {number(limits.columns)} "
        f"colonnes ({limits.setting('columns')}). Supprimez les colonnes inutiles, puis déposez "
        "le fichier."
    )


def too_many_empty_rows(last: int, line: int, limits: Limits) -> SpreadsheetError:
    after = f"après la ligne {number(last)}" if last else "au début du fichier"
    return SpreadsheetError(
        f"Le fichier contient {number(line - last - 1)} lignes vides à la suite {after}, puis "
        f"des données à la ligne {number(line)} : la limite est de {number(limits.empty_rows)} "
        f"lignes vides à la suite ({limits.setting('empty_rows')}). Supprimez ces lignes vides, "
        "puis déposez le fichier."
    )


def cell_too_long(line: int | None = None) -> SpreadsheetError:
    where = f"de la ligne {number(line)}" if line else "du classeur"
    return SpreadsheetError(
        f"Une cellule {where} dépasse {number(CELL_TEXT_MAX)} caractères, la limite d’Excel : "
        "le fichier est sans doute endommagé."
    )


class Source:
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
                f"{filesizeformat(limits.upload_bytes)} ({limits.setting('upload_bytes')})."
            )
        self.head = source.read(8)
        source.seek(0)

    def close(self):
        if self._owned is not None:
            self._owned.close()
