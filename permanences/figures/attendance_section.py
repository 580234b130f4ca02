"""The drop-in schedule's dashboard section (attendance per lieu, permanence and month, and
around each change of permanence), laid out from `attendance`'s figures."""

import contextlib
import gc

from poitiers_inclusion import figures

from .attendance import (
    Attendance,
    mediations_for,
    moves,
    period,
    permanences_for,
)
from .permanence_rows import permanence_rows


def _decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


@contextlib.contextmanager
def _without_cycle_collection():
    """The section allocates a few small objects per permanence (tens of thousands at national
    scale) and no reference cycle: the cyclic collector's passes meanwhile took a sixth of its
    time (50 ms of 300 at ten million médiations). Paused, then as it was: what the section
    freed is freed by reference counting, the survivors are collected as usual after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_section(scope: figures.Scope) -> figures.Section:
    with _without_cycle_collection():
        return _build(scope)


def _build(scope: figures.Scope) -> figures.Section:
    permanences = permanence_rows(permanences_for(scope))
    start, end = period(scope, permanences)
    data = Attendance(permanences, start, end, mediations_for(scope), scope=scope)
    total = data.total()
    lieux = data.by_lieu()
    section = figures.Section("permanences", "Permanences : fréquentation")
    section.kpis = [
        ("Créneaux tenus", total.slots),
        ("Passages sur les permanences", total.visits),
        ("Usagers uniques", total.usagers),
        ("Passages par créneau", total.visits_per_slot),
        ("Créneaux vides (%)", total.empty_share),
    ]
    section.tables = [
        figures.Table(
            "passages_par_creneau_lieu",
            "Passages par créneau, par lieu",
            ["Lieu", "Passages par créneau"],
            [[s.label, s.visits_per_slot or 0] for s in lieux],
            chart="bar",
        ),
        figures.Table(
            "frequentation_lieux",
            "Fréquentation par lieu",
            [
                "Lieu",
                "Quartier",
                "Créneaux tenus",
                "Passages",
                "Passages par créneau",
                "Usagers uniques",
                "Créneaux vides (%)",
                "Très en dessous de la médiane",
            ],
            [
                [
                    s.label,
                    str(s.extra["lieu"].quartier or ""),
                    s.slots,
                    s.visits,
                    s.visits_per_slot,
                    s.usagers,
                    s.empty_share,
                    "oui" if s.extra.get("far_below") else "",
                ]
                for s in lieux
            ],
            chart=None,
        ),
        figures.Table(
            "frequentation_permanences",
            "Fréquentation par permanence",
            [
                "Permanence",
                "Créneaux tenus",
                "Créneaux fermés",
                "Passages",
                "Passages par créneau",
                "Usagers uniques",
                "Créneaux vides (%)",
            ],
            [
                [s.label, s.slots, s.closed, s.visits, s.visits_per_slot, s.usagers, s.empty_share]
                for s in data.by_permanence()
            ],
            chart=None,
        ),
        figures.Table(
            "frequentation_mois",
            "Passages par mois sur les permanences",
            ["Mois", "Passages", "Usagers uniques", "Créneaux tenus"],
            [[s.label, s.visits, s.usagers, s.slots] for s in data.by_month()],
            chart="line",
        ),
    ]
    moved = moves(permanences, start, end, mediations_for(scope), scope=scope, period=data)
    # Shown, empty, when nothing moved in the period: the table keeps its place (and its export
    # link, which the filters carry, answers whatever they are).
    section.tables.append(
        figures.Table(
            "avant_apres",
            "Avant et après les changements de permanence (6 mois de chaque côté)",
            [
                "Date",
                "Changement",
                "Quartier (ou lieu)",
                "Passages par mois avant",
                "Passages par mois après",
                "Passages par créneau avant",
                "Passages par créneau après",
            ],
            [
                [
                    f"{row['date']:%d/%m/%Y}",
                    row["change"],
                    row["area"],
                    row["before"].visits_per_month,
                    row["after"].visits_per_month,
                    row["before"].visits_per_slot,
                    row["after"].visits_per_slot,
                ]
                for row in moved
            ],
            chart=None,
            note="Toutes les permanences du quartier sont comptées, avant comme après : "
            "l'ancienne et la nouvelle adresse d'une permanence déplacée se comparent. "
            "Après un changement récent, la période « après » est encore courte."
            if moved
            else "Aucune permanence n'a été ouverte ni fermée sur cette période.",
        )
    )
    flagged = [s.label for s in lieux if s.extra.get("far_below")]
    if flagged:
        median = lieux[0].extra["median"]
        section.notes.append(
            "Lieux très en dessous de la médiane (moins de la moitié de "
            f"{_decimal(median)} passages par créneau) : {', '.join(sorted(flagged))}."
        )
    section.notes.append(
        f"Du {start:%d/%m/%Y} au {end:%d/%m/%Y}. Un créneau est une date de permanence (hors "
        "fermetures) ; un passage est une personne accompagnée sur cette permanence ce jour-là."
    )
    return section
