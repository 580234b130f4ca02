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

from .columns import (
    ANONYMOUS_LABEL,
    ANONYMOUS_NAMES,
    AUTONOMIE_LABELS,
    AUTONOMIE_LEVELS,
    CANAL_LABELS,
    CONSENT_SOURCE,
    COORDINATOR_COLUMNS,
    DEFAULT_SOURCE,
    DEMARCHE_LABELS,
    EXTRA_HEADERS,
    GENERATED_ID,
    GENERATED_ID_PREFIX,
    GENRE_LABELS,
    HEADER_KEYS,
    HEADERS,
    MATERIEL_LABELS,
    NIVEAU_LABELS,
    NIVEAU_LEVELS,
    REDIRECTION_LABELS,
    REQUIRED_COLUMNS,
    SATISFACTION_LABELS,
    SHEET_NAME,
    SOURCE_LABELS,
    STATUT_LABELS,
    THEMATIQUE_LABELS,
    TRANCHE_LABELS,
    TYPE_LABELS,
    UNKNOWN_PIVOT,
    USAGER_REF_PREFIX,
    YES_NO,
)
from .export import (
    CITYWIDE_COLUMNS,
    CONSEILLER_COLUMNS,
    EXPORT_FORMATS,
    EXPORT_HEADERS,
    export_csv,
    export_sheet,
    usager_ref,
    xlsx_sheet_or_room,
)
from .importing import (
    ImportPlan,
    ImportResult,
    InvalidRowsError,
    apply_import,
    plan_import,
)
from .people import Person, match_people
from .reading import (
    CoopFileError,
    CoopRow,
    LieuData,
    ParsedFile,
    RowError,
    read_workbook,
)

__all__ = [
    "ANONYMOUS_LABEL",
    "ANONYMOUS_NAMES",
    "AUTONOMIE_LABELS",
    "AUTONOMIE_LEVELS",
    "CANAL_LABELS",
    "CITYWIDE_COLUMNS",
    "CONSEILLER_COLUMNS",
    "CONSENT_SOURCE",
    "COORDINATOR_COLUMNS",
    "CoopFileError",
    "CoopRow",
    "DEFAULT_SOURCE",
    "DEMARCHE_LABELS",
    "EXPORT_FORMATS",
    "EXPORT_HEADERS",
    "EXTRA_HEADERS",
    "GENERATED_ID",
    "GENERATED_ID_PREFIX",
    "GENRE_LABELS",
    "HEADERS",
    "HEADER_KEYS",
    "ImportPlan",
    "ImportResult",
    "InvalidRowsError",
    "LieuData",
    "MATERIEL_LABELS",
    "NIVEAU_LABELS",
    "NIVEAU_LEVELS",
    "ParsedFile",
    "Person",
    "REDIRECTION_LABELS",
    "REQUIRED_COLUMNS",
    "RowError",
    "SATISFACTION_LABELS",
    "SHEET_NAME",
    "SOURCE_LABELS",
    "STATUT_LABELS",
    "THEMATIQUE_LABELS",
    "TRANCHE_LABELS",
    "TYPE_LABELS",
    "UNKNOWN_PIVOT",
    "USAGER_REF_PREFIX",
    "YES_NO",
    "apply_import",
    "export_csv",
    "export_sheet",
    "match_people",
    "plan_import",
    "read_workbook",
    "usager_ref",
    "xlsx_sheet_or_room",
]
