"""The contract between the apps that own figures and `reporting`, which composes them.

Each app computes its own figures in one module of its own (e.g. `permanences/figures.py`) and
registers, in its AppConfig.ready(), the dashboard sections and API blocks it provides:

    from poitiers_inclusion import figures
    figures.register_section(figures.SectionSpec("permanences", "Permanences", 20, build_section))
    figures.register_api_block("mediations", api_block)

`reporting` then iterates the registry: adding an app's section never means editing reporting.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scope:
    """What the figures are restricted to: the dashboard's filters plus the viewer's own scope.

    `user` is the person looking: a conseiller sees only their own activity, a prescripteur only
    their structure's records; coordinator and admin see the whole city. Apps apply it themselves
    through their `visible_for(user)` querysets. Empty tuples mean "no filter".
    """

    user: Any = None
    start: datetime.date | None = None  # inclusive
    end: datetime.date | None = None  # inclusive
    lieux: tuple[int, ...] = ()
    quartiers: tuple[int, ...] = ()
    conseillers: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    thematiques: tuple[str, ...] = ()


def percent(value: float | None) -> str:
    """A share for display, the French way: 12.5 -> "12,5 %" (no-break space), None -> "—"."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",") + "\u00a0%"


def memoized(scope: Scope, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per Scope object: sections built for one request share their aggregates.

    Kept on the instance (not keyed by equality), so a later request never sees earlier figures.
    """
    memo = scope.__dict__.setdefault("_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@dataclass
class Table:
    """A table of figures; `chart` says how to draw it (bar, line, stacked, pie) or None.

    `public`: may appear on a view shared by link with people outside the programme (False for
    tables naming staff, e.g. per conseiller)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: str | None = "bar"
    note: str = ""
    public: bool = True


@dataclass
class Section:
    key: str
    title: str
    kpis: list[tuple[str, Any]] = field(default_factory=list)  # (label, value)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    order: int
    build: Callable[[Scope], Section]
    # The roles the section is for (empty: everyone): a prescripteur, who sees no médiation, is
    # not shown empty médiation sections.
    roles: tuple[str, ...] = ()

    def shown_to(self, user) -> bool:
        return not self.roles or user is None or getattr(user, "role", None) in self.roles


_SECTIONS: dict[str, SectionSpec] = {}
_API_BLOCKS: dict[str, Callable[[Scope], dict]] = {}


def register_section(spec: SectionSpec) -> None:
    _SECTIONS[spec.key] = spec


def register_api_block(key: str, build: Callable[[Scope], dict]) -> None:
    """`build(scope)` returns a JSON-ready dict, served under `key` by the statistics API."""
    _API_BLOCKS[key] = build


def sections(user=None) -> list[SectionSpec]:
    """The registered sections in order; those meant for `user`'s role when a user is given."""
    ordered = sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    return [spec for spec in ordered if spec.shown_to(user)]


def api_blocks() -> dict[str, Callable[[Scope], dict]]:
    return dict(_API_BLOCKS)
