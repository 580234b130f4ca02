"""Model and form fields shared by the apps."""

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models

from . import phones

TYPED_MAX_LENGTH = 30


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


class PhoneInput(forms.TextInput):
    """The phone keyboard; a stored number is shown the French way (05 49 41 00 00), what was
    typed is shown back as typed."""

    input_type = "tel"

    def format_value(self, value):
        if isinstance(value, str) and phones.normalise(value) == value:
            return phones.display(value)
        return super().format_value(value)


class PhoneField(forms.CharField):
    """A phone number however written (05 49 41 00 00, 05.49.41.00.00, +33 (0)5 49…, 0033…,
    0590…, +44…), cleaned into its E.164 form (+33549410000). Optional unless told otherwise."""

    default_error_messages = {"invalid": phones.INVALID}

    def __init__(self, *, autocomplete: str = "tel", **kwargs):
        kwargs.setdefault("label", "Téléphone")
        # What is typed, separators included; the cleaned number is at most 16 characters.
        kwargs.setdefault("max_length", TYPED_MAX_LENGTH)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", PhoneInput(attrs={"autocomplete": autocomplete, "inputmode": "tel"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        number = phones.normalise(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def validate_phone(value):
    """Model validation: a stored number is in its E.164 form."""
    if value and phones.normalise(value) != value:
        raise ValidationError(phones.INVALID, code="invalid")


class PhoneNumberField(models.CharField):
    """The phone number of every model: stored in its E.164 form (+33549410000), edited through
    PhoneField. Saving normalises a number set by code (a service, an import, the demo); a value
    that is no number is left as it is rather than lost (it then fails full_clean)."""

    default_validators = [validate_phone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        number = phones.normalise(value) if value else None
        if number and number != value:
            setattr(model_instance, self.attname, number)
            return number
        return value

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": PhoneField, "max_length": TYPED_MAX_LENGTH, **kwargs}
        )
