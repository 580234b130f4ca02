"""Files of La Coop de la médiation numérique: read its activities export, import it, write it back.

Layout (DESIGN §4): sheet `Activités`, a metadata block, an empty row, then a header row that
starts with "Date" and contains "ID CRA"; one row per accompagnement; the rows of one workshop share
their ID CRA and number their participants "i/n". Headers and labels are matched whatever the
apostrophe (’ or '), the case or the spacing; unknown columns are ignored.

After La Coop's columns, our export appends columns of its own (satisfaction, how the person heard
of the service, first visit, quartier of residence, a pseudonymous usager reference): La Coop ignores
them, our import reads them when present, so that exporting then importing gives the same figures.

Reading happens in two steps so that the page can show a preview: `read_workbook` parses and checks
every row (it reads the list of quartiers, writes nothing), `plan_import` compares it with the
database (what is already imported, which lieux, usagers and conseiller accounts exist),
`apply_import` writes the plan in one transaction.
"""

import datetime
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Count, F, Func, Value, Window
from django.db.models.functions import Concat, Lower, RowNumber
from django.utils import timezone

from poitiers_inclusion.enums import Genre, Role, StatutSocial, TrancheAge
from poitiers_inclusion.exports import Sheet
from poitiers_inclusion.models import AuditEvent, Usager, User
from reseau.models import Lieu, Quartier

from .enums import (
    Autonomie,
    Materiel,
    NiveauAtelier,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TypeActivite,
    TypeLieu,
)
from .models import Accompagnement, Mediation, Permanence
from .services import permanence_for

SHEET_NAME = "Activités"
ANONYMOUS_NAMES = {"beneficiaire anonyme", "anonyme"}
ANONYMOUS_LABEL = "Bénéficiaire anonyme"
DEFAULT_SOURCE = "La Coop de la médiation numérique (import)"
# Lieux created from a file have no known SIRET; the national standard requires one (9–14 chars).
UNKNOWN_PIVOT = "00000000000000"
CONSENT_SOURCE = "import_coop"
# "ID CRA" written for an activity logged in the app (it has no Coop ID): recognised on import.
GENERATED_ID_PREFIX = "poitiers-"
GENERATED_ID = re.compile(rf"^{re.escape(GENERATED_ID_PREFIX)}(\d{{1,18}})$")
USAGER_REF_PREFIX = "U-"


# --- Columns ---------------------------------------------------------------------------------

# key -> header as La Coop writes it (the export writes exactly these).
HEADERS = {
    "date": "Date",
    "enregistre_le": "Enregistré le",
    "modifie_le": "Dernière modification le",
    "prenom_mediateur": "Prénom du médiateur",
    "nom_mediateur": "Nom du médiateur",
    "role": "Rôle",
    "id_conum": "ID - Conum",
    "type": "Type",
    "participants": "Participants",
    "beneficiaire": "Bénéficiaire",
    "canal": "Canaux d’accompagnement",
    "lieu_nom": "Nom du lieu",
    "lieu_adresse": "Adresse",
    "lieu_commune": "Commune",
    "lieu_code_postal": "Code postal",
    "lieu_code_insee": "Code Insee",
    "duree": "Durée (min)",
    "atelier": "Nom de l’atelier",
    "materiel": "Matériel numérique utilisé",
    "thematiques": "Thématique(s) d’accompagnement",
    "tags": "Tags",
    "demarche": "Nom de la démarche administrative",
    "niveau": "Niveau d’autonomie (ou de l’atelier)",
    "reoriente": "Bénéficiaire réorienté",
    "structure_redirection": "Structure de redirection",
    "usager_commune": "Commune du bénéficiaire",
    "usager_code_postal": "Code postal du bénéficiaire",
    "usager_code_insee": "Code Insee du bénéficiaire",
    "genre": "Genre du bénéficiaire",
    "tranche_age": "Tranche d’âge du bénéficiaire",
    "statut": "Statut du bénéficiaire",
    "notes": "Notes supplémentaires",
    "source": "Source de la donnée",
    "coop_id": "ID CRA",
}
# The app's own columns, written after La Coop's (which ignores unknown columns).
EXTRA_HEADERS = {
    "satisfaction": "Satisfaction",
    "connu_par": "Connu par",
    "premiere_visite": "Première visite",
    "quartier": "Quartier de résidence",
    "usager_ref": "Réf. usager",
}
REQUIRED_COLUMNS = ("date", "type", "duree", "thematiques", "coop_id")
COORDINATOR_COLUMNS = ("prenom_mediateur", "nom_mediateur", "role", "id_conum")


def normalise(text) -> str:
    """Compare labels whatever the apostrophe, case and spacing."""
    text = str(text).replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
    return " ".join(text.split()).casefold()


