"""Coverage of the territory: for each quartier and each service, the places that offer it and
their drop-in hours per week; a cell with no place is a *zone blanche*."""

from collections import namedtuple
from dataclasses import dataclass, field

from django.db import connection

from . import hours
from .enums import Service
from .models import Lieu, Quartier


@dataclass
class Cell:
    service: str
    lieux: list = field(default_factory=list)
    heures: float = 0.0

    @property
    def count(self) -> int:
        return len(self.lieux)

    @property
    def zone_blanche(self) -> bool:
        return not self.lieux


@dataclass
class Row:
    quartier: Quartier
    cells: list[Cell]

    @property
    def nb_lieux(self) -> int:
        return len({lieu.pk for cell in self.cells for lieu in cell.lieux})

    @property
    def zones_blanches(self) -> int:
        return sum(cell.zone_blanche for cell in self.cells)


@dataclass
class Matrix:
    services: list[tuple[str, str]]
    rows: list[Row]

    @property
    def zones_blanches(self) -> int:
        return sum(row.zones_blanches for row in self.rows)

    def row_for(self, quartier) -> Row:
        return next(row for row in self.rows if row.quartier.pk == quartier.pk)

    def cell(self, quartier, service) -> Cell:
        return next(c for c in self.row_for(quartier).cells if c.service == service)


# What the matrix reads of a place, as plain rows: it shows counts and hours only (a région's
# thousands of places, each a wide model instance otherwise).
Place = namedtuple("Place", ["pk", "quartier_id", "services", "horaires"])


def matrix(services=None, quartiers=None) -> Matrix:
    """The quartier × service matrix over the active places (QPV quartiers first); its cells'
    places are `Place` rows."""
    services = services or list(Service.choices)
    lieux = Lieu.objects.active()
    if quartiers is None:  # every quartier: no IN list of a région's thousands
        quartiers, lieux = list(Quartier.objects.all()), lieux.filter(quartier__isnull=False)
    else:
        quartiers = list(quartiers)
        lieux = lieux.filter(quartier__in=quartiers)
    quartiers.sort(key=lambda q: (not q.qpv, q.nom))
    lieux = [Place(*row) for row in lieux.values_list(*Place._fields)]
    hours_of = hours.hours_by_lieu(lieux)
    by_quartier: dict[int, list] = {}
    for lieu in lieux:
        by_quartier.setdefault(lieu.quartier_id, []).append(lieu)
    rows = []
    for quartier in quartiers:
        cells = []
        for code, _label in services:
            offering = [lieu for lieu in by_quartier.get(quartier.pk, []) if code in lieu.services]
            cells.append(
                Cell(code, offering, round(sum(hours_of[lieu.pk] for lieu in offering), 1))
            )
        rows.append(Row(quartier, cells))
    return Matrix(services, rows)


# The quartier as the counts show it (a région's thousands, with their contours, not read).
Named = namedtuple("Named", ["pk", "nom", "qpv"])


@dataclass
class CountedRow:
    quartier: Named
    nb_lieux: int
    zones_blanches: int


@dataclass
class Counts:
    rows: list[CountedRow]

    @property
    def zones_blanches(self) -> int:
        return sum(row.zones_blanches for row in self.rows)


# Per quartier, its active places offering one of the services and the services they offer.
_OFFERED_SQL = f"""
SELECT l.quartier_id, count(DISTINCT l.id), array_agg(DISTINCT s)
FROM {Lieu._meta.db_table} l CROSS JOIN LATERAL unnest(l.services) s
WHERE l.archived_at IS NULL AND l.quartier_id IS NOT NULL AND s = ANY(%s)
GROUP BY 1
"""


def counts(services=None) -> Counts:
    """`matrix`'s counts of places and zones blanches per quartier (the figures), counted by
    PostgreSQL: no place read, no hours (tens of thousands of cells at national scale)."""
    codes = [code for code, _label in services or Service.choices]
    quartiers = [Named(*row) for row in Quartier.objects.values_list(*Named._fields)]
    quartiers.sort(key=lambda q: (not q.qpv, q.nom))
    with connection.cursor() as cursor:
        cursor.execute(_OFFERED_SQL, [codes])
        offered = {quartier: (n, set(found)) for quartier, n, found in cursor.fetchall()}
    rows = []
    for quartier in quartiers:
        places, found = offered.get(quartier.pk, (0, ()))
        rows.append(CountedRow(quartier, places, sum(code not in found for code in codes)))
    return Counts(rows)
