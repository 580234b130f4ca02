"""Charts are drawn from a table's numeric columns; the numbers stay in the table."""

from poitiers_inclusion.figures import Table
from reporting.charts import build_chart, format_number, nice_ceiling


def test_bars_are_scaled_on_a_round_maximum():
    chart = build_chart(Table("t", "T", ["Lieu", "Visites"], [["A", 40], ["B", 10]]))
    assert [row["bars"][0]["pct"] for row in chart.rows] == ["80.00", "20.00"]  # axis up to 50


def test_percentages_are_not_drawn_on_the_same_axis_as_counts():
    table = Table("t", "T", ["Lieu", "Visites", "Créneaux vides (%)"], [["A", 40, 12.5]])
    assert [s["label"] for s in build_chart(table).series] == ["Visites"]


def test_a_stacked_bar_is_as_long_as_its_total():
    chart = build_chart(
        Table("t", "T", ["Mois", "Ind.", "Coll."], [["01", 3, 1], ["02", 6, 4]], chart="stacked")
    )
    assert chart.rows[1]["total"] == "10"
    assert [b["pct"] for b in chart.rows[1]["bars"]] == ["60.00", "40.00"]


def test_a_table_without_numbers_or_rows_has_no_chart():
    assert build_chart(Table("t", "T", ["Lieu", "Adresse"], [["A", "1 rue"]])) is None
    assert build_chart(Table("t", "T", ["Lieu", "Visites"], [])) is None
    assert build_chart(Table("t", "T", ["Lieu", "Visites"], [["A", 1]], chart=None)) is None


def test_numbers_are_written_the_french_way():
    assert format_number(1234567) == "1\u202f234\u202f567"
    assert format_number(2.5) == "2,5"
    assert nice_ceiling(73) == 100 and nice_ceiling(180) == 200 and nice_ceiling(0) == 1
