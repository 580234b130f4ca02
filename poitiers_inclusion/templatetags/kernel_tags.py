"""Template helpers shared by every app."""

from django import template
from django.utils.html import format_html

from poitiers_inclusion import nav, phones, submissions

register = template.Library()


@register.filter
def has_required(form) -> bool:
    """Whether a visible field of the form must be filled (to explain the asterisk)."""
    return any(field.field.required for field in getattr(form, "visible_fields", list)())


@register.filter
def record_changed(form) -> bool:
    """Whether the form was refused because its record was saved by someone else meanwhile
    (concurrency.VersionedFormMixin)."""
    return bool(getattr(form, "record_changed", False))


@register.filter
def phone(number) -> str:
    """A phone number as people read it: +33549000000 → 05 49 00 00 00, +442079460958 →
    +44 20 79 46 09 58 (phones.display); a stored value that is no number is shown as it is."""
    return phones.display(number)


@register.filter
def phone_link(number) -> str:
    """The number as people read it, in a link that calls it (tel: and its E.164 form); a
    stored value that is no number is shown as it is, without a link."""
    e164 = phones.normalise(number)
    if e164 is None:
        return phones.display(number)
    return format_html('<a href="tel:{}">{}</a>', e164, phones.display(e164))


@register.filter
def opens(user, url_name: str) -> bool:
    """Whether `user`'s role may open the page: `{% if user|opens:"reporting:report" %}`, so a
    link is shown to the roles its view declares, like the menu."""
    return nav.opens_for(user, url_name)


@register.simple_tag
def submission_token() -> str:
    """The hidden field of a form's one-time token (poitiers_inclusion/submissions.py): put it
    inside every form that creates something, so that sending it twice creates one record."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', submissions.FIELD, submissions.new_token()
    )
