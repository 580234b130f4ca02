"""Cross-app views that reporting reads directly (DESIGN §2 lets reporting read every app)."""

import datetime

from django.db.models import Min

from ateliers import figures as ateliers_figures
from permanences.figures import activity, aggregates
from permanences.models import Permanence
from permanences.perms import READERS as MEDIATION_READERS
from poitiers_inclusion import figures


def opening_dates() -> dict[int, datetime.date]:
    """The date each quartier got its first permanence (earliest start of a recurring slot at its
    places): a one-off extra slot is an event, not an opening."""
    rows = (
        Permanence.objects.filter(lieu__quartier__isnull=False, is_one_off=False)
        .values("lieu__quartier")
        .annotate(opened=Min("valid_from"))
    )
    return {row["lieu__quartier"]: row["opened"] for row in rows}


def people(scope: figures.Scope) -> dict[str, int]:
    """People helped by the programme, each counted once whether they came to a drop-in, to a
    workshop or to both (a workshop participant also seen at a drop-in is one person)."""

    def compute():
        at_mediations = aggregates.totals(scope)["usagers_uniques"]
        at_workshops = ateliers_figures.participant_ids(scope)
        both = aggregates.count_seen(scope, at_workshops)
        return {
            "usagers_uniques": at_mediations + len(at_workshops) - both,
            "en_mediation": at_mediations,
            "en_atelier": len(at_workshops),
            "aux_deux": both,
        }

    return figures.memoized(scope, "crossapp.people", compute)


def people_section(scope: figures.Scope) -> figures.Section:
    counts = people(scope)
    return figures.Section(
        key="ensemble",
        title="Ensemble des publics",
        kpis=[
            (
                "Personnes accompagnées (médiations et ateliers)",
                counts["usagers_uniques"],
            ),
            ("dont accompagnées en médiation", counts["en_mediation"]),
            ("dont venues en atelier", counts["en_atelier"]),
            ("venues aux deux", counts["aux_deux"]),
        ],
        notes=[
            "Chaque personne compte une fois, qu'elle soit venue en médiation, en atelier ou aux "
            "deux ; les personnes anonymes comptent une fois par accompagnement."
        ],
    )


def register():
    """The cross-app view: its section (first on the dashboard) and its API block."""
    figures.register_section(
        figures.SectionSpec(
            "ensemble",
            "Ensemble des publics",
            5,
            people_section,
            roles=MEDIATION_READERS,
            filters=activity.FILTERS,
        )
    )
    figures.register_api_block("ensemble", people)
