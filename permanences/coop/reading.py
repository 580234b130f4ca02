"""Reading a Coop activities export: find the header, parse and check every row (writes nothing)."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.spreadsheets import Limits, SpreadsheetError, open_workbook
from poitiers_inclusion.text import fold, normalise
from reseau.models import Quartier

from ..enums import (
    Thematique,
    TypeActivite,
    TypeLieu,
)
from .cells import (
    as_beneficiaire,
    as_choice,
    as_choices,
    as_code,
    as_date,
    as_duration,
    as_level,
    as_lines,
    as_participant,
    as_quartier,
    as_recorded_at,
    as_text,
    as_yes_no,
    quartier_index,
)
from .columns import (
    CANAL_LABELS,
    COORDINATOR_COLUMNS,
    DEMARCHE_LABELS,
    GENRE_LABELS,
    HEADER_KEYS,
    HEADERS,
    MATERIEL_LABELS,
    REDIRECTION_LABELS,
    REQUIRED_COLUMNS,
    SATISFACTION_LABELS,
    SHEET_NAME,
    SOURCE_LABELS,
    STATUT_LABELS,
    THEMATIQUE_LABELS,
    TRANCHE_LABELS,
    TYPE_LABELS,
    YES_NO,
)

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

    @cached_property  # asked for each row naming it: the rows of a lieu share one LieuData
    def key(self):
        return (fold(self.nom), fold(self.commune))


@dataclass(slots=True)  # 100,000 rows of a file are held at once: no __dict__ each
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


def _find_header(rows: Iterator) -> tuple[int, list]:
    for number, row in rows:
        if not row or row[0] is None:
            continue
        cells = {normalise(c) for c in row if c is not None}
        if normalise(row[0]) == "date" and "id cra" in cells:
            return number, row
    raise CoopFileError(
        "La ligne d’en-tête du tableau est introuvable : la première colonne doit s’appeler "
        "« Date » et une colonne « ID CRA » doit être présente."
    )


def _activities_sheet(names: list[str]) -> str:
    by_name = {normalise(name): name for name in names}
    if normalise(SHEET_NAME) not in by_name:
        raise CoopFileError(
            f"Le classeur ne contient pas de feuille « {SHEET_NAME} » : est-ce bien l’export "
            "des activités de La Coop ?"
        )
    return by_name[normalise(SHEET_NAME)]


def import_limits() -> Limits:
    """The reading limits of a Coop export: its own for its size (COOP_IMPORT_MAX_*)."""
    return Limits.from_settings(
        rows="COOP_IMPORT_MAX_ROWS",
        upload_bytes="COOP_IMPORT_MAX_UPLOAD_BYTES",
        uncompressed_bytes="COOP_IMPORT_MAX_UNCOMPRESSED_BYTES",
    )


def read_workbook(source) -> ParsedFile:
    """Parse the activities sheet of a Coop export (a path or a binary file object), read by the
    kernel's bounded reader: a file beyond the import limits is refused with their name."""
    try:
        with open_workbook(source, limits=import_limits()) as workbook:
            parsed = _parse_sheet(workbook.rows(_activities_sheet(workbook.sheet_names)))
    except SpreadsheetError as exc:
        raise CoopFileError(str(exc)) from exc
    _check_groups(parsed)
    return parsed


def _parse_sheet(rows: Iterator) -> ParsedFile:
    try:
        header_line, header = _find_header(rows)
        columns = {}
        ignored = []
        for index, name in enumerate(header):
            key = HEADER_KEYS.get(normalise(name)) if name is not None else None
            if key and key not in columns:
                columns[key] = index
            elif name is not None and as_text(name):
                ignored.append(as_text(name))
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
        quartiers = quartier_index() if "quartier" in columns else {}
        shared = {}  # values many rows repeat (lieux, dates), held once
        for number, values in rows:
            if not values or all(v is None or as_text(v) == "" for v in values):
                continue
            cells = {key: (values[i] if i < len(values) else None) for key, i in columns.items()}
            row, reasons = parse_row(number, cells, quartiers)
            if reasons:
                parsed.errors.append(RowError(number, as_text(cells.get("coop_id")), reasons))
            else:
                _share(row, shared)
                parsed.rows.append(row)
    except (CoopFileError, SpreadsheetError):
        raise
    except Exception as exc:  # a value no rule expected: one message rather than a crash
        raise CoopFileError(
            "Le fichier est endommagé et ne peut pas être lu jusqu’au bout. "
            "Téléchargez à nouveau l’export."
        ) from exc
    return parsed


# Values rows repeat (a file names a few lieux, communes, themes…): each held once, so that
# 100,000 rows fit in little memory. Nothing changes them once read.
SHARED_FIELDS = (
    "date",
    "lieu",
    "materiel",
    "thematiques",
    "thematiques_demarche",
    "tags",
    "nom_demarche",
    "titre_atelier",
    "structure_redirection",
    "source",
    "commune",
    "code_postal",
    "code_insee",
    "recorded_at",
    "mediateur",
)


def _share(row: CoopRow, shared: dict) -> None:
    for name in SHARED_FIELDS:
        value = getattr(row, name)
        key = (name, tuple(value) if isinstance(value, list) else value)
        setattr(row, name, shared.setdefault(key, value))


