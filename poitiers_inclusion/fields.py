"""Model and form fields shared by the apps."""

import re

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator

# What people type between the digits of a phone number.
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
PHONE_NUMBER = re.compile(r"^(?:0[1-9]\d{8}|\+33[1-9]\d{8})$")


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


class PhoneField(forms.CharField):
    """A French phone number, typed with or without spaces, dots, dashes or brackets, and kept
    without them (0612345678 or +33612345678). Optional unless told otherwise."""

    default_error_messages = {
        "invalid": "Ce numéro n'est pas valide : 10 chiffres, par exemple 06 12 34 56 78."
    }

    def __init__(self, *, autocomplete: str = "tel", **kwargs):
        kwargs.setdefault("label", "Téléphone")
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"type": "tel", "autocomplete": autocomplete, "inputmode": "tel"}
            ),
        )
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(PHONE_NUMBER, message=self.error_messages["invalid"], code="invalid")
        )

    def to_python(self, value):
        return PHONE_SEPARATORS.sub("", super().to_python(value))
