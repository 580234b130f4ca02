"""Form widgets shared by every app."""

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


class LargeSelect(forms.Select):
    """A <select> of hundreds or thousands of options (the lieux, the conseillers of a national
    programme) written in one pass: Django renders each option through a template of its own,
    about 60 µs each, half a second for a filter form at national scale. Same markup; option
    groups fall back to Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        options = list(iter(self.choices))  # iter: no COUNT query for a length hint
        if any(isinstance(label, list | tuple) for _value, label in options):
            return super().render(name, value, attrs, renderer)
        final_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        chosen = {str(v) for v in self.format_value(value)}
        parts = ["<select", *_attributes(final_attrs), ">"]
        for option_value, label in options:
            text = "" if option_value is None else str(option_value)
            selected = " selected" if text in chosen else ""
            parts.append(f'<option value="{escape(text)}"{selected}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above


class LargeSelectMultiple(LargeSelect):
    """A <select multiple> of thousands of options, written in one pass as LargeSelect is."""

    allow_multiple_selected = True
    value_from_datadict = forms.SelectMultiple.value_from_datadict
    value_omitted_from_data = forms.SelectMultiple.value_omitted_from_data

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, {**(attrs or {}), "multiple": True}, renderer)


def _attributes(attrs: dict):
    """As django/forms/widgets/attrs.html writes them: in order, True as a bare name."""
    for name, value in attrs.items():
        if value is True:
            yield format_html(" {}", name)
        elif value is not False and value is not None:
            yield format_html(' {}="{}"', name, value)


class RowChoiceIterator(ModelChoiceIterator):
    """The choices from (key, label fields) rows rather than model instances: building thousands
    of instances of a wide table costs more than the page's other work."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.values_list("pk", *self.field.label_fields)
        for pk, *values in rows.iterator():
            yield (pk, self.field.label_from_row(*values))


class LargeModelChoiceField(forms.ModelChoiceField):
    """A choice among thousands of records (lieux, conseillers), written by LargeSelect from rows.
    `label_fields` and `row_label` say how a row reads; the chosen value is still a record
    (`to_python` fetches it), and `label_from_instance` reads it the same way."""

    iterator = RowChoiceIterator
    widget = LargeSelect

    def __init__(self, *args, label_fields=("nom",), row_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_fields = tuple(label_fields)
        self.row_label = row_label or (lambda *values: " ".join(str(v) for v in values))

    def label_from_row(self, *values) -> str:
        return self.row_label(*values)

    def label_from_instance(self, obj) -> str:
        return self.row_label(*(getattr(obj, name) for name in self.label_fields))


def person_label(first_name, last_name, email) -> str:
    """How a staff account reads in a choice: as User.__str__ (the name, else the e-mail)."""
    return f"{first_name} {last_name}".strip() or email


PERSON_FIELDS = ("first_name", "last_name", "email")


class LargeModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LargeModelChoiceField
