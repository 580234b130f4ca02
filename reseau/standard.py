"""The national places standard (lieux de médiation numérique, v1.0.2): export and import.

One row per active Lieu, the schema's columns in the schema's order, multi-valued fields joined
with `|`, UTF-8 without BOM, comma-separated. The values are published as they are: these are
data files for programs (validated by frictionless), not spreadsheets for people, so the formula
guard of the people's exports (poitiers_inclusion.exports) does not apply. Import reads the same
format back, checks every row, and reports each bad one with its line number and the reason in
French; it places each new lieu in its quartier when that can be told (see geo.py).
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from poitiers_inclusion import phones
from poitiers_inclusion.audit import audited_save
from poitiers_inclusion.spreadsheets import read_csv

from . import geo
from .enums import (
    Dispositif,
    FormationLabel,
    Frais,
    Itinerance,
    ModaliteAcces,
    ModaliteAccompagnement,
    PriseEnCharge,
    Public,
    Service,
    Typologie,
)
from .models import Lieu, Quartier, Structure
from .models.referentiel import TYPOLOGIE_CODE_PATTERN, telephone_validator

VERSION = "v1.0.2"
SEPARATOR = "|"

# The schema's columns, in its order (a test compares this list with schema.json).
FIELDS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]
REQUIRED = ["id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"]

# Multi-valued columns restricted to a list of values, and the list. `typologie` is not one: the
# schema names data·inclusion's vocabulary but puts no constraint on the column, so a code we do
# not know is imported with a warning (TYPOLOGIE_CODE only keeps out what cannot be a code).
CHOICE_LISTS = {
    "itinerance": Itinerance,
    "services": Service,
    "publics_specifiquement_adresses": Public,
    "prise_en_charge_specifique": PriseEnCharge,
    "frais_a_charge": Frais,
    "dispositif_programmes_nationaux": Dispositif,
    "formations_labels": FormationLabel,
    "modalites_acces": ModaliteAcces,
    "modalites_accompagnement": ModaliteAccompagnement,
}
FREE_LISTS = ["courriels", "site_web", "autres_formations_labels"]
TYPOLOGIE_CODE = re.compile(TYPOLOGIE_CODE_PATTERN)
# The standard's pattern for `telephone` (E.164 of France, its overseas territories and the
# Pacific collectivities), which the lieu's model validates too.
TELEPHONE_PATTERN = telephone_validator.regex
PATTERNS = {
    "pivot": (r"^[a-zA-Z0-9]{9,14}$", "un SIRET (14 chiffres), un SIREN ou un RNA est attendu"),
    "code_postal": (r"^\d{5}$", "le code postal compte 5 chiffres"),
    "code_insee": (r"^([013-9]\d|2[AB1-9])\d{3}$", "le code INSEE compte 5 caractères"),
}


# --- Export -------------------------------------------------------------------------------


def lieux_for_export():
    return Lieu.objects.published().order_by("nom", "pk")


def row(lieu: Lieu) -> dict:
    """One Lieu as the standard's row: strings, numbers for the coordinates, an ISO date."""
    special = {
        "id": lieu.identifiant,
        "latitude": lieu.latitude,
        "longitude": lieu.longitude,
        "date_maj": lieu.date_maj.isoformat(),
        # An old value the phone migration could not read would make the file invalid.
        "telephone": lieu.telephone if TELEPHONE_PATTERN.match(lieu.telephone) else "",
    }
    values = {}
    for name in FIELDS:
        if name in special:
            values[name] = special[name]
            continue
        value = getattr(lieu, name)
        if isinstance(value, list):
            value = SEPARATOR.join(str(v) for v in value)
        values[name] = value or ""
    return values


def _csv_cell(value):
    """The value unaltered (no spreadsheet formula guard: see the module's docstring)."""
    return "" if value is None else value


def write_csv(stream, lieux=None) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(FIELDS)
    count = 0
    for lieu in lieux if lieux is not None else lieux_for_export():
        data = row(lieu)
        writer.writerow([_csv_cell(data[name]) for name in FIELDS])
        count += 1
    return count


def csv_text(lieux=None) -> str:
    buffer = io.StringIO()
    write_csv(buffer, lieux)
    return buffer.getvalue()


