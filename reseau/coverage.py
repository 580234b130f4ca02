"""Coverage of the territory: for each quartier and each service, the places that offer it and
their drop-in hours per week; a cell with no place is a *zone blanche*."""

from collections import namedtuple
from dataclasses import dataclass, field

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


# What the matrix itself reads of a place: the figures, which show counts only, read no more,
# as plain rows (a région's thousands of places, each a wide model instance).
Counted = namedtuple("Counted", ["pk", "quartier_id", "services", "horaires"])


def matrix(services=None, quartiers=None, counts_only=False) -> Matrix:
    """The quartier × service matrix over the active places (QPV quartiers first);
    `counts_only`: its places are `Counted` rows (no name or address to show)."""
    services = services or list(Service.choices)
    quartiers = list(quartiers if quartiers is not None else Quartier.objects.all())
    quartiers.sort(key=lambda q: (not q.qpv, q.nom))
    lieux = Lieu.objects.active().filter(quartier__in=quartiers)
    if counts_only:
        lieux = [Counted(*row) for row in lieux.values_list(*Counted._fields)]
    else:
        lieux = list(lieux)
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
