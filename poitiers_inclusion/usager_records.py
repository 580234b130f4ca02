"""What the other apps hold on a usager, shown on their page and exported with their data.

The usager's page and the export of everything held on a person (RGPD right of access) live in
`permanences`, which cannot import its sibling apps. Each app that keeps records about a person
registers a `Holding` in its AppConfig.ready(); the page and the export walk the registry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Holding:
    key: str  # the key of this part in the JSON export
    title: str  # its heading on the page and in the printable version
    columns: list[str]
    # rows(usager, viewer) -> the rows the viewer may see (viewer None: the export, everything)
    rows: Callable[[Any, Any], list[list]]


_HOLDINGS: dict[str, Holding] = {}


def register(holding: Holding) -> None:
    _HOLDINGS[holding.key] = holding


def holdings() -> list[Holding]:
    return sorted(_HOLDINGS.values(), key=lambda h: h.key)


def tables_for(usager, viewer) -> list[dict]:
    """The parts to show on the usager's page, as {"title", "columns", "rows"}."""
    return [
        {"key": h.key, "title": h.title, "columns": h.columns, "rows": h.rows(usager, viewer)}
        for h in holdings()
    ]


def export_for(usager) -> dict[str, list[dict]]:
    """Every registered part, whole, each row as a dict keyed by the column names."""
    return {
        h.key: [dict(zip(h.columns, row, strict=True)) for row in h.rows(usager, None)]
        for h in holdings()
    }
