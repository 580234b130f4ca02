"""A service's refusal is shown next to the field it concerns, else above the form."""

from django import forms

from poitiers_inclusion.errors import ServiceError


class Form(forms.Form):
    day = forms.DateField(required=False)
    person = forms.CharField(required=False)


def _bound():
    form = Form(data={})
    assert form.is_valid()
    return form


def test_it_goes_next_to_its_field():
    form = _bound()
    ServiceError("Ce jour est fermé.", field="day").add_to(form)
    assert form.errors == {"day": ["Ce jour est fermé."]}


def test_it_goes_above_the_form_when_the_form_has_not_that_field():
    form = _bound()
    ServiceError("Ce créneau est complet.", field="heure").add_to(form)
    assert form.non_field_errors() == ["Ce créneau est complet."]


def test_it_goes_next_to_the_default_field_when_it_names_none():
    form = _bound()
    ServiceError("Déjà inscrite.").add_to(form, default="person")
    assert form.errors == {"person": ["Déjà inscrite."]}
    form = _bound()
    ServiceError("Déjà inscrite.", field="day").add_to(form, default="person")
    assert form.errors == {"day": ["Déjà inscrite."]}
