"""Template helpers of the dashboard: French number formatting and charts drawn from tables."""

from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe

from ..charts import build_chart, format_number, is_number

register = template.Library()


@register.filter
def nombre(value):
    return format_number(value)


@register.filter
def numeric(value):
    return is_number(value)


@register.filter
def chartable(table):
    return build_chart(table) is not None


@register.filter
def chart_of(table):
    """The chart of a table, or None: built once for the test and the drawing."""
    return build_chart(table)


# On screen, a table shows its first rows only past this many (a région's thousands of lieux
# and conseillers made the page megabytes long); its exports and the printed report hold them
# all, and the dashboard's filters narrow it down.
MOST_ROWS = 100


@register.simple_tag
def most_rows() -> int:
    return MOST_ROWS


@register.filter
def rows_hidden(table) -> int:
    """How many of the table's rows the page does not show (see MOST_ROWS)."""
    return max(len(table.rows) - MOST_ROWS, 0)


@register.simple_tag
def table_rows(table, whole=False):
    """The body rows of a figures table (the first MOST_ROWS unless `whole`). A dashboard holds
    thousands of cells: one Python loop here instead of nested template loops and filters per
    cell (same markup, escaped)."""
    if not table.rows:
        return format_html(
            '<tr><td colspan="{}">Aucune donnée sur cette sélection.</td></tr>', len(table.columns)
        )
    lines = []
    for row in table.rows if whole else table.rows[:MOST_ROWS]:
        cells = [f'<th scope="row">{conditional_escape(format_number(row[0]))}</th>'] if row else []
        for cell in row[1:]:
            align = "text-end" if is_number(cell) else ""
            cells.append(f'<td class="{align}">{conditional_escape(format_number(cell))}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n  ".join(lines))  # every value escaped above


@register.simple_tag
def chart_bars(chart):
    """The rows of a bar chart (simple or stacked): like table_rows, one Python loop instead of
    nested template loops (a dashboard draws hundreds of bars), every value escaped."""
    lines = []
    stacked = chart.kind == "stacked"
    for row in chart.rows:
        bars = [
            f'<svg class="bar tone-{bar["tone"]}" width="{bar["width"]}%" aria-hidden="true" '
            f'focusable="false"></svg>'
            + ("" if stacked else f'<span class="bar-value">{escape(bar["value"])}</span>')
            for bar in row["bars"]
        ]
        if stacked:
            line = (
                f'<div class="bar-line bar-line-stacked">{"".join(bars)}'
                f'<span class="bar-value">{escape(row["total"])}</span></div>'
            )
        else:
            line = "".join(f'<div class="bar-line">{bar}</div>' for bar in bars)
        label = escape(row["label"])
        lines.append(
            f'<div class="bar-row">\n      <div class="bar-label" title="{label}">{label}</div>'
            f'\n      <div class="bar-track">\n        {line}\n      </div>\n    </div>'
        )
    return mark_safe("".join(lines))  # every value escaped above


@register.filter
def not_applied_to(section, not_applied) -> list[str]:
    """The labels of the filters set that `section` does not apply (see DashboardFilterForm)."""
    return (not_applied or {}).get(section.key, [])


@register.inclusion_tag("reporting/_chart.html")
def chart(table):
    return {"chart": build_chart(table), "table": table}
