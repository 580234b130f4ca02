"""The totals shown above "Mon activité": what the list's filters select, counted as the
figures count it (permanences/figures/aggregates.py says what each unit means)."""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Sum

from .figures.aggregates import MERGED, PERSON


def hours_in_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def activity_totals(mediations) -> dict:
    """Activités (the rows), médiations (accompagnements: one per person helped), distinct
    people (a merged usager counts as the record kept; each anonymous one is a person) and the
    hours of activity. Three aggregate queries, whatever the number of rows."""
    rows = mediations.order_by()
    plain = rows.aggregate(activites=Count("pk"), minutes=Sum("duree_minutes"))
    try:
        sql, params = rows.values("id").query.sql_with_params()
    except EmptyResultSet:
        people = {"mediations": 0, "personnes": 0}
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), count(DISTINCT {PERSON}) FROM ({sql}) m "  # noqa: S608
                f"JOIN permanences_accompagnement a ON a.mediation_id = m.id {MERGED}",
                params,
            )
            mediation_count, person_count = cursor.fetchone()
        people = {"mediations": mediation_count, "personnes": person_count}
    return {
        "activites": plain["activites"],
        **people,
        "heures": hours_in_words(plain["minutes"] or 0),
    }