def parse_row(line: int, cells: dict, quartiers: dict) -> tuple[CoopRow | None, list[str]]:
    errors: list[str] = []
    coop_id = as_text(cells.get("coop_id"))
    if not coop_id:
        errors.append("ID CRA manquant")
    elif len(coop_id) > 64:
        errors.append("ID CRA trop long (64 caractères au plus)")
    date = as_date(cells.get("date"), errors)
    type_activite = as_choice(cells.get("type"), TYPE_LABELS, "type", errors)
    if not type_activite and not as_text(cells.get("type")):
        errors.append("type manquant (Accompagnement individuel ou Atelier collectif)")
    participant = as_participant(cells.get("participants"), errors)
    if type_activite == TypeActivite.INDIVIDUEL and participant[1] > 1:
        errors.append("un accompagnement individuel ne peut pas avoir plusieurs participants")
    duree = as_duration(cells.get("duree"), errors)
    thematiques, demarches = [], []
    for part in as_lines(cells.get("thematiques")):
        key = normalise(part)
        if key in THEMATIQUE_LABELS:
            thematiques.append(THEMATIQUE_LABELS[key])
        elif key in DEMARCHE_LABELS:
            demarches.append(DEMARCHE_LABELS[key])
        else:
            errors.append(f"thématique inconnue « {part} »")
    if demarches and Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES not in thematiques:
        thematiques.append(Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES.value)
    if not as_lines(cells.get("thematiques")):
        errors.append("aucune thématique")
    autonomie, niveau = as_level(cells.get("niveau"), type_activite, errors)
    reoriente = as_text(cells.get("reoriente"))
    if reoriente and normalise(reoriente) not in YES_NO:
        errors.append(f"« Bénéficiaire réorienté » doit valoir Oui ou Non, pas « {reoriente} »")
    redirections = as_choices(
        cells.get("structure_redirection"), REDIRECTION_LABELS, "structure de redirection", errors
    )
    if len(redirections) > 1:
        errors.append("une seule structure de redirection par ligne")
    lieu_nom = as_text(cells.get("lieu_nom"))
    lieu = None
    if lieu_nom:
        lieu = LieuData(
            nom=lieu_nom[:200],
            adresse=as_text(cells.get("lieu_adresse"))[:200],
            commune=as_text(cells.get("lieu_commune"))[:100],
            code_postal=as_code(cells.get("lieu_code_postal"))[:5],
            code_insee=as_code(cells.get("lieu_code_insee"))[:5],
        )
    row = CoopRow(
        line=line,
        coop_id=coop_id,
        date=date,
        type_activite=type_activite,
        participant=participant,
        beneficiaire=as_beneficiaire(cells.get("beneficiaire"))[:201],
        type_lieu=as_choice(
            cells.get("canal"),
            CANAL_LABELS,
            "canal d’accompagnement",
            errors,
            TypeLieu.LIEU_ACTIVITE.value,
        ),
        lieu=lieu,
        duree_minutes=duree,
        titre_atelier=as_text(cells.get("atelier"))[:200],
        materiel=as_choices(cells.get("materiel"), MATERIEL_LABELS, "matériel", errors),
        thematiques=thematiques,
        thematiques_demarche=demarches,
        tags=[t[:60] for t in as_lines(cells.get("tags"))],
        nom_demarche=as_text(cells.get("demarche"))[:200],
        autonomie=autonomie,
        niveau_atelier=niveau,
        redirige=YES_NO.get(normalise(reoriente), False),
        structure_redirection=redirections[0] if redirections else "",
        notes=str(cells.get("notes") or "").strip(),
        source=as_text(cells.get("source"))[:100],
        commune=as_text(cells.get("usager_commune"))[:100],
        code_postal=as_code(cells.get("usager_code_postal"))[:5],
        code_insee=as_code(cells.get("usager_code_insee"))[:5],
        genre=as_choice(cells.get("genre"), GENRE_LABELS, "genre", errors, Genre.NON_COMMUNIQUE),
        tranche_age=as_choice(
            cells.get("tranche_age"),
            TRANCHE_LABELS,
            "tranche d’âge",
            errors,
            TrancheAge.NON_COMMUNIQUE,
        ),
        statut_social=as_choice(
            cells.get("statut"), STATUT_LABELS, "statut", errors, StatutSocial.NON_COMMUNIQUE
        ),
        recorded_at=as_recorded_at(cells.get("enregistre_le")),
        mediateur=" ".join(
            part
            for part in (
                as_text(cells.get("prenom_mediateur")),
                as_text(cells.get("nom_mediateur")),
            )
            if part
        ),
        satisfaction=as_choice(
            cells.get("satisfaction"), SATISFACTION_LABELS, "satisfaction", errors
        ),
        source_connaissance=as_choice(
            cells.get("connu_par"), SOURCE_LABELS, "canal de connaissance du service", errors
        ),
        premiere_visite=as_yes_no(cells.get("premiere_visite"), "Première visite", errors),
        quartier=as_quartier(cells.get("quartier"), quartiers, errors),
        usager_ref=as_text(cells.get("usager_ref"))[:64],
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
