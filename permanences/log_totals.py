"""The totals shown above "Mon activité": what the list's filters select, counted as the
figures count it (permanences/figures/aggregates.py says what each unit means).

Every total counts the activities with at least one person helped, as the dashboard does, so
the same filters give the same figures on both screens. The list's filters that the dashboard
also has (period, lieu, type, thématique, conseiller) are answered by the figures store, at any
volume; a search by usager is answered by SQL over the few activities it selects.
"""

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection

from poitiers_inclusion import figures

from .figures import aggregates, engine
from .figures.aggregates import MERGED, PERSON, THEMATIQUE, TYPE


def hours_in_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def activity_totals(filterset, user) -> dict:
    """Activités (reports with people), médiations (accompagnements: one per person helped),
    distinct people (a merged usager counts as the record kept; each anonymous one is a person)
    and the hours of those activities."""
    scope = _scope(filterset, user)
    counts = scope_totals(scope) if scope is not None else _live(filterset.qs)
    minutes = counts.pop("minutes")
    return {**counts, "heures": hours_in_words(minutes)}


def scope_totals(scope: figures.Scope) -> dict:
    """The same counts, minutes unformatted, for a figures scope: from the store when there is
    one, else by SQL (both give the same figures: tests/permanences/test_figures_store.py)."""
    counts = _stored(scope)
    return counts if counts is not None else _live(aggregates.mediations(scope))


def _scope(filterset, user) -> figures.Scope | None:
    """The list's filters as a figures scope; None when they hold a search by usager (not a
    dimension of the figures) or are invalid (the list then shows everything the viewer sees,
    and so does the live count)."""
    if not filterset.is_valid() or filterset.form.cleaned_data.get("usager"):
        return None
    data = filterset.form.cleaned_data
    lieu, conseiller = data.get("lieu"), data.get("conseiller")
    return figures.Scope(
        user=user,
        start=data.get("du"),
        end=data.get("au"),
        lieux=(lieu.pk,) if lieu else (),
        conseillers=(conseiller.pk,) if conseiller else (),
        app_filters={
            TYPE: [data["type_activite"]] if data.get("type_activite") else [],
            THEMATIQUE: [data["thematique"]] if data.get("thematique") else [],
        },
    )


def _stored(scope: figures.Scope) -> dict | None:
    rows = engine.rows_for(scope)
    if rows is None:
        return None
    meds = rows["med"]
    if not len(meds):
        return {"activites": 0, "mediations": 0, "personnes": 0, "minutes": 0}
    # One duration per activity, whatever the number of people in it.
    minutes = np.zeros(int(meds.max()) + 1, dtype=np.int64)
    minutes[meds] = rows["minutes"]
    return {
        "activites": engine.distinct(meds),
        "mediations": len(meds),
        "personnes": engine.distinct(rows.person()),
        "minutes": int(minutes.sum()),
    }


def _live(mediations) -> dict:
    try:
        sql, params = mediations.order_by().values("id", "duree_minutes").query.sql_with_params()
    except EmptyResultSet:
        return {"activites": 0, "mediations": 0, "personnes": 0, "minutes": 0}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(DISTINCT m.id), count(*), count(DISTINCT {PERSON}),
                       (SELECT COALESCE(sum(w.duree_minutes), 0) FROM ({sql}) w
                        WHERE EXISTS (SELECT 1 FROM permanences_accompagnement x
                                      WHERE x.mediation_id = w.id))
                FROM ({sql}) m JOIN permanences_accompagnement a ON a.mediation_id = m.id
                {MERGED}""",  # noqa: S608
            [*params, *params],
        )
        activites, accompagnements, personnes, minutes = cursor.fetchone()
    return {
        "activites": activites,
        "mediations": accompagnements,
        "personnes": personnes,
        "minutes": minutes,
    }