def fold(text) -> str:
    """Compare place and commune names whatever the accents too."""
    decomposed = unicodedata.normalize("NFKD", normalise(text or ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


HEADER_KEYS = {normalise(label): key for key, label in {**HEADERS, **EXTRA_HEADERS}.items()}


def _labels(*choices, extra=None) -> dict[str, str]:
    """Label or code (normalised) -> code."""
    mapping = {}
    for enum in choices:
        for value, label in enum.choices:
            mapping[normalise(label)] = value
            mapping[normalise(value)] = value
    mapping.update({normalise(k): v for k, v in (extra or {}).items()})
    return mapping


TYPE_LABELS = _labels(TypeActivite, extra={"Individuel": "individuel", "Collectif": "collectif"})
CANAL_LABELS = _labels(TypeLieu)
MATERIEL_LABELS = _labels(Materiel)
THEMATIQUE_LABELS = _labels(Thematique)
DEMARCHE_LABELS = _labels(ThematiqueDemarche)
REDIRECTION_LABELS = _labels(StructureRedirection)
GENRE_LABELS = _labels(Genre)
TRANCHE_LABELS = _labels(TrancheAge)
STATUT_LABELS = _labels(StatutSocial)
SATISFACTION_LABELS = _labels(Satisfaction)
SOURCE_LABELS = _labels(SourceConnaissance)
AUTONOMIE_LEVELS = list(Autonomie)  # 1/3, 2/3, 3/3
NIVEAU_LEVELS = list(NiveauAtelier)
AUTONOMIE_LABELS = _labels(Autonomie)
NIVEAU_LABELS = _labels(NiveauAtelier)
YES_NO = {"oui": True, "non": False}


# --- Parsed data -----------------------------------------------------------------------------


class CoopFileError(Exception):
    """The file as a whole cannot be read (not xlsx, corrupt, no Activités sheet, no header)."""


@dataclass(frozen=True)
class LieuData:
    nom: str
    adresse: str
    commune: str
    code_postal: str
    code_insee: str

    @property
    def key(self):
        return (fold(self.nom), fold(self.commune))


@dataclass
class CoopRow:
    """One valid row: one accompagnement, and the activity it belongs to."""

    line: int
    coop_id: str
    date: datetime.date
    type_activite: str
    participant: tuple[int, int]
    beneficiaire: str  # "Prénom Nom", or "" for an anonymous usager
    type_lieu: str
    lieu: LieuData | None
    duree_minutes: int
    titre_atelier: str
    materiel: list[str]
    thematiques: list[str]
    thematiques_demarche: list[str]
    tags: list[str]
    nom_demarche: str
    autonomie: str
    niveau_atelier: str
    redirige: bool
    structure_redirection: str
    notes: str
    source: str
    commune: str
    code_postal: str
    code_insee: str
    genre: str
    tranche_age: str
    statut_social: str
    recorded_at: datetime.datetime | None = None  # "Enregistré le", local time, to the minute
    mediateur: str = ""  # "Prénom Nom" of the médiateur columns (a coordinator's export)
    # The app's own columns (absent from La Coop's files).
    satisfaction: str = ""
    source_connaissance: str = ""
    premiere_visite: bool | None = None
    quartier: Quartier | None = None
    usager_ref: str = ""


@dataclass
class RowError:
    line: int
    coop_id: str
    reasons: list[str]

    def __str__(self):
        return f"Ligne {self.line} : {' ; '.join(self.reasons)}"


@dataclass
class ParsedFile:
    rows: list[CoopRow]
    errors: list[RowError]
    header_line: int
    has_beneficiaire: bool
    has_coordinator_columns: bool
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def error_lines(self) -> set[int]:
        return {e.line for e in self.errors}


# --- Reading ---------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u00a0", " ").split())


def _lines(value) -> list[str]:
    """A multi-valued cell: one value per line."""
    if value is None:
        return []
    return [" ".join(part.split()) for part in str(value).splitlines() if part.strip()]


def _code(value) -> str:
    """Postal and INSEE codes keep their leading zeros even when the cell is a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):05d}"
    return _text(value)


def _date(value, errors: list[str]):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
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


def _duration(value, errors: list[str]):
    text = _text(value)
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


def _choice(value, labels: dict, what: str, errors: list[str], default=""):
    text = _text(value)
    if not text:
        return default
    code = labels.get(normalise(text))
    if code is None:
        errors.append(f"{what} inconnu(e) « {text} »")
        return default
    return code


def _choices(value, labels: dict, what: str, errors: list[str]) -> list[str]:
    codes = []
    for part in _lines(value):
        code = labels.get(normalise(part))
        if code is None:
            errors.append(f"{what} inconnu(e) « {part} »")
        elif code not in codes:
            codes.append(code)
    return codes


def _recorded_at(value) -> datetime.datetime | None:
    """ "Enregistré le" (`03/02/2025 à 10:42`): only a hint to recognise our own export, so a
    value that cannot be read is ignored rather than reported."""
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = re.fullmatch(
        r"(\d{1,2})/(\d{1,2})/(\d{4})\s*(?:à)?\s*(\d{1,2})\s*[:h]\s*(\d{2})", _text(value)
    )
    if not match:
        return None
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime.datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def _optional_yes_no(value, what: str, errors: list[str]) -> bool | None:
    text = _text(value)
    if not text:
        return None
    if normalise(text) not in YES_NO:
        errors.append(f"« {what} » doit valoir Oui ou Non, pas « {text} »")
        return None
    return YES_NO[normalise(text)]


def _quartier_index() -> dict[str, list[Quartier]]:
    """Quartiers by folded name and by code: the export writes the name, a code is accepted."""
    index = defaultdict(list)
    for quartier in Quartier.objects.order_by("pk"):
        index[fold(quartier.nom)].append(quartier)
        if fold(quartier.code) != fold(quartier.nom):
            index[fold(quartier.code)].append(quartier)
    return index


def _quartier(value, index: dict, errors: list[str]) -> Quartier | None:
    text = _text(value)
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


def _participant(value, errors: list[str]) -> tuple[int, int]:
    text = _text(value)
    if not text or text == "1":
        return (1, 1)
    match = re.fullmatch(r"(\d+)\s*/\s*(\d+)", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        errors.append(f"participants illisible « {text} » (attendu : 1 ou i/n)")
        return (1, 1)
    return (int(match[1]), int(match[2]))


def _level(value, type_activite: str, errors: list[str]) -> tuple[str, str]:
    """'x/3' means autonomy for individual help and the workshop's level for a collective one."""
    text = _text(value)
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


def _beneficiaire(value) -> str:
    name = _text(value)
    return "" if fold(name) in ANONYMOUS_NAMES or not name else name


def _find_header(rows: Iterator) -> tuple[int, tuple]:
    for number, row in enumerate(rows, start=1):
        if not row or row[0] is None:
            continue
        cells = {normalise(c) for c in row if c is not None}
        if normalise(row[0]) == "date" and "id cra" in cells:
            return number, row
    raise CoopFileError(
        "La ligne d’en-tête du tableau est introuvable : la première colonne doit s’appeler "
        "« Date » et une colonne « ID CRA » doit être présente."
    )


def _open_sheet(source):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise CoopFileError(
            "Le fichier est illisible : ce n’est pas un classeur Excel (.xlsx) valide ou il est "
            "endommagé. Téléchargez à nouveau l’export depuis La Coop."
        ) from exc
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise CoopFileError(
            "Le fichier est endommagé et ne peut pas être lu. Téléchargez à nouveau l’export."
        ) from exc
    names = {normalise(name): name for name in workbook.sheetnames}
    if normalise(SHEET_NAME) not in names:
        workbook.close()
        raise CoopFileError(
            f"Le classeur ne contient pas de feuille « {SHEET_NAME} » : est-ce bien l’export "
            "des activités de La Coop ?"
        )
    sheet = workbook[names[normalise(SHEET_NAME)]]
    sheet.reset_dimensions()  # some writers declare wrong dimensions; read every row
    return workbook, sheet


def read_workbook(source) -> ParsedFile:
    """Parse the activities sheet of a Coop export (a path or a binary file object)."""
    workbook, sheet = _open_sheet(source)
    try:
        rows = sheet.iter_rows(values_only=True)
        header_line, header = _find_header(rows)
        columns = {}
        ignored = []
        for index, name in enumerate(header):
            key = HEADER_KEYS.get(normalise(name)) if name is not None else None
            if key and key not in columns:
                columns[key] = index
            elif name is not None and _text(name):
                ignored.append(_text(name))
        missing = [HEADERS[k] for k in REQUIRED_COLUMNS if k not in columns]
        if missing:
            raise CoopFileError(f"Colonnes obligatoires absentes : {', '.join(missing)}.")
        parsed = ParsedFile(
            rows=[],
            errors=[],
            header_line=header_line,
            has_beneficiaire="beneficiaire" in columns,
            has_coordinator_columns=any(k in columns for k in COORDINATOR_COLUMNS),
            ignored_columns=ignored,
        )
        quartiers = _quartier_index() if "quartier" in columns else {}
        for number, values in enumerate(rows, start=header_line + 1):
            if not values or all(v is None or _text(v) == "" for v in values):
                continue
            cells = {key: (values[i] if i < len(values) else None) for key, i in columns.items()}
            row, reasons = _parse_row(number, cells, quartiers)
            if reasons:
                parsed.errors.append(RowError(number, _text(cells.get("coop_id")), reasons))
            else:
                parsed.rows.append(row)
    except CoopFileError:
        raise
    except Exception as exc:
        raise CoopFileError(
            "Le fichier est endommagé et ne peut pas être lu jusqu’au bout. "
            "Téléchargez à nouveau l’export."
        ) from exc
    finally:
        workbook.close()
    _check_groups(parsed)
    return parsed


def _parse_row(line: int, cells: dict, quartiers: dict) -> tuple[CoopRow | None, list[str]]:
    errors: list[str] = []
    coop_id = _text(cells.get("coop_id"))
    if not coop_id:
        errors.append("ID CRA manquant")
    elif len(coop_id) > 64:
        errors.append("ID CRA trop long (64 caractères au plus)")
    date = _date(cells.get("date"), errors)
    type_activite = _choice(cells.get("type"), TYPE_LABELS, "type", errors)
    if not type_activite and not _text(cells.get("type")):
        errors.append("type manquant (Accompagnement individuel ou Atelier collectif)")
    participant = _participant(cells.get("participants"), errors)
    if type_activite == TypeActivite.INDIVIDUEL and participant[1] > 1:
        errors.append("un accompagnement individuel ne peut pas avoir plusieurs participants")
    duree = _duration(cells.get("duree"), errors)
    thematiques, demarches = [], []
    for part in _lines(cells.get("thematiques")):
        key = normalise(part)
        if key in THEMATIQUE_LABELS:
            thematiques.append(THEMATIQUE_LABELS[key])
        elif key in DEMARCHE_LABELS:
            demarches.append(DEMARCHE_LABELS[key])
        else:
            errors.append(f"thématique inconnue « {part} »")
    if demarches and Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES not in thematiques:
        thematiques.append(Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES.value)
    if not _lines(cells.get("thematiques")):
        errors.append("aucune thématique")
    autonomie, niveau = _level(cells.get("niveau"), type_activite, errors)
    reoriente = _text(cells.get("reoriente"))
    if reoriente and normalise(reoriente) not in YES_NO:
        errors.append(f"« Bénéficiaire réorienté » doit valoir Oui ou Non, pas « {reoriente} »")
    redirections = _choices(
        cells.get("structure_redirection"), REDIRECTION_LABELS, "structure de redirection", errors
    )
    if len(redirections) > 1:
        errors.append("une seule structure de redirection par ligne")
    lieu_nom = _text(cells.get("lieu_nom"))
    lieu = None
    if lieu_nom:
        lieu = LieuData(
            nom=lieu_nom[:200],
            adresse=_text(cells.get("lieu_adresse"))[:200],
            commune=_text(cells.get("lieu_commune"))[:100],
            code_postal=_code(cells.get("lieu_code_postal"))[:5],
            code_insee=_code(cells.get("lieu_code_insee"))[:5],
        )
    row = CoopRow(
        line=line,
        coop_id=coop_id,
        date=date,
        type_activite=type_activite,
        participant=participant,
        beneficiaire=_beneficiaire(cells.get("beneficiaire"))[:201],
        type_lieu=_choice(
            cells.get("canal"),
            CANAL_LABELS,
            "canal d’accompagnement",
            errors,
            TypeLieu.LIEU_ACTIVITE.value,
        ),
        lieu=lieu,
        duree_minutes=duree,
        titre_atelier=_text(cells.get("atelier"))[:200],
        materiel=_choices(cells.get("materiel"), MATERIEL_LABELS, "matériel", errors),
        thematiques=thematiques,
        thematiques_demarche=demarches,
        tags=[t[:60] for t in _lines(cells.get("tags"))],
        nom_demarche=_text(cells.get("demarche"))[:200],
        autonomie=autonomie,
        niveau_atelier=niveau,
        redirige=YES_NO.get(normalise(reoriente), False),
        structure_redirection=redirections[0] if redirections else "",
        notes=str(cells.get("notes") or "").strip(),
        source=_text(cells.get("source"))[:100],
        commune=_text(cells.get("usager_commune"))[:100],
        code_postal=_code(cells.get("usager_code_postal"))[:5],
        code_insee=_code(cells.get("usager_code_insee"))[:5],
        genre=_choice(cells.get("genre"), GENRE_LABELS, "genre", errors, Genre.NON_COMMUNIQUE),
        tranche_age=_choice(
            cells.get("tranche_age"),
            TRANCHE_LABELS,
            "tranche d’âge",
            errors,
            TrancheAge.NON_COMMUNIQUE,
        ),
        statut_social=_choice(
            cells.get("statut"), STATUT_LABELS, "statut", errors, StatutSocial.NON_COMMUNIQUE
        ),
        recorded_at=_recorded_at(cells.get("enregistre_le")),
        mediateur=" ".join(
            part
            for part in (_text(cells.get("prenom_mediateur")), _text(cells.get("nom_mediateur")))
            if part
        ),
        satisfaction=_choice(
            cells.get("satisfaction"), SATISFACTION_LABELS, "satisfaction", errors
        ),
        source_connaissance=_choice(
            cells.get("connu_par"), SOURCE_LABELS, "canal de connaissance du service", errors
        ),
        premiere_visite=_optional_yes_no(cells.get("premiere_visite"), "Première visite", errors),
        quartier=_quartier(cells.get("quartier"), quartiers, errors),
        usager_ref=_text(cells.get("usager_ref"))[:64],
    )
    return (None, errors) if errors else (row, [])


def _check_groups(parsed: ParsedFile) -> None:
    """Rows that share an ID CRA must be the participants of one workshop, all present once."""
    groups = defaultdict(list)
    for row in parsed.rows:
        groups[row.coop_id].append(row)
    bad = {}
    for coop_id, rows in groups.items():
        if len(rows) == 1 and rows[0].participant[1] == 1:
            continue
        first = rows[0]
        reason = None
        if any(r.type_activite != TypeActivite.COLLECTIF for r in rows):
            lines = ", ".join(str(r.line) for r in rows)
            reason = f"ID CRA « {coop_id} » répété sur les lignes {lines}"
        elif any(r.date != first.date for r in rows):
            reason = f"les participants de l’atelier « {coop_id} » n’ont pas tous la même date"
        elif len({r.participant[1] for r in rows}) > 1:
            reason = f"nombre de participants incohérent pour l’atelier « {coop_id} »"
        elif len({r.participant[0] for r in rows}) != len(rows):
            reason = f"numéro de participant répété dans l’atelier « {coop_id} »"
        elif len(rows) != first.participant[1]:
            reason = (
                f"l’atelier « {coop_id} » annonce {first.participant[1]} participants "
                f"mais le fichier en contient {len(rows)}"
            )
        if reason:
            for r in rows:
                bad[r.line] = RowError(r.line, coop_id, [reason])
    if bad:
        parsed.rows = [r for r in parsed.rows if r.line not in bad]
        parsed.errors = sorted([*parsed.errors, *bad.values()], key=lambda e: e.line)


# --- Planning and writing --------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    """The usager of some rows of the file: a record already in the database, or one to create."""

    name: str  # folded "Prénom Nom"; "" for an anonymous usager
    commune: str  # folded; learnt from the rows when the record has none
    usager: Usager | None = None  # the existing record, if any
    rows: list[CoopRow] = field(default_factory=list)


def match_people(rows: Iterable[CoopRow], existing: dict[str, list[Usager]]) -> dict[int, Person]:
    """Who each row's usager is (by line): one rule between the rows and against the database.

    A named person is recognised by their folded name (case, accents, spacing and apostrophes
    aside); the commune only tells two people of the same name apart when both sides give one
    and they differ. When several fit, the one with the row's commune wins, then the oldest (so
    a row without commune goes to the oldest): the records already in the database by creation,
    then the file's people in order of appearance. A person without commune who is then seen
    with one takes it, so that a later row in another commune is somebody else.

    An anonymous row is a new usager, unless our own export's "Réf. usager" says that several
    rows are the same person (the reference only links rows of one file: it is never looked up
    in the database, whose numbers may be another's).
    """
    named = {
        name: [Person(name, fold(u.commune), u) for u in usagers]
        for name, usagers in existing.items()
    }
    by_ref: dict[str, Person] = {}
    people = {}
    for row in sorted(rows, key=lambda r: r.line):
        if row.beneficiaire:
            name, commune = fold(row.beneficiaire), fold(row.commune)
            candidates = named.setdefault(name, [])
            fitting = [
                p for p in candidates if not (commune and p.commune and p.commune != commune)
            ]
            same = [p for p in fitting if commune and p.commune == commune]
            person = (same or fitting or [None])[0]
            if person is None:
                person = Person(name, commune)
                candidates.append(person)
            elif commune and not person.commune:
                person.commune = commune
        elif row.usager_ref:
            person = by_ref.setdefault(row.usager_ref, Person("", ""))
        else:
            person = Person("", "")
        person.rows.append(row)
        people[row.line] = person
    return people


@dataclass
class ImportPlan:
    """What an import would do, computed against the database without writing."""

    parsed: ParsedFile
    new_rows: list[CoopRow]
    already_imported: int
    lieux_to_create: list[LieuData]
    existing_lieux: dict
    people: dict[int, Person]  # by line, for the new rows
    mediateurs: dict[str, User | None]  # folded médiateur name -> the account of that name
    default_conseiller: User | None = None

    @property
    def groups(self) -> dict[str, list[CoopRow]]:
        groups = defaultdict(list)
        for row in self.new_rows:
            groups[row.coop_id].append(row)
        return groups

    @property
    def accompagnements(self) -> int:
        return len(self.new_rows)

    @property
    def individual(self) -> int:
        return sum(1 for rows in self.groups.values() if rows[0].type_activite == "individuel")

    @property
    def collective(self) -> int:
        return sum(1 for rows in self.groups.values() if rows[0].type_activite == "collectif")

    @property
    def persons(self) -> list[Person]:
        """The distinct usagers of the new rows, in order of appearance."""
        return list(dict.fromkeys(self.people[row.line] for row in self.new_rows))

    @property
    def unique_usagers(self) -> int:
        return len(self.persons)

    @property
    def identified_usagers(self) -> int:
        return sum(1 for person in self.persons if person.name)

    @property
    def known_usagers(self) -> int:
        return sum(1 for person in self.persons if person.usager is not None)

    def account_for(self, row: CoopRow) -> User | None:
        """The conseiller account named in the row's médiateur columns, if exactly one fits."""
        return self.mediateurs.get(fold(row.mediateur)) if row.mediateur else None

    def conseiller_for(self, row: CoopRow) -> User | None:
        return self.account_for(row) or self.default_conseiller

    @property
    def attribution(self) -> list[dict]:
        """Accompagnements per conseiller, and whether the file's médiateur column chose them."""
        entries = {}
        for row in self.new_rows:
            account = self.account_for(row)
            entry = entries.setdefault(
                account.pk if account else None,
                {
                    "conseiller": account or self.default_conseiller,
                    "from_file": account is not None,
                    "unknown": [],
                    "accompagnements": 0,
                },
            )
            entry["accompagnements"] += 1
            if account is None and row.mediateur and row.mediateur not in entry["unknown"]:
                entry["unknown"].append(row.mediateur)
        return sorted(
            entries.values(), key=lambda e: (not e["from_file"], str(e["conseiller"] or ""))
        )

    @property
    def errors(self) -> list[RowError]:
        return self.parsed.errors


def _existing_lieux() -> dict:
    lieux = {}
    for lieu in Lieu.objects.order_by("archived_at", "pk").only("pk", "nom", "commune"):
        lieux.setdefault((fold(lieu.nom), fold(lieu.commune)), lieu)
    return lieux


def _folding_table() -> tuple[str, str]:
    """Characters that `fold` turns into another single letter, for SQL's translate()."""
    source, target = "’‘\u00a0", "'' "
    for code in range(0xC0, 0x250):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded != char:
            source, target = source + char, target + folded
    return source, target


FOLD_FROM, FOLD_TO = _folding_table()


def _folded_full_name():
    """SQL near enough to `fold(first_name + " " + last_name)` to find the candidates; the exact
    comparison is made in Python afterwards."""
    full = Concat("first_name", Value(" "), "last_name", output_field=CharField())
    translated = Func(full, Value(FOLD_FROM), Value(FOLD_TO), function="translate")
    spaced = Func(translated, Value(r"\s+"), Value(" "), Value("g"), function="regexp_replace")
    return Lower(Func(spaced, function="btrim", output_field=CharField()))


def _existing_usagers(rows: Iterable[CoopRow]) -> dict[str, list[Usager]]:
    """Identified usagers of the whole city whose folded name is one of the file's, oldest first.

    The whole city, not the conseiller's own: the usager record is shared by every conseiller and
    the city's figures count people once (a resident helped by two conseillers is one usager), and
    only the coordinator and the admin, who see every identified usager, may import.
    """
    names = {fold(row.beneficiaire) for row in rows if row.beneficiaire}
    if not names:
        return {}
    found = defaultdict(list)
    candidates = (
        Usager.objects.identified()
        .filter(merged_into__isnull=True)
        .annotate(folded_name=_folded_full_name())
        .filter(folded_name__in=names)
        .order_by("pk")
    )
    for usager in candidates:
        name = fold(usager.full_name)
        if name in names:
            found[name].append(usager)
    return found


def _mediateur_accounts(rows: Iterable[CoopRow]) -> dict[str, User | None]:
    """The file's médiateurs (folded "Prénom Nom") -> the conseiller account of exactly that name.

    None when no account has that name, or when several have it and they cannot be told apart
    (the only active one wins): the rows then go to the conseiller chosen for the import.
    """
    names = {fold(row.mediateur) for row in rows if row.mediateur}
    if not names:
        return {}
    accounts = defaultdict(list)
    for user in User.objects.filter(role=Role.CONSEILLER).order_by("pk"):
        accounts[fold(f"{user.first_name} {user.last_name}")].append(user)
    found = {}
    for name in names:
        matches = accounts.get(name, [])
        active = [user for user in matches if user.is_active]
        if len(matches) == 1:
            found[name] = matches[0]
        elif len(active) == 1:
            found[name] = active[0]
        else:
            found[name] = None
    return found


def _same_activity(row: CoopRow, date: datetime.date, created_at: datetime.datetime) -> bool:
    """Is this row the activity of the app that our export numbered so? "Enregistré le" never
    changes (the date may have been corrected since); without it, the date must match."""
    if row.recorded_at is not None:
        recorded = timezone.localtime(created_at).replace(second=0, microsecond=0, tzinfo=None)
        return recorded == row.recorded_at
    return date == row.date


def _already_imported(rows: list[CoopRow]) -> set[str]:
    """ID CRA of the rows already in the database: Coop IDs stored on import, and the IDs our
    export gives to activities logged in the app (GENERATED_ID), checked against that activity
    so that a number from another database is not mistaken for ours."""
    ids = {row.coop_id for row in rows}
    done = set(Mediation.objects.filter(coop_id__in=ids).values_list("coop_id", flat=True))
    generated = {}
    for row in rows:
        match = GENERATED_ID.match(row.coop_id)
        if match and row.coop_id not in done:
            generated.setdefault(int(match[1]), row)
    for pk, date, created_at in Mediation.objects.filter(
        pk__in=generated, coop_id__isnull=True
    ).values_list("pk", "date", "created_at"):
        if _same_activity(generated[pk], date, created_at):
            done.add(generated[pk].coop_id)
    return done


def plan_import(parsed: ParsedFile, *, conseiller=None) -> ImportPlan:
    """Compare a parsed file with the database: nothing is written.

    `conseiller` receives the activities whose médiateur has no account of that exact name.
    """
    done = _already_imported(parsed.rows)
    new_rows = [row for row in parsed.rows if row.coop_id not in done]
    lieux = _existing_lieux()
    to_create = {}
    for row in new_rows:
        if row.lieu and row.lieu.key not in lieux:
            to_create.setdefault(row.lieu.key, row.lieu)
    return ImportPlan(
        parsed=parsed,
        new_rows=new_rows,
        already_imported=len(parsed.rows) - len(new_rows),
        lieux_to_create=list(to_create.values()),
        existing_lieux=lieux,
        people=match_people(new_rows, _existing_usagers(new_rows)),
        mediateurs=_mediateur_accounts(new_rows),
        default_conseiller=conseiller,
    )


class InvalidRowsError(Exception):
    """The file has bad rows and the caller did not ask to import only the valid ones."""


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first[:100], last[:100]


def _audit_events(actor, action: str, objects, changes: dict) -> list[AuditEvent]:
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0])
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return [
        AuditEvent(
            actor=actor,
            action=action,
            target_type=content_type,
            target_id=str(obj.pk),
            changes=changes,
        )
        for obj in objects
    ]


