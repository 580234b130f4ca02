"""Reading one cell of a Coop row: text, codes, dates, durations, labels mapped to our codes.

Each reader takes the raw value (from a spreadsheet cell, or a value of La Coop's API put in the
same place) and the row's list of errors, to which it adds a French reason when the value is bad.
"""

import datetime
import re
from collections import defaultdict

from poitiers_inclusion.text import fold, normalise
from reseau.models import Quartier

from ..enums import TypeActivite
from .columns import (
    ANONYMOUS_NAMES,
    AUTONOMIE_LABELS,
    AUTONOMIE_LEVELS,
    NIVEAU_LABELS,
    NIVEAU_LEVELS,
    YES_NO,
)


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u00a0", " ").split())


def as_lines(value) -> list[str]:
    """A multi-valued cell: one value per line."""
    if value is None:
        return []
    return [" ".join(part.split()) for part in str(value).splitlines() if part.strip()]


def as_code(value) -> str:
    """Postal and INSEE codes keep their leading zeros even when the cell is a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):05d}"
    return as_text(value)


def as_date(value, errors: list[str]):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = as_text(value)
    if not text:
        errors.append("date manquante")
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text.split(" ")[0], fmt).date()
        except ValueError:
            continue
    errors.append(f"date illisible « {text} » (attendu : JJ/MM/AAAA)")
    return None


def as_duration(value, errors: list[str]):
    text = as_text(value)
    if not text:
        errors.append("durée manquante")
        return None
    if isinstance(value, bool) or not re.fullmatch(r"\d+", text):
        errors.append(f"durée illisible « {text} » (nombre entier de minutes attendu)")
        return None
    minutes = int(text)
    if not 1 <= minutes <= 24 * 60:
        errors.append(f"durée hors limites « {text} » (de 1 à 1440 minutes)")
        return None
    return minutes


def as_choice(value, labels: dict, what: str, errors: list[str], default=""):
    text = as_text(value)
    if not text:
        return default
    code = labels.get(normalise(text))
    if code is None:
        errors.append(f"{what} inconnu(e) « {text} »")
        return default
    return code


def as_choices(value, labels: dict, what: str, errors: list[str]) -> list[str]:
    codes = []
    for part in as_lines(value):
        code = labels.get(normalise(part))
        if code is None:
            errors.append(f"{what} inconnu(e) « {part} »")
        elif code not in codes:
            codes.append(code)
    return codes


def as_recorded_at(value) -> datetime.datetime | None:
    """ "Enregistré le" (`03/02/2025 à 10:42`): only a hint to recognise our own export, so a
    value that cannot be read is ignored rather than reported."""
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = re.fullmatch(
        r"(\d{1,2})/(\d{1,2})/(\d{4})\s*(?:à)?\s*(\d{1,2})\s*[:h]\s*(\d{2})", as_text(value)
    )
    if not match:
        return None
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime.datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def as_yes_no(value, what: str, errors: list[str]) -> bool | None:
    text = as_text(value)
    if not text:
        return None
    if normalise(text) not in YES_NO:
        errors.append(f"« {what} » doit valoir Oui ou Non, pas « {text} »")
        return None
    return YES_NO[normalise(text)]


def quartier_index() -> dict[str, list[Quartier]]:
    """Quartiers by folded name and by code: the export writes the name, a code is accepted."""
    index = defaultdict(list)
    for quartier in Quartier.objects.order_by("pk"):
        index[fold(quartier.nom)].append(quartier)
        if fold(quartier.code) != fold(quartier.nom):
            index[fold(quartier.code)].append(quartier)
    return index


def as_quartier(value, index: dict, errors: list[str]) -> Quartier | None:
    text = as_text(value)
    if not text:
        return None
    found = index.get(fold(text), [])
    if len(found) == 1:
        return found[0]
    if found:
        errors.append(f"plusieurs quartiers s’appellent « {text} » : écrivez son code")
    else:
        errors.append(
            f"quartier de résidence inconnu « {text} » (ajoutez-le à la liste des quartiers ou "
            "videz la colonne « Quartier de résidence »)"
        )
    return None


def as_participant(value, errors: list[str]) -> tuple[int, int]:
    text = as_text(value)
    if not text or text == "1":
        return (1, 1)
    match = re.fullmatch(r"(\d+)\s*/\s*(\d+)", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        errors.append(f"participants illisible « {text} » (attendu : 1 ou i/n)")
        return (1, 1)
    return (int(match[1]), int(match[2]))


def as_level(value, type_activite: str, errors: list[str]) -> tuple[str, str]:
    """'x/3' means autonomy for individual help and the workshop's level for a collective one."""
    text = as_text(value)
    if not text:
        return "", ""
    collective = type_activite == TypeActivite.COLLECTIF
    levels = NIVEAU_LEVELS if collective else AUTONOMIE_LEVELS
    match = re.fullmatch(r"([123])\s*/\s*3", text)
    if match:
        code = levels[int(match[1]) - 1].value
    else:
        code = (NIVEAU_LABELS if collective else AUTONOMIE_LABELS).get(normalise(text))
        if code is None:
            errors.append(f"niveau d’autonomie illisible « {text} » (attendu : 1/3, 2/3 ou 3/3)")
            return "", ""
    return ("", code) if collective else (code, "")


def as_beneficiaire(value) -> str:
    name = as_text(value)
    return "" if fold(name) in ANONYMOUS_NAMES or not name else name
