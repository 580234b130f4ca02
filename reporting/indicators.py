"""Import of external indicators (CAF, France Travail, CPAM…) by quartier and month.

A file has the columns `indicateur, code quartier, mois (AAAA-MM), valeur` (CSV with `;` or `,`,
or the first sheet of an xlsx). Every bad row is reported with its line number and the reason;
nothing is written when a row is bad, unless the person asks to import the valid rows anyway.
Re-importing a file replaces the values it holds (one value per indicator, quartier and month).
"""

import csv
import datetime
import decimal
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import load_workbook

from poitiers_inclusion.audit import log_event
from reseau.models import Quartier

from .models import ExternalIndicator, IndicatorImport

COLUMNS = {
    "indicateur": "indicateur",
    "code quartier": "code_quartier",
    "code_quartier": "code_quartier",
    "quartier": "code_quartier",
    "mois": "mois",
    "valeur": "valeur",
}
REQUIRED = ("indicateur", "code_quartier", "mois", "valeur")
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass
class ParsedRow:
    line: int
    indicateur: str
    quartier_id: int
    mois: datetime.date
    valeur: decimal.Decimal


@dataclass
class ImportResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    imported: IndicatorImport | None = None

    @property
    def saved(self) -> bool:
        return self.imported is not None


def _normalise_header(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"\(.*?\)", "", text)  # "mois (AAAA-MM)" → "mois"
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip().lower()


def read_lines(upload) -> list[list]:
    """All lines of the file as lists of cells, header included."""
    name = upload.name.lower()
    if name.endswith(".xlsx"):
        workbook = load_workbook(upload, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        lines = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return lines
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def parse(lines: list[list]) -> ImportResult:
    result = ImportResult()
    if not lines:
        result.errors.append((1, "Le fichier est vide."))
        return result
    header = [COLUMNS.get(_normalise_header(h)) for h in lines[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        labels = {"code_quartier": "code quartier"}
        names = ", ".join(labels.get(m, m) for m in missing)
        result.errors.append((1, f"Colonne(s) manquante(s) dans l'en-tête : {names}."))
        return result
    position = {name: header.index(name) for name in REQUIRED}
    quartiers = dict(Quartier.objects.values_list("code", "pk"))
    seen: dict[tuple, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if all(cell in (None, "") or str(cell).strip() == "" for cell in line):
            continue
        cells = {name: _cell(line, i) for name, i in position.items()}
        reasons = []
        indicateur = str(cells["indicateur"] or "").strip()
        if not indicateur:
            reasons.append("l'indicateur est vide")
        elif len(indicateur) > 120:
            reasons.append("le nom de l'indicateur dépasse 120 caractères")
        code = str(cells["code_quartier"] or "").strip()
        quartier_id = quartiers.get(code)
        if not code:
            reasons.append("le code quartier est vide")
        elif quartier_id is None:
            reasons.append(f"le code quartier « {code} » est inconnu")
        mois = _month(cells["mois"])
        if mois is None:
            reasons.append(f"le mois « {cells['mois'] or ''} » n'est pas au format AAAA-MM")
        valeur = _decimal(cells["valeur"])
        if valeur is None:
            reasons.append(f"la valeur « {cells['valeur'] or ''} » n'est pas un nombre")
        if not reasons:
            key = (indicateur, quartier_id, mois)
            if key in seen:
                reasons.append(f"même indicateur, quartier et mois qu'à la ligne {seen[key]}")
            seen[key] = number
        if reasons:
            text = "; ".join(reasons)
            result.errors.append((number, text[0].upper() + text[1:] + "."))
        else:
            result.rows.append(ParsedRow(number, indicateur, quartier_id, mois, valeur))
    if not result.rows and not result.errors:
        result.errors.append((2, "Le fichier ne contient aucune ligne de données."))
    return result


def _cell(line, index):
    value = line[index] if index < len(line) else None
    return value.strip() if isinstance(value, str) else value


def _month(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime | datetime.date):
        return datetime.date(value.year, value.month, 1)
    match = MONTH.match(str(value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1900:
        return None
    return datetime.date(year, month, 1)


def _decimal(value) -> decimal.Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | decimal.Decimal):
        number = decimal.Decimal(str(value))
    else:
        text = str(value or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        text = text.replace(",", ".")
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            return None
    if not number.is_finite() or abs(number) >= 10**12:
        return None
    return number.quantize(decimal.Decimal("0.01"))


def import_file(*, upload, actor, keep_valid_rows: bool = False) -> ImportResult:
    """Parse the file and, if it is clean (or the person asked for it), write its values."""
    try:
        lines = read_lines(upload)
    except Exception:  # a corrupt xlsx raises many kinds of errors; the person needs one message
        result = ImportResult()
        result.errors.append((1, "Le fichier n'a pas pu être lu : est-ce bien un CSV ou un xlsx ?"))
        return result
    result = parse(lines)
    if not result.rows or (result.errors and not keep_valid_rows):
        return result
    with transaction.atomic():
        record = IndicatorImport.objects.create(
            file_name=upload.name[:255],
            imported_by=actor,
            row_count=len(result.rows),
            skipped_count=len(result.errors),
        )
        for row in result.rows:
            ExternalIndicator.objects.update_or_create(
                indicateur=row.indicateur,
                quartier_id=row.quartier_id,
                mois=row.mois,
                defaults={"valeur": row.valeur, "source": record},
            )
        log_event(
            actor=actor,
            action="reporting.indicatorimport.created",
            target=record,
            changes={"rows": len(result.rows), "skipped": len(result.errors)},
        )
    result.imported = record
    return result
