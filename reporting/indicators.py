"""Import of external indicators (CAF, France Travail, CPAM…) by quartier and month.

A file has the columns `indicateur, code quartier, mois (AAAA-MM), valeur` (CSV with `;` or `,`,
or the first sheet of an xlsx, read by the kernel's bounded reader). Every bad row is reported with its line number and the reason;
nothing is written when a row is bad, unless the person asks to import the valid rows anyway.
Re-importing a file replaces the values it holds (one value per indicator, quartier and month).
"""

import datetime
import decimal
import re
from dataclasses import dataclass, field

from django.db import transaction

from poitiers_inclusion.audit import log_event
from poitiers_inclusion.text import fold
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
    text = re.sub(r"\(.*?\)", "", fold(text))  # "mois (AAAA-MM)" → "mois"
    return " ".join(text.replace("_", " ").split())


def parse(lines: list[tuple[int, list]]) -> ImportResult:
    """Check the rows read by `poitiers_inclusion.spreadsheets` ((line number, cells), header
    first); writes nothing."""
    result = ImportResult()
    if not lines:
        result.errors.append((1, "Le fichier est vide."))
        return result
    header_line, first = lines[0]
    header = [COLUMNS.get(_normalise_header(h)) for h in first]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        labels = {"code_quartier": "code quartier"}
        names = ", ".join(labels.get(m, m) for m in missing)
        result.errors.append((header_line, f"Colonne(s) manquante(s) dans l'en-tête : {names}."))
        return result
    position = {name: header.index(name) for name in REQUIRED}
    quartiers = dict(Quartier.objects.values_list("code", "pk"))
    seen: dict[tuple, int] = {}
    for number, line in lines[1:]:
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
        result.errors.append((header_line + 1, "Le fichier ne contient aucune ligne de données."))
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


def import_file(*, lines, file_name: str, actor, keep_valid_rows: bool = False) -> ImportResult:
    """Check the file's rows and, if they are clean (or the person asked for it), write them."""
    result = parse(lines)
    if not result.rows or (result.errors and not keep_valid_rows):
        return result
    with transaction.atomic():
        record = IndicatorImport.objects.create(
            file_name=file_name[:255],
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
