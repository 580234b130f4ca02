"""Form widgets shared by every app."""

import html

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def escape(value) -> str:
    """Django's escape without its laziness check: called for each of thousands of options."""
    return html.escape(str(value))


def _option(value, label, chosen: set[str]) -> str:
    text = "" if value is None else str(value)
    selected = " selected" if text in chosen else ""
    return f'<option value="{escape(text)}"{selected}>{escape(label)}</option>'


class LargeSelect(forms.Select):
    """A <select> of hundreds or thousands of options (the lieux, the conseillers of a national
    programme) written in one pass: Django renders each option through a template of its own,
    about 60 µs each, half a second for a filter form at national scale. Same markup, option
    groups included (the choices are read once: a queryset's rows, or a list made of them)."""

    def render(self, name, value, attrs=None, renderer=None):
        options = iter(self.choices)  # iter: no COUNT query for a length hint
        final_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        chosen = {str(v) for v in self.format_value(value)}
        parts = ["<select", *_attributes(final_attrs), ">"]
        for group, label in options:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(group)}">')
                parts.extend(_option(v, text, chosen) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(_option(group, label, chosen))
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


class LargeCheckboxes(forms.SelectMultiple):
    """Checkboxes as crispy's bootstrap5 pack writes them, in one pass (its template includes
    one per box): thousands of structures or conseillers to tick. Not a CheckboxSelectMultiple,
    so crispy hands the rendering to the widget; a fieldset and its legend name the group."""

    use_fieldset = True

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        invalid = "is-invalid" in final_attrs.get("class", "")
        css = "form-check-input is-invalid" if invalid else "form-check-input"
        base_id = final_attrs.get("id")
        chosen = {str(v) for v in self.format_value(value)}
        parts = ["<div>"]
        for index, (option_value, label) in enumerate(iter(self.choices)):
            text = "" if option_value is None else str(option_value)
            box_id = f"{base_id}_{index}" if base_id else ""
            checked = " checked" if text in chosen else ""
            id_attr = f' id="{escape(box_id)}"' if box_id else ""
            parts.append(
                f'<div class="form-check"><input type="checkbox" class="{css}" '
                f'name="{escape(name)}" value="{escape(text)}"{id_attr}{checked}>'
                f'<label for="{escape(box_id)}" class="form-check-label">{escape(label)}</label>'
                "</div>"
            )
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above

    def id_for_label(self, id_, index=None):
        """The legend names the group: no single box to point at (as CheckboxSelectMultiple)."""
        return "" if index is None else f"{id_}_{index}"


class RowChoiceIterator(ModelChoiceIterator):
    """The choices from (key, label fields) rows rather than model instances: building thousands
    of instances of a wide table costs more than the page's other work."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.values_list("pk", *self.field.label_fields)
        for pk, *values in rows.iterator():
            yield (pk, self.field.label_from_row(*values))


class _RowLabels:
    """How a record reads in a choice, from its row (`label_fields`, `row_label`) or itself."""

    def _labels(self, label_fields, row_label):
        self.label_fields = tuple(label_fields)
        self.row_label = row_label or (lambda *values: " ".join(str(v) for v in values))

    def label_from_row(self, *values) -> str:
        return self.row_label(*values)

    def label_from_instance(self, obj) -> str:
        return self.row_label(*(getattr(obj, name) for name in self.label_fields))


class LargeModelChoiceField(_RowLabels, forms.ModelChoiceField):
    """A choice among thousands of records (lieux, conseillers), written by LargeSelect from rows.
    `label_fields` and `row_label` say how a row reads; the chosen value is still a record
    (`to_python` fetches it), and `label_from_instance` reads it the same way."""

    iterator = RowChoiceIterator
    widget = LargeSelect

    def __init__(self, *args, label_fields=("nom",), row_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._labels(label_fields, row_label)


class LargeModelMultipleChoiceField(_RowLabels, forms.ModelMultipleChoiceField):
    """Several records among thousands, their choices read as rows: checkboxes by default
    (LargeCheckboxes), or LargeSelectMultiple."""

    iterator = RowChoiceIterator
    widget = LargeCheckboxes

    def __init__(self, *args, label_fields=("nom",), row_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._labels(label_fields, row_label)


def person_label(first_name, last_name, email) -> str:
    """How a staff account reads in a choice: as User.__str__ (the name, else the e-mail)."""
    return f"{first_name} {last_name}".strip() or email


PERSON_FIELDS = ("first_name", "last_name", "email")


class LargeModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LargeModelChoiceField
