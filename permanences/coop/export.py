"""Writing activities in the Coop layout, with our own columns after it.

The database writes the cells: one query gives each row as the file shows it (labels, "i/n",
levels, dates), so that a million rows cost what PostgreSQL and the writer cost, not a Python
object per accompagnement. The CSV is PostgreSQL's own COPY output; the xlsx passes the query's
rows to openpyxl as they are.
"""

import json

from django.conf import settings
from django.db import connection
from django.utils import timezone

from poitiers_inclusion.enums import AGE_BAND_LOWER_BOUNDS, Genre, StatutSocial, TrancheAge
from poitiers_inclusion.exports import Sheet, copy_csv_response, date_sql, safe_text_sql
from poitiers_inclusion.models import Usager

from ..enums import (
    Materiel,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TypeActivite,
    TypeLieu,
)
from ..models import Accompagnement
from .columns import (
    ANONYMOUS_LABEL,
    AUTONOMIE_LEVELS,
    COORDINATOR_COLUMNS,
    EXTRA_HEADERS,
    GENERATED_ID_PREFIX,
    HEADERS,
    NIVEAU_LEVELS,
    SHEET_NAME,
    USAGER_REF_PREFIX,
)

# La Coop's layout, then the app's own columns (which La Coop ignores).
CONSEILLER_COLUMNS = [k for k in HEADERS if k not in COORDINATOR_COLUMNS] + list(EXTRA_HEADERS)
CITYWIDE_COLUMNS = list(HEADERS) + list(EXTRA_HEADERS)
EXPORT_HEADERS = {**HEADERS, **EXTRA_HEADERS}
EXPORT_FORMATS = ("xlsx", "csv", "csv-intl")


def usager_ref(usager: Usager) -> str:
    """A stable reference to the person (after merges) that says nothing about them: it lets our
    import know that the rows of an anonymous usager seen several times are one person."""
    return f"{USAGER_REF_PREFIX}{usager.merged_into_id or usager.pk}"


# --- The cells, in SQL -----------------------------------------------------------------------


def _literal(text: str) -> str:
    # Doubled "%": the query goes through the driver's parameter substitution.
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def _lookup(pairs) -> str:
    """A constant code -> label object: one hashed lookup per cell, where a CASE compares the
    code with every label's in turn."""
    return f"{_literal(json.dumps(dict(pairs), ensure_ascii=False))}::jsonb"


def _case(expression: str, pairs) -> str:
    return f"({_lookup(pairs)} ->> {expression})"


# La Coop's list of redirections has no social internet offers (the city's own follow-up): its
# file says "Autre" for them, a value La Coop's import knows.
COOP_REDIRECTIONS = [
    (
        value,
        StructureRedirection.AUTRE.label
        if value == StructureRedirection.OFFRE_SOCIALE_INTERNET
        else label,
    )
    for value, label in StructureRedirection.choices
]


def _label(expression: str, enum) -> str:
    return _case(expression, enum.choices)


def _labels(expression: str, enum) -> str:
    """The labels of an array of codes, in their order."""
    return (
        f"ARRAY(SELECT coalesce({_lookup(enum.choices)} ->> x.c, x.c) "
        f"FROM unnest({expression}) WITH ORDINALITY AS x(c, n) ORDER BY x.n)"
    )


def _level(enum_levels) -> list[tuple[str, str]]:
    return [(level.value, f"{i}/3") for i, level in enumerate(enum_levels, start=1)]


def _timestamp(expression: str) -> str:
    local = f"({expression} AT TIME ZONE {_literal(settings.TIME_ZONE)})"
    return f"to_char({local}, 'DD/MM/YYYY \"à\" HH24:MI')"


def _age_band() -> str:
    """The band of the birth year when known (the kernel's bounds), else the one recorded."""
    year = timezone.localdate().year
    bands = " ".join(
        f"WHEN u.birth_year <= {year - lower} THEN {_literal(band.value)}"
        for lower, band in AGE_BAND_LOWER_BOUNDS
    )
    band = (
        f"CASE WHEN u.birth_year IS NULL THEN u.tranche_age {bands} "
        f"ELSE {_literal(TrancheAge.NON_COMMUNIQUE.value)} END"
    )
    return _label(band, TrancheAge)


