"""Figures of the workshop path: the one place that says what they mean and how they count.

- a *session held* (séance tenue) is a session of the period whose day has come and that was not
  cancelled;
- a *participation* is one person marked present at a session held; *unique participants* are
  distinct people (a record merged into another counts as that other one);
- the *fill rate* is registered places over the places offered, on the sessions held (people who
  came without registering take a place too);
- the *attendance rate* is people present over people registered, on the sessions where
  attendance was taken;
- the *waiting list* counts people still waiting when the session was held (demand not met), and
  those who got a place from it.

The dashboard's filters apply as follows: period (session day), lieux and quartiers (the session's
lieu), conseillers (facilitators). Workshops are collective activities: the médiation log's
activity-type filter on individual help only leaves none. Thématiques belong to the médiation log
and do not filter workshops (the dashboard says so on this section).

How they are computed: `figures_data` gives, for a scope, the sessions held and the presences
at them as numpy arrays (from the workshops' figures store, else from PostgreSQL in two
statements); every table below is a sum or a distinct count over those arrays. At national scale
(200,000 sessions, 1.3 million registrations) the former one-statement-per-figure path took 7 s.
tests/ateliers/test_figures_equivalence.py compares both on random data, writes and filters.
"""

import datetime

import numpy as np
from django.db import connection

from poitiers_inclusion import figures
from poitiers_inclusion.enums import TrancheAge
from poitiers_inclusion.models import Usager
from reseau.models import Lieu

from . import figures_data
from .figures_data import ACTIVITY_TYPE
from .models import Module
from .perms import READERS

# The dashboard filters this section applies, besides the period.
FILTERS = ("lieu", "quartier", "conseiller", ACTIVITY_TYPE)


def participants(scope: figures.Scope) -> set[int]:
    """The people (kept records' ids) present at least once at a session held in the scope."""
    return set(figures_data.held(scope).persons().tolist())


def participant_ids(scope: figures.Scope) -> np.ndarray:
    """`participants` as a sorted array (the cross-app count at national scale)."""
    return figures.memoized(
        scope, "ateliers.participant_ids", lambda: figures_data.held(scope).persons()
    )