@dataclass
class ImportResult:
    mediations: int
    accompagnements: int
    usagers_created: int
    lieux_created: int
    skipped_invalid: int
    already_imported: int
    per_conseiller: dict[str, int] = field(default_factory=dict)  # name -> accompagnements


def _latest(rows: Iterable[CoopRow]) -> CoopRow | None:
    return max(rows, key=lambda r: (r.date, r.line), default=None)


def _new_usager(person: Person, now) -> Usager:
    """A record for a person first seen in this file, from their latest row (and the latest that
    gives their commune, their quartier)."""
    latest = _latest(person.rows)
    located = _latest(r for r in person.rows if r.commune) or latest
    housed = _latest(r for r in person.rows if r.quartier)
    first, last = _split_name(latest.beneficiaire) if person.name else ("", "")
    return Usager(
        first_name=first,
        last_name=last,
        consent_at=now if person.name else None,
        genre=latest.genre,
        tranche_age=latest.tranche_age,
        statut_social=latest.statut_social,
        commune=located.commune,
        code_postal=located.code_postal,
        code_insee=located.code_insee,
        quartier=housed.quartier if housed else None,
        last_seen_on=latest.date,
    )


def _update_known(person: Person) -> list[str]:
    """Bring an existing record up to date with the file: last visit, and the commune when the
    record had none (it is what tells homonyms apart next time). Returns the fields changed."""
    usager, latest = person.usager, _latest(person.rows)
    changed = []
    if usager.last_seen_on is None or usager.last_seen_on < latest.date:
        usager.last_seen_on = latest.date
        changed.append("last_seen_on")
    if person.commune and not fold(usager.commune):
        located = _latest(r for r in person.rows if fold(r.commune) == person.commune)
        usager.commune = located.commune
        usager.code_postal = usager.code_postal or located.code_postal
        usager.code_insee = usager.code_insee or located.code_insee
        changed += ["commune", "code_postal", "code_insee"]
    if changed:
        usager.save(update_fields=changed)
    return changed


