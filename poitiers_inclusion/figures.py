"""The contract between the apps that own figures and `reporting`, which composes them.

Each app computes its own figures in one module of its own (e.g. `permanences/figures.py`) and
registers, in its AppConfig.ready(), the dashboard sections and API blocks it provides, and the
dashboard filters that belong to its own records:

    from poitiers_inclusion import figures
    figures.register_section(
        figures.SectionSpec("permanences", "Permanences", 20, build_section, filters=("lieu",))
    )
    figures.register_api_block("mediations", api_block)
    figures.register_filter(figures.FilterSpec("type", "Type", TypeActivite.choices, "Tous"))

`reporting` then iterates the registry: adding an app's section or filter never means editing
reporting. A section lists the filters it applies (`SectionSpec.filters`, beyond the period);
the dashboard says on the others that a filter set does not apply to them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .exports import Percent


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
    # The filters the apps declare (`register_filter`): given as {key: values}, kept as sorted
    # (key, values) pairs so that a scope stays comparable and serialisable.
    app_filters: Any = ()

    def __post_init__(self):
        pairs = self.app_filters.items() if isinstance(self.app_filters, dict) else self.app_filters
        kept = tuple(sorted((key, tuple(values)) for key, values in pairs if values))
        object.__setattr__(self, "app_filters", kept)

    def chosen(self, key: str) -> tuple[str, ...]:
        """The values chosen for an app's filter; empty: no filter."""
        return dict(self.app_filters).get(key, ())


def percent(value: float | None) -> str:
    """A share for display, the French way: 12.5 -> "12,5 %" (no-break space), None -> "—".
    The text carries its number (exports.Percent), so a spreadsheet gets a number."""
    if value is None:
        return "—"
    return Percent(value)


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
    # The dashboard filters the section applies besides the period: "lieu", "quartier",
    # "conseiller" and the keys of the filters the apps declare.
    filters: tuple[str, ...] = ()

    def shown_to(self, user) -> bool:
        return not self.roles or user is None or getattr(user, "role", None) in self.roles


@dataclass(frozen=True)
class FilterSpec:
    """A dashboard filter an app declares on its own records: one value among `choices`. Its
    sections read it with `scope.chosen(key)` and name it in their `filters`."""

    key: str  # the query parameter, kept in bookmarks and shared views
    label: str
    choices: tuple[tuple[str, str], ...]
    empty_label: str
    order: int = 50


_SECTIONS: dict[str, SectionSpec] = {}
_API_BLOCKS: dict[str, Callable[[Scope], dict]] = {}
_FILTERS: dict[str, FilterSpec] = {}
_AGE_BANDS: list[Callable[[Any], dict[str, int] | None]] = []
_STORE_PARTS: list[tuple[Callable[[], dict], Callable[[], bool]]] = []


def register_store_part(rebuild: Callable[[], dict], ready: Callable[[], bool]) -> None:
    """An app's own columnar figures store, rewritten whenever the médiation log's is (the
    `rebuild_figures_store` command, the nightly `refresh_figures`): `rebuild()` writes it
    from the database and returns its counts; `ready()` says whether it is written and readable
    (when not, `refresh_figures` rewrites the stores without waiting for the night)."""
    if rebuild not in [part for part, _ in _STORE_PARTS]:
        _STORE_PARTS.append((rebuild, ready))


def store_parts() -> list[Callable[[], dict]]:
    return [rebuild for rebuild, _ in _STORE_PARTS]


def store_parts_ready() -> bool:
    return all(ready() for _, ready in _STORE_PARTS)


_STORE_READERS: list[Callable[[], Any]] = []


def register_store_reader(read: Callable[[], Any]) -> None:
    """`read()` loads an app's figures store (its files mapped, its people arrays built), as the
    first figures of a process would: `warm_stores` calls it when a web worker starts."""
    if read not in _STORE_READERS:
        _STORE_READERS.append(read)


def warm_stores() -> None:
    """Load every figures store in this process now, so that the first visitor of a new web
    worker (gunicorn's post_worker_init, deploy/gunicorn.conf.py) does not wait for it."""
    for read in _STORE_READERS:
        read()


def register_age_bands(lookup: Callable[[Any], dict[str, int] | None]) -> None:
    """An app that holds every person's age band in memory (the médiation log's figures store)
    answers other apps' counts of people per band: `lookup(ids)` (a sorted array of distinct
    kept records' ids) returns {TrancheAge code: people}, or None when it cannot say."""
    _AGE_BANDS.append(lookup)


def age_bands(ids) -> dict[str, int] | None:
    """People per age band of the current year among `ids`, if an app can say without SQL."""
    for lookup in _AGE_BANDS:
        if (found := lookup(ids)) is not None:
            return found
    return None


def register_section(spec: SectionSpec) -> None:
    _SECTIONS[spec.key] = spec


def register_api_block(key: str, build: Callable[[Scope], dict]) -> None:
    """`build(scope)` returns a JSON-ready dict, served under `key` by the statistics API."""
    _API_BLOCKS[key] = build


def register_filter(spec: FilterSpec) -> None:
    _FILTERS[spec.key] = spec


def filter_specs() -> list[FilterSpec]:
    return sorted(_FILTERS.values(), key=lambda f: (f.order, f.key))


def sections(user=None) -> list[SectionSpec]:
    """The registered sections in order; those meant for `user`'s role when a user is given."""
    ordered = sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    return [spec for spec in ordered if spec.shown_to(user)]


def api_blocks() -> dict[str, Callable[[Scope], dict]]:
    return dict(_API_BLOCKS)