# --- Import -------------------------------------------------------------------------------


@dataclass
class Problem:
    line: int
    reason: str

    def __str__(self):
        return f"ligne {self.line} : {self.reason}"


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Imported anyway, but worth a look (e.g. a typology code outside data·inclusion's list).
    warnings: list[Problem] = field(default_factory=list)
    # (line, lieu) of the imported lieux left without a quartier: absent from the coverage.
    without_quartier: list = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(SEPARATOR) if part.strip()]


def _check(data: dict) -> tuple[dict, list[str], list[str]]:
    """Clean one row: returns the model's values, the reasons it is bad, and the warnings."""
    errors, warnings = [], []
    for name in REQUIRED:
        if not data.get(name):
            errors.append(f"le champ « {name} » est obligatoire")
    for name, (pattern, message) in PATTERNS.items():
        if data.get(name) and not re.match(pattern, data[name]):
            errors.append(f"{name} « {data[name]} » : {message}")
    values = {"telephone": _telephone(data.get("telephone", ""), errors, warnings)}
    for name in ("latitude", "longitude"):
        raw = data.get(name, "")
        if not raw:
            values[name] = None
            continue
        try:
            values[name] = float(raw)
        except ValueError:
            errors.append(f"{name} « {raw} » n'est pas un nombre")
            continue
        bound = 90 if name == "latitude" else 180
        if not -bound <= values[name] <= bound:
            errors.append(f"{name} « {raw} » est hors des bornes (±{bound})")
    if data.get("date_maj"):
        try:
            values["date_maj"] = datetime.date.fromisoformat(data["date_maj"])
        except ValueError:
            errors.append(f"date_maj « {data['date_maj']} » n'est pas une date AAAA-MM-JJ")
    for name, choices in CHOICE_LISTS.items():
        items = _split(data.get(name, ""))
        unknown = [item for item in items if item not in choices.values]
        if unknown:
            errors.append(f"{name} : valeur inconnue du standard « {', '.join(unknown)} »")
        values[name] = items
    values["typologie"] = _split(data.get("typologie", ""))
    malformed = [code for code in values["typologie"] if not TYPOLOGIE_CODE.match(code)]
    if malformed:
        errors.append(
            f"typologie « {', '.join(malformed)} » : un code de typologie compte au plus 20 "
            "lettres, chiffres ou « _ » (ex. CCAS, TIERS_LIEUX)"
        )
    unknown = [
        code
        for code in values["typologie"]
        if code not in Typologie.values and code not in malformed
    ]
    if unknown:
        warnings.append(
            f"typologie : code inconnu de la liste data·inclusion « {', '.join(unknown)} », "
            "importé tel quel"
        )
    for name in FREE_LISTS:
        values[name] = _split(data.get(name, ""))
    for address in values["courriels"]:
        try:
            _email(address)
        except ValidationError:
            errors.append(f"courriels : « {address} » n'est pas une adresse e-mail")
    for name, urls in (
        ("site_web", values["site_web"]),
        ("fiche_acces_libre", _split(data.get("fiche_acces_libre", ""))),
        ("prise_rdv", _split(data.get("prise_rdv", ""))),
    ):
        for url in urls:
            try:
                _url(url)
            except ValidationError:
                errors.append(f"{name} : « {url} » n'est pas une adresse web")
    if len(data.get("presentation_resume", "")) > 280:
        errors.append("presentation_resume dépasse 280 caractères")
    for name in (
        "pivot",
        "nom",
        "commune",
        "code_postal",
        "code_insee",
        "adresse",
        "complement_adresse",
        "horaires",
        "presentation_resume",
        "presentation_detail",
        "source",
        "structure_parente",
        "fiche_acces_libre",
        "prise_rdv",
    ):
        values[name] = data.get(name, "")
    return values, errors, warnings