def apply_import(
    *, parsed: ParsedFile, conseiller, actor, skip_invalid: bool = False, filename: str = ""
) -> ImportResult:
    """Write a parsed file: lieux, usagers, activities and accompagnements, all or nothing.

    `conseiller` receives the activities whose médiateur column names no conseiller account.
    """
    if parsed.errors and not skip_invalid:
        raise InvalidRowsError(parsed.errors)
    now = timezone.now()
    with transaction.atomic():
        # Two imports of the same file at once: the second waits, then finds everything done.
        _lock_imports()
        plan = plan_import(parsed, conseiller=conseiller)
        events = []

        lieux = dict(plan.existing_lieux)
        created_lieux = [
            Lieu(
                nom=data.nom,
                adresse=data.adresse,
                commune=data.commune,
                code_postal=data.code_postal,
                code_insee=data.code_insee,
                pivot=UNKNOWN_PIVOT,
                source="Import La Coop",
            )
            for data in plan.lieux_to_create
        ]
        Lieu.objects.bulk_create(created_lieux)
        for lieu in created_lieux:
            lieux[(fold(lieu.nom), fold(lieu.commune))] = lieu
        events += _audit_events(actor, "reseau.lieu.created", created_lieux, {"source": "import"})

        persons = plan.persons
        known = [person for person in persons if person.usager is not None]
        new_usagers = []
        for person in persons:
            if person.usager is None:
                person.usager = _new_usager(person, now)
                new_usagers.append(person.usager)
        Usager.objects.bulk_create(new_usagers)
        identified = [u for u in new_usagers if u.consent_at]
        events += _audit_events(
            actor,
            "kernel.usager.created",
            identified,
            {"consent_source": CONSENT_SOURCE, "file": filename[:200]},
        )
        for person in known:
            changed = _update_known(person)
            if "commune" in changed:
                events += _audit_events(
                    actor,
                    "kernel.usager.updated",
                    [person.usager],
                    {"fields": ["commune", "code_postal", "code_insee"], "source": CONSENT_SOURCE},
                )

        groups = plan.groups
        mediations = [
            _mediation(rows[0], plan.conseiller_for(rows[0]), lieux) for rows in groups.values()
        ]
        _link_permanences(mediations)
        Mediation.objects.bulk_create(mediations)
        events += _audit_events(
            actor, "permanences.mediation.imported", mediations, {"file": filename[:200]}
        )
        accompagnements = []
        per_conseiller = defaultdict(int)
        for mediation, rows in zip(mediations, groups.values(), strict=True):
            seen = set()
            for row in sorted(rows, key=lambda r: r.participant[0]):
                usager = plan.people[row.line].usager
                if usager.pk in seen:  # the same named person twice in one workshop
                    continue
                seen.add(usager.pk)
                accompagnements.append(Accompagnement(mediation=mediation, usager=usager))
                per_conseiller[str(mediation.conseiller)] += 1
        Accompagnement.objects.bulk_create(accompagnements)
        Through = Usager.conseillers.through
        Through.objects.bulk_create(
            [
                Through(usager_id=usager_id, user_id=conseiller_id)
                for usager_id, conseiller_id in {
                    (a.usager_id, a.mediation.conseiller_id) for a in accompagnements
                }
            ],
            ignore_conflicts=True,
        )
        AuditEvent.objects.bulk_create(events)
    return ImportResult(
        mediations=len(mediations),
        accompagnements=len(accompagnements),
        usagers_created=len(new_usagers),
        lieux_created=len(created_lieux),
        skipped_invalid=len(parsed.errors),
        already_imported=plan.already_imported,
        per_conseiller=dict(per_conseiller),
    )


