"""Turn a figures `Table` into what the chart template draws (server-side, no JavaScript).

A table's first column holds the categories (lieu, month…); the numeric columns after it are the
series. `bar` draws horizontal bars (grouped when there are several series), `stacked` one bar per
category split by series, `line` one line per series over the rows (months). Percent columns are
never drawn on the same axis as counts: when both are present, only the columns of the first
numeric column's kind are drawn. Bars and stacks are HTML (text stays at its real size on a phone
and in print); lines are an SVG path with HTML axis labels. The numbers are always in the table
shown next to the chart, which is what screen readers read.

The Content-Security-Policy refuses style="" attributes, so nothing here is a style: a bar is an
empty <svg> sized by its width attribute, a series has a tone (a class whose colour is in
static/css/dashboard.css) and the points of a line are drawn inside its SVG.
"""

import decimal
import math
from dataclasses import dataclass, field

from poitiers_inclusion.figures import Table
from poitiers_inclusion.formatting import display_value

TONES = 8  # .tone-0 … .tone-7 in static/css/dashboard.css
LINE_WIDTH, LINE_HEIGHT = 600, 200
BAR_ROOM = 0.82  # the longest bar leaves room for its value after it
# Past this many categories (a région's thousands of lieux), a bar chart draws the largest ones
# only: more bars are unreadable and make the page megabytes long. The table keeps them all.
MOST_BARS = 25


def is_number(value) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def numeric_columns(table: Table) -> list[int]:
    if not table.rows:
        return []
    indexes = [
        i
        for i in range(1, len(table.columns))
        if all(is_number(row[i]) or row[i] is None for row in table.rows if i < len(row))
        and any(is_number(row[i]) for row in table.rows if i < len(row))
    ]
    if not indexes:
        return []
    is_percent = ["%" in str(table.columns[i]) for i in indexes]
    return [i for i, p in zip(indexes, is_percent, strict=True) if p == is_percent[0]]


def nice_ceiling(value: float) -> float:
    """The round number just above value (1, 2, 2.5, 5 × 10^n), so gridlines read easily."""
    if value <= 0:
        return 1
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def format_number(value) -> str:
    # None is not computable (no data): "—", never shown as an empty cell or a zero.
    if isinstance(value, str):
        return value
    return display_value(value)


@dataclass
class Chart:
    kind: str
    title: str
    series: list[dict] = field(default_factory=list)  # {label, tone}
    rows: list[dict] = field(default_factory=list)
    axis: list[dict] = field(default_factory=list)  # gridlines from 0 to the top: {label, y}
    paths: list[dict] = field(default_factory=list)  # line charts: {d, tone, dots}
    x_labels: list[str] = field(default_factory=list)
    note: str = ""  # said under the chart when it draws the largest categories only


def build_chart(table: Table) -> Chart | None:
    if not table.chart or not table.rows:
        return None
    columns = numeric_columns(table)
    if not columns:
        return None
    kind = table.chart if table.chart in ("bar", "stacked", "line") else "bar"
    series = [{"label": str(table.columns[i]), "tone": n % TONES} for n, i in enumerate(columns)]
    values = [[float(row[i] or 0) for i in columns] for row in table.rows]
    if not any(v for row_values in values for v in row_values):
        return None  # all zero: a flat chart says nothing the table does not
    labels = [str(row[0]) for row in table.rows]
    note = ""
    if kind != "line" and len(values) > MOST_BARS:
        largest = sorted(range(len(values)), key=lambda i: -sum(values[i]))[:MOST_BARS]
        note = (
            f"Les {MOST_BARS} plus grands sur {format_number(len(values))} ; "
            "le tableau donne tous les chiffres."
        )
        labels, values = [labels[i] for i in largest], [values[i] for i in largest]
    # Lines sit on a round-numbered grid; bars carry their own values, so the longest fills the row.
    if kind == "stacked":
        top = max(sum(v) for v in values) or 1
    else:
        top = max(max(v) for v in values) or 1
    if kind == "line":
        top = nice_ceiling(top)
    # Five gridlines, bottom to top: static/css/dashboard.css places their labels in this order.
    axis = [
        {"label": format_number(top * f), "y": _css(LINE_HEIGHT * (1 - f))}
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    chart = Chart(kind=kind, title=table.title, series=series, axis=axis, note=note)
    if kind == "line":
        chart.paths = _line_paths(values, top, series)
        chart.x_labels = _spread_labels(labels)
        return chart
    for label, row_values in zip(labels, values, strict=True):
        chart.rows.append(
            {
                "label": label,
                "total": format_number(sum(row_values)),
                "bars": [
                    {
                        "pct": _css(v / top * 100),
                        "width": _css(v / top * 100 * BAR_ROOM),
                        "value": format_number(v),
                        "tone": s["tone"],
                        "series": s["label"],
                    }
                    for v, s in zip(row_values, series, strict=True)
                ],
            }
        )
    return chart


def _line_paths(values: list[list[float]], top: float, series: list[dict]) -> list[dict]:
    count = len(values)
    paths = []
    for n, s in enumerate(series):
        points = []
        for i, row in enumerate(values):
            x = LINE_WIDTH * (i / (count - 1) if count > 1 else 0.5)
            y = LINE_HEIGHT - row[n] / top * LINE_HEIGHT
            points.append(f"{round(x, 1)},{round(y, 1)}")
        d = "M" + " L".join(points)
        # A zero-length segment with a round cap is a dot that keeps its size when the SVG
        # stretches (non-scaling stroke); past 36 points the dots would touch.
        dots = " ".join(f"M{p}h0" for p in points) if count <= 36 else ""
        paths.append({"d": d, "tone": s["tone"], "label": s["label"], "dots": dots})
    return paths


def _css(number: float) -> str:
    """A number for an attribute: always a dot, whatever the page's locale."""
    return f"{number:.2f}"


def _spread_labels(labels: list[str], wanted: int = 4) -> list[str]:
    """A few x-axis labels, evenly spread, first and last included."""
    if len(labels) <= wanted:
        return labels
    step = (len(labels) - 1) / (wanted - 1)
    return [labels[round(i * step)] for i in range(wanted)]