def _cells(fmt: str) -> dict[str, str]:
    collective = f"m.type_activite = {_literal(TypeActivite.COLLECTIF.value)}"
    identified = "u.consent_at IS NOT NULL AND u.anonymised_at IS NULL"
    full_name = "btrim(u.first_name || ' ' || u.last_name, E' \\t\\n\\r')"
    newline = "chr(10)"
    return {
        "date": date_sql("m.date", fmt),
        "enregistre_le": _timestamp("m.created_at"),
        "modifie_le": _timestamp("m.updated_at"),
        "prenom_mediateur": safe_text_sql("c.first_name"),
        "nom_mediateur": safe_text_sql("c.last_name"),
        "role": _literal("Médiateur"),
        "id_conum": "NULL",
        "type": _label("m.type_activite", TypeActivite),
        # NULL for one person: 1 in the xlsx (a number), "1" in the CSV.
        "participants": f"CASE WHEN {collective} THEN a.rank || '/' || a.size "
        + ("END" if fmt == "xlsx" else "ELSE '1' END"),
        "beneficiaire": f"CASE WHEN {identified} THEN coalesce({safe_text_sql(full_name)}, "
        f"{_literal('Usager n°')} || u.id) ELSE {_literal(ANONYMOUS_LABEL)} END",
        "canal": _label("m.type_lieu", TypeLieu),
        "lieu_nom": safe_text_sql("l.nom"),
        "lieu_adresse": safe_text_sql("l.adresse"),
        "lieu_commune": safe_text_sql("l.commune"),
        "lieu_code_postal": safe_text_sql("l.code_postal"),
        "lieu_code_insee": safe_text_sql("l.code_insee"),
        "duree": "m.duree_minutes",
        "atelier": safe_text_sql("m.titre_atelier"),
        # Our own labels: never the start of a formula.
        "materiel": f"nullif(array_to_string({_labels('m.materiel', Materiel)}, {newline}), '')",
        "thematiques": f"nullif(array_to_string({_labels('m.thematiques', Thematique)} || "
        f"{_labels('m.thematiques_demarche', ThematiqueDemarche)}, {newline}), '')",
        "tags": safe_text_sql(f"array_to_string(m.tags, {newline})"),
        "demarche": safe_text_sql("m.nom_demarche"),
        "niveau": f"CASE WHEN {collective} THEN {_case('m.niveau_atelier', _level(NIVEAU_LEVELS))}"
        f" ELSE {_case('m.autonomie', _level(AUTONOMIE_LEVELS))} END",
        "reoriente": f"CASE WHEN {collective} THEN NULL WHEN m.redirige THEN 'Oui' ELSE 'Non' END",
        "structure_redirection": _case("m.structure_redirection", COOP_REDIRECTIONS),
        "usager_commune": safe_text_sql("u.commune"),
        "usager_code_postal": safe_text_sql("u.code_postal"),
        "usager_code_insee": safe_text_sql("u.code_insee"),
        "genre": _label("u.genre", Genre),
        "tranche_age": _age_band(),
        "statut": _label("u.statut_social", StatutSocial),
        "notes": safe_text_sql("m.notes"),
        "source": safe_text_sql("m.source_donnee"),
        "coop_id": safe_text_sql(f"coalesce(m.coop_id, {_literal(GENERATED_ID_PREFIX)} || m.id)"),
        "satisfaction": _label("m.satisfaction", Satisfaction),
        "connu_par": _label("m.source_connaissance", SourceConnaissance),
        "premiere_visite": "CASE m.premiere_visite WHEN true THEN 'Oui' WHEN false THEN 'Non' END",
        "quartier": safe_text_sql("q.nom"),
        "usager_ref": f"{_literal(USAGER_REF_PREFIX)} || coalesce(u.merged_into_id, u.id)",
    }


# What the cells are made of, unformatted: the benchmark's baseline (COPY of the same rows).
RAW_COLUMNS = (
    "m.date, m.created_at, m.updated_at, c.first_name, c.last_name, m.type_activite, a.rank, "
    "a.size, u.first_name, u.last_name, u.consent_at, u.anonymised_at, m.type_lieu, l.nom, "
    "l.adresse, l.commune, l.code_postal, l.code_insee, m.duree_minutes, m.titre_atelier, "
    "m.materiel, m.thematiques, m.thematiques_demarche, m.tags, m.nom_demarche, "
    "m.niveau_atelier, m.autonomie, m.redirige, m.structure_redirection, u.commune, "
    "u.code_postal, u.code_insee, u.genre, u.birth_year, u.tranche_age, u.statut_social, "
    "m.notes, m.source_donnee, m.coop_id, m.satisfaction, m.source_connaissance, "
    "m.premiere_visite, q.nom, u.merged_into_id, u.id"
)