def _rate(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def totals(scope: figures.Scope) -> dict:
    def compute():
        held = figures_data.held(scope)
        s = {name: int(values.sum()) for name, values in held.sessions.items()}
        # Attendance rate: only where attendance was taken (someone marked present or absent).
        taken = held.sessions["pointes"] > 0
        registered_where_taken = int(held.sessions["inscrits"][taken].sum())
        presents_where_taken = int(held.sessions["inscrits_presents"][taken].sum())
        return {
            "seances": len(held.sessions["id"]),
            "participants_uniques": len(participant_ids(scope)),
            "participations": s["presents"],
            "inscriptions": s["inscrits"],
            "places": s["places"],
            "liste_attente": s["attente"],
            "passes_de_la_liste_attente": s["promus"],
            "taux_remplissage": _rate(s["inscrits"], s["places"]),
            "taux_presence": _rate(presents_where_taken, registered_where_taken),
        }

    return figures.memoized(scope, "ateliers.totals", compute)


def _groups(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values, each session's group index among them)."""
    return np.unique(values, return_inverse=True)


def per_module(scope: figures.Scope) -> list[dict]:
    held = figures_data.held(scope)
    ids, key = _groups(held.sessions["module"])
    sessions = np.bincount(key, minlength=len(ids))
    registered, present = held.per(key, "inscrits"), held.per(key, "presents")
    places, people = held.per(key, "places"), held.people_per(key)
    index = {int(pk): i for i, pk in enumerate(ids)}
    modules = (
        Module.objects.filter(pk__in=index)
        .order_by("parcours__ordre", "ordre", "titre")
        .select_related("parcours")
    )
    result = []
    for module in modules:
        i = index[module.pk]
        result.append(
            {
                "module": module,
                "seances": int(sessions[i]),
                "inscrits": int(registered[i]),
                "presents": int(present[i]),
                "personnes": int(people[i]),
                "remplissage": _rate(int(registered[i]), int(places[i])),
            }
        )
    return result


def per_lieu(scope: figures.Scope) -> list[dict]:
    """Per lieu's name (two lieux of the same name are one line, as on the former path)."""
    held = figures_data.held(scope)
    lieux, of_lieu = _groups(held.sessions["lieu"])
    names = dict(Lieu.objects.filter(pk__in=lieux.tolist()).values_list("pk", "nom"))
    labels, of_name = _groups(np.array([names[pk] for pk in lieux.tolist()], dtype=object))
    key = of_name[of_lieu] if len(of_lieu) else of_lieu
    sessions = np.bincount(key, minlength=len(labels))
    present, people = held.per(key, "presents"), held.people_per(key)
    return [
        {
            "lieu": nom,
            "seances": int(sessions[i]),
            "presents": int(present[i]),
            "personnes": int(people[i]),
        }
        for i, nom in enumerate(labels.tolist())
    ]


def per_month(scope: figures.Scope) -> list[dict]:
    held = figures_data.held(scope)
    day = held.sessions["day"].astype("datetime64[D]")
    months, key = _groups(day.astype("datetime64[M]"))
    sessions = np.bincount(key, minlength=len(months))
    present = held.per(key, "presents")
    return [
        {
            "mois": month.astype(datetime.date),
            "seances": int(sessions[i]),
            "presents": int(present[i]),
        }
        for i, month in enumerate(months)
    ]


def per_age_band(scope: figures.Scope) -> list[dict]:
    """Unique participants by age band (derived from the birth year when known)."""
    persons = participant_ids(scope)
    if not len(persons):
        return []
    counts = figures.age_bands(persons)
    if counts is None:  # no people index: grouped by what the band derives from, by SQL
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT birth_year, tranche_age, count(*) FROM kernel_usager "
                "WHERE id = ANY(%s) GROUP BY 1, 2",
                [persons.tolist()],
            )
            groups = cursor.fetchall()
        counts = {}
        for birth_year, tranche_age, n in groups:
            band = Usager(birth_year=birth_year, tranche_age=tranche_age).age_band
            counts[band] = counts.get(band, 0) + n
    return [
        {"code": code, "label": label, "valeur": counts[code]}
        for code, label in TrancheAge.choices
        if counts.get(code)
    ]


def _percent(value):
    return figures.percent(value)


def build_section(scope: figures.Scope) -> figures.Section:
    t = totals(scope)
    modules = per_module(scope)
    return figures.Section(
        key="ateliers",
        title="Ateliers",
        kpis=[
            ("Séances tenues", t["seances"]),
            ("Participants uniques", t["participants_uniques"]),
            ("Présences", t["participations"]),
            ("Taux de remplissage", _percent(t["taux_remplissage"])),
            ("Taux de présence", _percent(t["taux_presence"])),
            ("Restés en liste d'attente", t["liste_attente"]),
            ("Places obtenues depuis la liste d'attente", t["passes_de_la_liste_attente"]),
        ],
        tables=[
            figures.Table(
                "ateliers_modules",
                "Par module",
                [
                    "Module",
                    "Niveau",
                    "Séances",
                    "Inscrits",
                    "Présences",
                    "Participants uniques",
                    "Remplissage (%)",
                ],
                [
                    [
                        row["module"].titre,
                        row["module"].get_niveau_display(),
                        row["seances"],
                        row["inscrits"],
                        row["presents"],
                        row["personnes"],
                        row["remplissage"],
                    ]
                    for row in modules
                ],
                chart=None,
            ),
            figures.Table(
                "ateliers_mois",
                "Séances et présences par mois",
                ["Mois", "Séances", "Présences"],
                [
                    [f"{row['mois']:%m/%Y}", row["seances"], row["presents"]]
                    for row in per_month(scope)
                ],
                chart="line",
            ),
            figures.Table(
                "ateliers_lieux",
                "Par lieu",
                ["Lieu", "Séances", "Présences", "Participants uniques"],
                [
                    [row["lieu"], row["seances"], row["presents"], row["personnes"]]
                    for row in per_lieu(scope)
                ],
                chart="bar",
            ),
            figures.Table(
                "ateliers_ages",
                "Participants par tranche d'âge",
                ["Tranche d'âge", "Participants uniques"],
                [[row["label"], row["valeur"]] for row in per_age_band(scope)],
                chart="bar",
            ),
        ],
        notes=[
            "Une séance tenue est une séance non annulée dont le jour est passé ; le taux de "
            "présence se calcule sur les séances où la présence a été notée."
        ],
    )


def api_block(scope: figures.Scope) -> dict:
    t = totals(scope)
    return {
        **{key: value for key, value in t.items() if not key.startswith("taux_")},
        "taux_remplissage": t["taux_remplissage"],
        "taux_presence": t["taux_presence"],
        "par_module": [
            {
                "code": str(row["module"].pk),
                "label": row["module"].titre,
                "valeur": row["seances"],
                "presences": row["presents"],
                "participants_uniques": row["personnes"],
            }
            for row in per_module(scope)
        ],
        "par_mois": [
            {
                "code": f"{row['mois']:%Y-%m}",
                "label": f"{row['mois']:%m/%Y}",
                "valeur": row["seances"],
                "presences": row["presents"],
            }
            for row in per_month(scope)
        ],
        "par_tranche_age": per_age_band(scope),
    }


def register():
    figures.register_section(
        figures.SectionSpec(
            "ateliers", "Ateliers", 35, build_section, roles=READERS, filters=FILTERS
        )
    )
    figures.register_api_block("ateliers", api_block)
