"""Template helpers shared by every app."""

from django import template

from poitiers_inclusion import nav

register = template.Library()


@register.filter
def has_required(form) -> bool:
    """Whether a visible field of the form must be filled (to explain the asterisk)."""
    return any(field.field.required for field in getattr(form, "visible_fields", list)())


@register.filter
def opens(user, url_name: str) -> bool:
    """Whether `user`'s role may open the page: `{% if user|opens:"reporting:report" %}`, so a
    link is shown to the roles its view declares, like the menu."""
    return nav.opens_for(user, url_name)