def _lock_imports():
    """Serialise Coop imports (transaction-scoped advisory lock) so that ID CRA checks hold."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x0C00B])


def _mediation(row: CoopRow, conseiller, lieux: dict) -> Mediation:
    return Mediation(
        date=row.date,
        conseiller=conseiller,
        type_activite=row.type_activite,
        type_lieu=row.type_lieu,
        lieu=lieux.get(row.lieu.key) if row.lieu else None,
        duree_minutes=row.duree_minutes,
        thematiques=row.thematiques,
        thematiques_demarche=row.thematiques_demarche,
        nom_demarche=row.nom_demarche,
        materiel=row.materiel,
        autonomie=row.autonomie,
        titre_atelier=row.titre_atelier,
        niveau_atelier=row.niveau_atelier,
        redirige=row.redirige,
        structure_redirection=row.structure_redirection,
        satisfaction=row.satisfaction,
        source_connaissance=row.source_connaissance,
        premiere_visite=row.premiere_visite,
        notes=row.notes,
        tags=row.tags,
        coop_id=row.coop_id,
        source_donnee=row.source or DEFAULT_SOURCE,
    )


def _link_permanences(mediations: list[Mediation]) -> None:
    """Give each activity at a lieu d'activité the drop-in slot in force there that day, as the
    log form does (`permanence_for`: the conseiller's own slot first). The file has no time of
    day, only the date, so two slots of the same day are told apart by conseiller only."""
    at_lieu = [m for m in mediations if m.type_lieu == TypeLieu.LIEU_ACTIVITE and m.lieu_id]
    with_slots = set(
        Permanence.objects.filter(lieu_id__in={m.lieu_id for m in at_lieu}).values_list(
            "lieu_id", flat=True
        )
    )
    found = {}
    for mediation in at_lieu:
        if mediation.lieu_id not in with_slots:
            continue
        key = (mediation.lieu_id, mediation.date, mediation.conseiller.pk)
        if key not in found:
            found[key] = permanence_for(
                lieu=mediation.lieu, date=mediation.date, conseiller=mediation.conseiller
            )
        mediation.permanence = found[key]


# --- Export ----------------------------------------------------------------------------------

# La Coop's layout, then the app's own columns (which La Coop ignores).
CONSEILLER_COLUMNS = [k for k in HEADERS if k not in COORDINATOR_COLUMNS] + list(EXTRA_HEADERS)
CITYWIDE_COLUMNS = list(HEADERS) + list(EXTRA_HEADERS)
EXPORT_HEADERS = {**HEADERS, **EXTRA_HEADERS}


def _label(enum, code) -> str:
    return enum(code).label if code else ""


def _labels_of(enum, codes) -> list[str]:
    return [enum(code).label for code in codes]


def _timestamp(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y à %H:%M")


def usager_ref(usager: Usager) -> str:
    """A stable reference to the person (after merges) that says nothing about them: it lets our
    import know that the rows of an anonymous usager seen several times are one person."""
    return f"{USAGER_REF_PREFIX}{usager.merged_into_id or usager.pk}"


def _export_row(acc: Accompagnement, keys: list[str]) -> list:
    m = acc.mediation
    u = acc.usager
    lieu = m.lieu
    collective = m.type_activite == TypeActivite.COLLECTIF
    level = ""
    if collective and m.niveau_atelier:
        level = f"{NIVEAU_LEVELS.index(NiveauAtelier(m.niveau_atelier)) + 1}/3"
    elif not collective and m.autonomie:
        level = f"{AUTONOMIE_LEVELS.index(Autonomie(m.autonomie)) + 1}/3"
    values = {
        "date": m.date,
        "enregistre_le": _timestamp(m.created_at),
        "modifie_le": _timestamp(m.updated_at),
        "prenom_mediateur": m.conseiller.first_name,
        "nom_mediateur": m.conseiller.last_name,
        "role": "Médiateur",
        "id_conum": "",
        "type": m.get_type_activite_display(),
        "participants": f"{acc.rank}/{acc.size}" if collective else 1,
        "beneficiaire": (u.full_name or f"Usager n°{u.pk}") if u.is_identified else ANONYMOUS_LABEL,
        "canal": m.get_type_lieu_display(),
        "lieu_nom": lieu.nom if lieu else "",
        "lieu_adresse": lieu.adresse if lieu else "",
        "lieu_commune": lieu.commune if lieu else "",
        "lieu_code_postal": lieu.code_postal if lieu else "",
        "lieu_code_insee": lieu.code_insee if lieu else "",
        "duree": m.duree_minutes,
        "atelier": m.titre_atelier,
        "materiel": _labels_of(Materiel, m.materiel),
        "thematiques": _labels_of(Thematique, m.thematiques)
        + _labels_of(ThematiqueDemarche, m.thematiques_demarche),
        "tags": list(m.tags),
        "demarche": m.nom_demarche,
        "niveau": level,
        "reoriente": "" if collective else ("Oui" if m.redirige else "Non"),
        "structure_redirection": _label(StructureRedirection, m.structure_redirection),
        "usager_commune": u.commune,
        "usager_code_postal": u.code_postal,
        "usager_code_insee": u.code_insee,
        "genre": _label(Genre, u.genre),
        "tranche_age": TrancheAge(u.age_band).label if u.age_band else "",
        "statut": _label(StatutSocial, u.statut_social),
        "notes": m.notes,
        "source": m.source_donnee,
        "coop_id": m.coop_id or f"{GENERATED_ID_PREFIX}{m.pk}",
        "satisfaction": _label(Satisfaction, m.satisfaction),
        "connu_par": _label(SourceConnaissance, m.source_connaissance),
        "premiere_visite": {True: "Oui", False: "Non"}.get(m.premiere_visite, ""),
        "quartier": u.quartier.nom if u.quartier_id else "",
        "usager_ref": usager_ref(u),
    }
    return [values[k] for k in keys]


def export_accompagnements(mediations):
    """The accompagnements of the given activities, with their rank i and count n in each."""
    return (
        Accompagnement.objects.filter(mediation__in=mediations)
        .select_related("mediation__lieu", "mediation__conseiller", "usager__quartier")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("mediation_id")], order_by=F("id").asc()),
            size=Window(Count("id"), partition_by=[F("mediation_id")]),
        )
        .order_by("mediation__date", "mediation_id", "id")
    )


def export_sheet(*, mediations, citywide: bool, exporter, filters: list[tuple[str, str]]) -> Sheet:
    """The `Activités` sheet in La Coop's layout, filters written in the metadata block."""
    keys = CITYWIDE_COLUMNS if citywide else CONSEILLER_COLUMNS
    accompagnements = export_accompagnements(mediations)
    preamble = [
        ["Informations export"],
        ["Nom", exporter.last_name],
        ["Prénom", exporter.first_name],
        ["Rôle", exporter.get_role_display()],
        ["Date d’export", timezone.localdate().strftime("%d/%m/%Y")],
        ["Nombre total", Accompagnement.objects.filter(mediation__in=mediations).count()],
        [],
        ["Filtres"],
        *[[label, value] for label, value in filters],
    ]
    rows = (_export_row(acc, keys) for acc in accompagnements.iterator(chunk_size=2000))
    return Sheet(
        title=SHEET_NAME, columns=[EXPORT_HEADERS[k] for k in keys], rows=rows, preamble=preamble
    )
