"""Template helpers of the dashboard: French number formatting and charts drawn from tables."""

from django import template

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
def not_applied_to(section, not_applied) -> list[str]:
    """The labels of the filters set that `section` does not apply (see DashboardFilterForm)."""
    return (not_applied or {}).get(section.key, [])


@register.inclusion_tag("reporting/_chart.html")
def chart(table):
    return {"chart": build_chart(table), "table": table}
