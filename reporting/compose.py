"""Composition of the figures registered by the apps: sections, API payload and export sheets.

Nothing here knows which apps exist: it walks `poitiers_inclusion.figures`' registry.
"""

import datetime
from collections.abc import Iterator

from django.http import Http404
from django.utils import timezone

from poitiers_inclusion import figures
from poitiers_inclusion.exports import Sheet
from poitiers_inclusion.replica import reporting_reads


def build_sections(scope: figures.Scope) -> list[figures.Section]:
    with reporting_reads():  # from the read replica when there is one
        return [spec.build(scope) for spec in figures.sections(scope.user)]


def build_section(key: str, scope: figures.Scope) -> figures.Section:
    for spec in figures.sections(scope.user):
        if spec.key == key:
            with reporting_reads():
                return spec.build(scope)
    raise Http404("Cette section n'existe pas.")


def find_table(section: figures.Section, key: str) -> figures.Table:
    for table in section.tables:
        if table.key == key:
            return table
    raise Http404("Ce tableau n'existe pas.")


def api_payload(scope: figures.Scope) -> dict:
    payload = {"periode": {"du": _iso(scope.start), "au": _iso(scope.end)}}
    with reporting_reads():
        for key, build in sorted(figures.api_blocks().items()):
            payload[key] = build(scope)
    return payload


def _iso(day: datetime.date | None):
    return day.isoformat() if day else None


def preamble(title: str, filters: list[tuple[str, str]]) -> list[list]:
    """The lines written above every exported table: what it is, when, and which filters."""
    now = timezone.localtime()
    lines = [[title], ["Exporté le", now.strftime("%d/%m/%Y à %H:%M")]]
    lines += [[label, value] for label, value in filters]
    return lines


def section_rows(section: figures.Section) -> Iterator[list]:
    """A whole section as rows of one sheet: key figures, then each table under its title."""
    if section.kpis:
        yield ["Chiffres clés"]
        for label, value in section.kpis:
            yield [label, value]
        yield []
    for table in section.tables:
        yield [table.title]
        yield list(table.columns)
        yield from (list(row) for row in table.rows)
        if table.note:
            yield [table.note]
        yield []
    for note in section.notes:
        yield [note]


def dashboard_sheets(
    sections: list[figures.Section], filters: list[tuple[str, str]]
) -> Iterator[Sheet]:
    for section in sections:
        yield Sheet(
            title=section.title,
            columns=[],
            rows=section_rows(section),
            preamble=preamble(f"Tableau de bord — {section.title}", filters),
        )
