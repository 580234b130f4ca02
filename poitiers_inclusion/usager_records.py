"""What the other apps hold on a usager: shown on their page, exported with their data, moved
when two records of the same person are merged.

The usager's page, the export of everything held on a person (RGPD right of access) and the
merge live in `permanences`, which cannot import its sibling apps. Each app that keeps records
about a person registers a `Holding` in its AppConfig.ready(); the page, the export and the merge
walk the registry.
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
    # merge(kept=, other=, actor=) -> counts for the merge's audit entry. Moves the app's rows
    # from `other` to `kept` inside the merge's transaction; where both records hold a row on the
    # same thing (a unique constraint), the app decides which one stays.
    merge: Callable[..., dict[str, int]]
    # The app's models that point at a usager, all handled by `merge` (a test checks that every
    # model pointing at a usager is covered by a hook).
    models: tuple[type, ...]


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


def merge(*, kept, other, actor) -> dict[str, dict[str, int]]:
    """Run every app's merge hook; their counts, under each part's key."""
    return {h.key: h.merge(kept=kept, other=other, actor=actor) for h in holdings()}
