"""The suite fails on a template that prints a variable its context does not hold."""

import pytest
from django.template import engines

from ..conftest import UndefinedTemplateVariable


def _render(source, **context):
    return engines["django"].from_string(source).render(context)


def test_it_fails_on_an_undefined_variable():
    with pytest.raises(UndefinedTemplateVariable, match="absente"):
        _render("Bonjour {{ absente }}")


def test_it_fails_on_a_filtered_undefined_variable():
    with pytest.raises(UndefinedTemplateVariable, match="absente"):
        _render("{{ absente|default:'—' }}")


def test_it_fails_on_a_missing_key():
    with pytest.raises(UndefinedTemplateVariable, match="ligne.total"):
        _render("{{ ligne.total }}", ligne={"nom": "Médiathèque"})


def test_it_lets_a_condition_test_a_missing_key():
    assert _render("{% if absente %}oui{% else %}non{% endif %}") == "non"


def test_it_renders_what_is_defined():
    assert _render("{{ nom|upper }}", nom="médiathèque") == "MÉDIATHÈQUE"


def test_it_fails_on_a_method_that_needs_arguments():
    class Lieu:
        def horaires(self, jour):
            return "9 h – 12 h"

    with pytest.raises(UndefinedTemplateVariable):
        _render("{{ lieu.horaires }}", lieu=Lieu())
