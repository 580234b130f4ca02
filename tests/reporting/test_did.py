"""Difference in differences on crafted series whose answer is worked out by hand."""

import datetime

import pandas as pd
import pytest

from reporting.did import caveats, difference_in_differences, result_tables

D = datetime.date


def _frame(series: dict[int, list[float]]):
    rows = []
    for quartier, values in series.items():
        for i, value in enumerate(values):
            rows.append({"quartier": quartier, "mois": D(2022, 1 + i, 1), "valeur": value})
    return pd.DataFrame(rows)


# January to April 2022. Quartiers 1 and 2 open in March; 3 and 4 never have a permanence.
SERIES = {1: [10, 10, 16, 16], 2: [20, 20, 24, 24], 3: [5, 5, 7, 7], 4: [5, 5, 5, 5]}
OPENINGS = {1: D(2022, 3, 15), 2: D(2022, 3, 1)}


def test_it_finds_the_difference_worked_out_by_hand():
    # With a permanence: before (10+20)/2 = 15, after (16+24)/2 = 20, so +5.
    # Without: before 5, after (7+5)/2 = 6, so +1.  DiD = 5 - 1 = 4.
    result = difference_in_differences(_frame(SERIES), OPENINGS)
    assert result.did == pytest.approx(4)
    assert (result.treated, result.control) == (2, 2)
    cohort = result.cohorts.iloc[0]
    assert cohort["ouverture"] == pd.Timestamp(2022, 3, 1)
    assert [cohort[c] for c in ("avec_avant", "avec_apres", "sans_avant", "sans_apres")] == [
        15,
        20,
        5,
        6,
    ]


def test_it_weights_each_opening_by_its_quartiers():
    # Quartier 5 opens in February: before 0, after 3, so +3; the quartiers without go from 5
    # (January) to (5+7+7 + 5+5+5)/6 = 34/6, so +2/3: its DiD is 3 - 2/3 = 7/3.
    # Overall: (4 × 2 quartiers + 7/3 × 1 quartier) / 3.
    series = {**SERIES, 5: [0, 3, 3, 3]}
    result = difference_in_differences(_frame(series), {**OPENINGS, 5: D(2022, 2, 10)})
    by_month = {row.ouverture.month: row.did for row in result.cohorts.itertuples()}
    assert by_month[2] == pytest.approx(7 / 3)
    assert by_month[3] == pytest.approx(4)
    assert result.did == pytest.approx((4 * 2 + 7 / 3) / 3)


def test_a_quartier_open_before_the_series_is_left_out_and_one_opened_after_is_a_control():
    series = {**SERIES, 6: [100, 100, 100, 100], 7: [5, 5, 7, 7]}
    openings = {**OPENINGS, 6: D(2021, 6, 1), 7: D(2023, 1, 1)}
    result = difference_in_differences(_frame(series), openings)
    assert result.left_out == [6]
    assert result.control == 3
    # Without: before 5, after (7+5+7)/3: the change is 4/3 instead of 1.
    assert result.did == pytest.approx(5 - 4 / 3)
    assert any("déjà une permanence" in note for note in caveats(result))


def test_it_cannot_compare_without_quartiers_lacking_a_permanence():
    result = difference_in_differences(_frame({1: [1, 2, 3, 4]}), {1: D(2022, 3, 1)})
    assert result.did is None
    assert any("comparaison est impossible" in note for note in caveats(result))


def test_it_warns_about_small_numbers():
    notes = caveats(difference_in_differences(_frame(SERIES), OPENINGS))
    assert any("Petits effectifs : 2 quartier(s) avec permanence et 2 sans" in n for n in notes)
    assert any("ordre de grandeur" in n for n in notes)


def test_its_tables_carry_the_means_for_the_chart():
    tables = {t.key: t for t in result_tables(difference_in_differences(_frame(SERIES), OPENINGS))}
    assert tables["avant_apres"].rows == [
        ["Quartiers avec permanence", 15, 20],
        ["Quartiers sans permanence", 5, 6],
    ]
    assert tables["par_mois"].rows[2] == ["03/2022", 20, 6]
    assert tables["par_ouverture"].rows[0][-1] == 4
