"""Shared base of the list screens' filters."""

import django_filters
from django import forms


def date_filter(label: str, field_name: str, lookup_expr: str) -> django_filters.DateFilter:
    """A date bound of a list's period ("Du", "Au"), with the browser's date picker."""
    return django_filters.DateFilter(
        label=label,
        field_name=field_name,
        lookup_expr=lookup_expr,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on the filter widgets, so that they are as large as the form fields.

    Applied when the form is first built, so that subclasses may still add or drop filters in
    their own __init__."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                if isinstance(field.widget, forms.CheckboxInput | forms.RadioSelect):
                    continue
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)
            form._styled = True
        return form
