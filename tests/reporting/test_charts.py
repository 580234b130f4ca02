"""Charts are drawn from a table's numeric columns; the numbers stay in the table."""

from xml.etree import ElementTree

from django.template.loader import render_to_string

from poitiers_inclusion.figures import Table
from reporting.charts import build_chart, format_number, nice_ceiling


def test_the_longest_bar_fills_the_row():
    chart = build_chart(Table("t", "T", ["Lieu", "Visites"], [["A", 40], ["B", 10]]))
    assert [row["bars"][0]["pct"] for row in chart.rows] == ["100.00", "25.00"]


def test_lines_sit_on_a_round_scale():
    chart = build_chart(
        Table("t", "T", ["Mois", "Visites"], [["01", 40], ["02", 10]], chart="line")
    )
    assert [a["label"] for a in chart.axis] == ["0", "12,5", "25", "37,5", "50"]


def test_percentages_are_not_drawn_on_the_same_axis_as_counts():
    table = Table("t", "T", ["Lieu", "Visites", "Créneaux vides (%)"], [["A", 40, 12.5]])
    assert [s["label"] for s in build_chart(table).series] == ["Visites"]


def test_a_stacked_bar_is_as_long_as_its_total():
    chart = build_chart(
        Table("t", "T", ["Mois", "Ind.", "Coll."], [["01", 3, 1], ["02", 6, 4]], chart="stacked")
    )
    assert chart.rows[1]["total"] == "10"
    assert [b["pct"] for b in chart.rows[1]["bars"]] == ["60.00", "40.00"]
    assert [b["pct"] for b in chart.rows[0]["bars"]] == ["30.00", "10.00"]


def test_a_table_without_numbers_or_rows_has_no_chart():
    assert build_chart(Table("t", "T", ["Lieu", "Adresse"], [["A", "1 rue"]])) is None
    assert build_chart(Table("t", "T", ["Lieu", "Visites"], [])) is None
    assert build_chart(Table("t", "T", ["Lieu", "Visites"], [["A", 0], ["B", 0]])) is None
    assert build_chart(Table("t", "T", ["Lieu", "Visites"], [["A", 1]], chart=None)) is None


def test_numbers_are_written_the_french_way():
    assert format_number(1234567) == "1\u202f234\u202f567"
    assert format_number(2.5) == "2,5"
    assert format_number(None) == "—"  # not computable, not zero
    assert nice_ceiling(73) == 100 and nice_ceiling(180) == 200 and nice_ceiling(0) == 1


def test_a_bar_chart_of_many_categories_draws_the_largest():
    # A région's hundreds of lieux: the 25 largest, largest first, and says so; no line is cut.
    rows = [[f"Lieu {n:03}", n % 97] for n in range(300)]
    chart = build_chart(Table("t", "T", ["Lieu", "Visites"], rows))
    assert len(chart.rows) == 25
    assert [row["bars"][0]["value"] for row in chart.rows[:3]] == ["96", "96", "96"]
    assert chart.note == "Les 25 plus grands sur 300 ; le tableau donne tous les chiffres."
    few = build_chart(Table("t", "T", ["Lieu", "Visites"], rows[:25]))
    assert [row["label"] for row in few.rows] == [row[0] for row in rows[:25]] and not few.note
    months = build_chart(Table("t", "T", ["Mois", "Visites"], rows, chart="line"))
    assert not months.note and "L" in months.paths[0]["d"]


def _drawn(table: Table) -> list[ElementTree.Element]:
    """The chart's bar rows as drawn (its markup is well-formed XML)."""
    html = render_to_string("reporting/_chart.html", {"chart": build_chart(table)})
    root = ElementTree.fromstring(f"<root>{html}</root>")
    return [e for e in root.iter("div") if e.get("class") == "bar-row"]


def _of(element: ElementTree.Element, tag: str, css: str) -> list[ElementTree.Element]:
    return [e for e in element.iter(tag) if css in (e.get("class") or "").split()]


def test_each_bar_carries_its_value_and_its_label_as_text():
    rows = _drawn(
        Table("t", "T", ["Lieu", "Visites"], [["<b>Médiathèque</b>", 1200], ["B & C", 300]])
    )
    labels = [_of(row, "div", "bar-label")[0] for row in rows]
    assert [label.text for label in labels] == ["<b>Médiathèque</b>", "B & C"]  # text, not markup
    assert labels[0].get("title") == "<b>Médiathèque</b>"
    assert not any(list(row.iter("b")) for row in rows)
    assert [_of(row, "span", "bar-value")[0].text for row in rows] == ["1\u202f200", "300"]
    assert [_of(row, "svg", "bar")[0].get("width") for row in rows] == ["82.00%", "20.50%"]


def test_a_stacked_bar_shows_its_total_once():
    drawn = _drawn(
        Table("t", "T", ["Mois", "Ind.", "Coll."], [["01", 3, 1], ["02", 6, 4]], chart="stacked")
    )
    second = drawn[1]
    assert len(_of(_of(second, "div", "bar-line-stacked")[0], "svg", "bar")) == 2
    assert [value.text for value in _of(second, "span", "bar-value")] == ["10"]
