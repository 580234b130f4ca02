"""The phone number field of every form, and the filter that shows a number as people read it."""

import pytest
from django import forms
from django.template import Context, Template

from poitiers_inclusion.fields import PhoneField


class Form(forms.Form):
    telephone = PhoneField()


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("06 12 34 56 78", "0612345678"),
        ("05.49.12.34.56", "0549123456"),
        ("05-49-12-34-56", "0549123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("(05) 49 12 34 56", "0549123456"),
        ("", ""),
    ],
)
def test_it_keeps_the_number_without_separators(typed, kept):
    form = Form(data={"telephone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["telephone"] == kept


@pytest.mark.parametrize(
    "typed", ["12", "06 12 34 56", "00 12 34 56 78", "06 12 34 56 78 9", "abc"]
)
def test_it_explains_a_wrong_number_in_french(typed):
    form = Form(data={"telephone": typed})
    assert not form.is_valid()
    assert form.errors["telephone"] == [
        "Ce numéro n'est pas valide : 10 chiffres, par exemple 06 12 34 56 78."
    ]


def test_it_offers_the_phone_keyboard():
    html = str(Form()["telephone"])
    assert 'type="tel"' in html and 'inputmode="tel"' in html and 'autocomplete="tel"' in html


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("0549000000", "05 49 00 00 00"),
        ("+33549000000", "05 49 00 00 00"),
        ("05 49 00 00 00", "05 49 00 00 00"),
        ("112", "112"),
        ("", ""),
        (None, ""),
    ],
)
def test_the_filter_shows_a_number_in_pairs(stored, shown):
    template = Template("{% load kernel_tags %}{{ number|phone }}")
    assert template.render(Context({"number": stored})) == shown