def _telephone(typed: str, errors: list, warnings: list) -> str:
    """The standard asks for +33549000000; a number written another way (05 49 00 00 00) is
    unambiguous, so it is imported in that form with a warning for whoever made the file."""
    if not typed:
        return ""
    number = phones.normalise(typed)
    if number is None:
        errors.append(f"telephone « {typed} » : {phones.INVALID[0].lower()}{phones.INVALID[1:]}")
    elif not TELEPHONE_PATTERN.match(number):
        errors.append(
            f"telephone « {typed} » : le standard n'accepte qu'un numéro de France ou d'outre-mer"
        )
    else:
        if number != typed:
            warnings.append(f"telephone « {typed} » : importé au format du standard, {number}")
        return number
    return typed


def _match(identifiant: str, values: dict) -> tuple[Lieu | None, str]:
    lieu = Lieu.objects.filter(identifiant=identifiant).first()
    if lieu:
        return lieu, "id"
    same_name = Lieu.objects.filter(
        nom__iexact=values["nom"], commune__iexact=values["commune"]
    ).order_by("pk")
    lieu = same_name.first()
    return (lieu, "nom et commune") if lieu else (None, "")


def _records(source):
    """(line, {column: cell}) of each record after the header, read by the kernel's bounded
    reader (which raises SpreadsheetError beyond the import limits); the header comes first."""
    rows = read_csv(source, delimiters=(",",))
    first = next(rows, None)
    if first is None:
        return
    header = [name.strip() for name in first[1]]
    yield first[0], header
    for line, cells in rows:
        if len(cells) != len(header):
            yield line, {"__error__": f"{len(cells)} cellules pour {len(header)} colonnes"}
        else:
            yield line, {name: cell.strip() for name, cell in zip(header, cells, strict=True)}


def import_csv(source, *, skip_invalid: bool = False, actor=None) -> ImportReport:
    """Check every row of the file (a path or a binary file); save nothing if one is bad, unless
    `skip_invalid` (then the good ones)."""
    report = ImportReport()
    rows = _records(source)
    first = next(rows, None)
    if first is None:
        report.problems.append(Problem(1, "le fichier est vide"))
        return report
    header = first[1]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in FIELDS]
    if missing or unknown:
        reasons = []
        if missing:
            reasons.append(f"colonnes obligatoires absentes : {', '.join(missing)}")
        if unknown:
            reasons.append(f"colonnes inconnues du standard : {', '.join(unknown)}")
        report.problems.append(Problem(1, " ; ".join(reasons)))
        return report

    good = []
    seen: dict[str, int] = {}
    for line, data in rows:
        if "__error__" in data:
            report.problems.append(Problem(line, data["__error__"]))
            continue
        values, errors, warnings = _check(data)
        identifiant = data.get("id", "")
        if identifiant in seen:
            errors.append(f"l'identifiant « {identifiant} » figure déjà ligne {seen[identifiant]}")
        seen.setdefault(identifiant, line)
        if errors:
            report.problems.append(Problem(line, " ; ".join(errors)))
        else:
            good.append((line, identifiant, values))
            report.warnings.extend(Problem(line, warning) for warning in warnings)

    if report.problems and not skip_invalid:
        report.warnings = []
        return report
    quartiers = list(Quartier.objects.all())
    with transaction.atomic():
        for line, identifiant, values in good:
            lieu, matched_by = _match(identifiant, values)
            created = lieu is None
            if created:
                lieu = Lieu(identifiant=identifiant)
                lieu.structure = Structure.objects.active().filter(pivot=values["pivot"]).first()
            for name, value in values.items():
                setattr(lieu, name, value)
            if lieu.quartier_id is None:
                lieu.quartier = geo.quartier_of(lieu, quartiers)
            try:
                lieu.full_clean(exclude=["structure", "quartier"])
            except ValidationError as error:
                reasons = [
                    f"{name} : {' '.join(messages)}"
                    for name, messages in error.message_dict.items()
                ]
                report.problems.append(Problem(line, " ; ".join(reasons)))
                continue
            audited_save(lieu, actor=actor)
            (report.created if created else report.updated).append((line, lieu, matched_by))
            if lieu.quartier_id is None:
                report.without_quartier.append((line, lieu))
        if report.problems and not skip_invalid:
            transaction.set_rollback(True)
            report.created, report.updated, report.without_quartier = [], [], []
            report.warnings = []
            return report
    report.applied = True
    return report
