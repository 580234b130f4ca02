"""Difference in differences: quartiers with a permanence against those without, around openings.

For each opening month (a cohort of quartiers whose first permanence opened that month), the
indicator's mean before and after the opening is compared, in the cohort and in the quartiers
without a permanence over the same months:

    DiD = (cohort after − cohort before) − (without after − without before)

The opening month counts as "after". Quartiers whose permanence opened at or before the series'
first month have no "before" and are left out; quartiers that opened after its last month count
as without a permanence. The overall figure is the mean of the cohorts' DiD weighted by the
number of quartiers in each cohort.
"""

import datetime
from dataclasses import dataclass, field

import pandas as pd

from poitiers_inclusion.figures import Table

SMALL_GROUP = 5


@dataclass
class DidResult:
    cohorts: pd.DataFrame  # one row per opening month
    monthly: pd.DataFrame  # mois, avec, sans: mean value per month in each group
    did: float | None  # overall difference in differences
    treated: int = 0
    control: int = 0
    left_out: list[int] = field(default_factory=list)  # quartiers opened before the series


def month_start(day) -> pd.Timestamp:
    return pd.Timestamp(day).to_period("M").to_timestamp()


def difference_in_differences(
    values: pd.DataFrame, openings: dict[int, datetime.date]
) -> DidResult:
    """`values`: columns quartier, mois, valeur (one row per quartier and month)."""
    df = values.copy()
    df["mois"] = df["mois"].map(month_start)
    df["valeur"] = df["valeur"].astype(float)
    first, last = df["mois"].min(), df["mois"].max()
    opened = {q: month_start(d) for q, d in openings.items() if q in set(df["quartier"])}
    treated = {q: m for q, m in opened.items() if first < m <= last}
    left_out = sorted(q for q, m in opened.items() if m <= first)
    control = sorted(set(df["quartier"]) - set(opened) | {q for q, m in opened.items() if m > last})
    empty_cohorts = pd.DataFrame(
        columns=[
            "ouverture",
            "avec",
            "sans",
            "avec_avant",
            "avec_apres",
            "sans_avant",
            "sans_apres",
            "did",
        ]
    )
    if df.empty:
        return DidResult(empty_cohorts, pd.DataFrame(columns=["mois", "avec", "sans"]), None)

    in_control = df[df["quartier"].isin(control)]
    rows = []
    for opening, members in pd.Series(treated).groupby(lambda q: treated[q]):
        group = df[df["quartier"].isin(members.index)]
        before, after = group[group["mois"] < opening], group[group["mois"] >= opening]
        c_before = in_control[in_control["mois"] < opening]
        c_after = in_control[in_control["mois"] >= opening]
        means = [s["valeur"].mean() for s in (before, after, c_before, c_after)]
        did = (
            None
            if any(pd.isna(m) for m in means)
            else (means[1] - means[0]) - (means[3] - means[2])
        )
        rows.append([opening, len(members), len(control), *means, did])
    cohorts = pd.DataFrame(rows, columns=empty_cohorts.columns) if rows else empty_cohorts

    valid = cohorts.dropna(subset=["did"])
    overall = None
    if not valid.empty:
        overall = float((valid["did"] * valid["avec"]).sum() / valid["avec"].sum())

    group = df["quartier"].map(
        lambda q: "avec" if q in treated else ("sans" if q in control else None)
    )
    monthly = (
        df.assign(groupe=group)
        .dropna(subset=["groupe"])
        .pivot_table(index="mois", columns="groupe", values="valeur", aggfunc="mean")
        .reindex(columns=["avec", "sans"])
        .reset_index()
    )
    return DidResult(cohorts, monthly, overall, len(treated), len(control), left_out)


def _round(value):
    return None if value is None or pd.isna(value) else round(float(value), 2)


def result_tables(result: DidResult) -> list[Table]:
    """The result as dashboard tables: before/after by group, month by month, each opening."""
    tables = []
    valid = result.cohorts.dropna(subset=["did"])
    if not valid.empty:
        weights = valid["avec"]

        def weighted(column):
            return _round((valid[column] * weights).sum() / weights.sum())

        tables.append(
            Table(
                key="avant_apres",
                title="Moyenne mensuelle avant et après l'ouverture",
                columns=["Groupe", "Avant l'ouverture", "Après l'ouverture"],
                rows=[
                    ["Quartiers avec permanence", weighted("avec_avant"), weighted("avec_apres")],
                    ["Quartiers sans permanence", weighted("sans_avant"), weighted("sans_apres")],
                ],
                chart="bar",
            )
        )
    if not result.monthly.empty:
        tables.append(
            Table(
                key="par_mois",
                title="Moyenne par quartier, mois par mois",
                columns=["Mois", "Quartiers avec permanence", "Quartiers sans permanence"],
                rows=[
                    [f"{row.mois:%m/%Y}", _round(row.avec), _round(row.sans)]
                    for row in result.monthly.itertuples()
                ],
                chart="line",
            )
        )
    if not result.cohorts.empty:
        tables.append(
            Table(
                key="par_ouverture",
                title="Détail par mois d'ouverture",
                columns=[
                    "Ouverture",
                    "Quartiers avec permanence",
                    "Quartiers sans permanence",
                    "Avec : avant",
                    "Avec : après",
                    "Sans : avant",
                    "Sans : après",
                    "Différence de différences",
                ],
                rows=[
                    [
                        f"{row.ouverture:%m/%Y}",
                        int(row.avec),
                        int(row.sans),
                        _round(row.avec_avant),
                        _round(row.avec_apres),
                        _round(row.sans_avant),
                        _round(row.sans_apres),
                        _round(row.did),
                    ]
                    for row in result.cohorts.itertuples()
                ],
                chart=None,
            )
        )
    return tables


def caveats(result: DidResult) -> list[str]:
    notes = [
        "Prudence : la différence de différences suppose que, sans permanence, les deux groupes "
        "de quartiers auraient évolué de la même façon. Sur peu de quartiers et peu de mois, un "
        "écart peut venir du hasard, d'un autre dispositif ou d'un changement dans la façon de "
        "compter : c'est un ordre de grandeur, pas une preuve de l'effet des permanences."
    ]
    if result.treated < SMALL_GROUP or result.control < SMALL_GROUP:
        notes.append(
            f"Petits effectifs : {result.treated} quartier(s) avec permanence et "
            f"{result.control} sans. Une seule valeur inhabituelle suffit à changer le résultat."
        )
    if result.left_out:
        notes.append(
            f"{len(result.left_out)} quartier(s) avaient déjà une permanence au début de la série "
            "et ne sont pas comparés (aucun mois « avant »)."
        )
    if result.control == 0:
        notes.append(
            "Aucun quartier sans permanence dans ces données : la comparaison est impossible."
        )
    return notes