def export_query(
    mediations, keys: list[str], fmt: str = "xlsx", *, columns: str | None = None
) -> tuple[str, tuple]:
    """SQL and parameters of the rows: one per accompagnement of `mediations` (a queryset, the
    viewer's visibility and filters already applied), with its rank i and count n in the
    activity, ordered by date and activity. `columns` replaces the cells (RAW_COLUMNS)."""
    visible, params = mediations.order_by().values("pk").query.sql_with_params()
    if columns is None:
        cells = _cells(fmt)
        columns = ",\n       ".join(cells[k] for k in keys)
    sql = f"""
SELECT {columns}
FROM (SELECT a.id, a.mediation_id, a.usager_id,
             row_number() OVER (PARTITION BY a.mediation_id ORDER BY a.id) AS rank,
             count(*) OVER (PARTITION BY a.mediation_id) AS size
      FROM permanences_accompagnement a WHERE a.mediation_id IN ({visible})) a
JOIN permanences_mediation m ON m.id = a.mediation_id
JOIN kernel_user c ON c.id = m.conseiller_id
JOIN kernel_usager u ON u.id = a.usager_id
LEFT JOIN reseau_lieu l ON l.id = m.lieu_id
LEFT JOIN reseau_quartier q ON q.id = u.quartier_id
ORDER BY m.date, m.id, a.id"""
    return sql, params


def _query_rows(sql: str, params, participants: int):
    """The query's rows from a server-side cursor (a few thousand rows in memory at a time)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor:
            if row[participants] is None:
                row = list(row)
                row[participants] = 1
            yield row


def _preamble(total: int, exporter, filters) -> list[list]:
    return [
        ["Informations export"],
        ["Nom", exporter.last_name],
        ["Prénom", exporter.first_name],
        ["Rôle", exporter.get_role_display()],
        ["Date d’export", timezone.localdate().strftime("%d/%m/%Y")],
        ["Nombre total", total],
        [],
        ["Filtres"],
        *[[label, value] for label, value in filters],
    ]


def export_sheet(
    *, mediations, citywide: bool, exporter, filters: list[tuple[str, str]], total=None
) -> Sheet:
    """The `Activités` sheet in La Coop's layout, filters written in the metadata block
    (`total`: the rows, when already counted)."""
    keys = CITYWIDE_COLUMNS if citywide else CONSEILLER_COLUMNS
    sql, params = export_query(mediations, keys, "xlsx")
    if total is None:
        total = _total(mediations)
    return Sheet(
        title=SHEET_NAME,
        columns=[EXPORT_HEADERS[k] for k in keys],
        rows=_query_rows(sql, params, keys.index("participants")),
        preamble=_preamble(total, exporter, filters),
        plain=True,
        number_formats={keys.index("date"): "DD/MM/YYYY"},
    )


def _total(mediations) -> int:
    return Accompagnement.objects.filter(mediation__in=mediations).count()


def xlsx_sheet_or_room(*, mediations, citywide: bool, exporter, filters) -> Sheet | int:
    """The sheet, or when its rows are more than a worksheet holds (a national programme's
    years), the most it can hold: the page then asks for a narrower selection or the CSV."""
    total = _total(mediations)
    sheet = export_sheet(
        mediations=mediations, citywide=citywide, exporter=exporter, filters=filters, total=total
    )
    return sheet if total <= sheet.room() else sheet.room()


def export_csv(*, filename: str, mediations, citywide: bool, exporter, filters, fmt: str):
    """The same rows as a CSV (`fmt` "csv" for French Excel, "csv-intl" for programs)."""
    keys = CITYWIDE_COLUMNS if citywide else CONSEILLER_COLUMNS
    sql, params = export_query(mediations, keys, fmt)
    return copy_csv_response(
        filename,
        [EXPORT_HEADERS[k] for k in keys],
        sql,
        params,
        _preamble(_total(mediations), exporter, filters),
        french=False if fmt == "csv-intl" else None,
    )
