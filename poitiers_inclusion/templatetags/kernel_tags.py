"""Template helpers shared by every app."""

from django import template

register = template.Library()


@register.filter
def has_required(form) -> bool:
    """Whether a visible field of the form must be filled (to explain the asterisk)."""
    return any(field.field.required for field in getattr(form, "visible_fields", list)())
