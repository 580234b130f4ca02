"""Model fields shared by the apps."""

from django import forms
from django.contrib.postgres.fields import ArrayField


class ChoiceArrayField(ArrayField):
    """A PostgreSQL array of choices, edited as a list of checkboxes."""

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.base_field.choices,
            "coerce": self.base_field.to_python,
            "widget": forms.CheckboxSelectMultiple,
            # A callable default (list) would ask for a hidden copy of the initial value, which
            # the forms do not render: every list would then look changed.
            "show_hidden_initial": False,
        }
        defaults.update(kwargs)
        # Skip ArrayField.formfield, which would force a comma-separated text input.
        return super(ArrayField, self).formfield(**defaults)
