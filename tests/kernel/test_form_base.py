"""Every form derives from the kernel's base, which says "— Choisir —" for a select's empty
choice; Django's own "---------" is left alone (no monkey-patch of BLANK_CHOICE_DASH)."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH

from poitiers_inclusion.forms import EmptyChoiceMixin, Form, ModelForm
from poitiers_inclusion.models import User
from reseau.models import Lieu

APPS = ("poitiers_inclusion", "reseau", "permanences", "ateliers", "ordinateurs", "reporting")


def _first_option(form, name) -> str:
    return form[name].subwidgets[0].data["label"]


def test_django_s_own_empty_choice_is_not_patched():
    assert BLANK_CHOICE_DASH == [("", "---------")]
    assert forms.ModelChoiceField.__init__.__kwdefaults__["empty_label"] == "---------"


class _UserForm(ModelForm):
    class Meta:
        model = User
        fields = ["role", "structure"]


class _ChoiceForm(Form):
    lieu = forms.ModelChoiceField(queryset=Lieu.objects.none(), required=False)
    own = forms.ModelChoiceField(
        queryset=Lieu.objects.none(), required=False, empty_label="Choisir un lieu"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["later"] = forms.ModelChoiceField(queryset=Lieu.objects.none(), required=False)


@pytest.mark.django_db
def test_a_model_field_s_choices_and_a_foreign_key_say_choisir():
    form = _UserForm()
    assert _first_option(form, "role") == "— Choisir —"
    assert _first_option(form, "structure") == "— Choisir —"


@pytest.mark.django_db
def test_a_model_choice_field_says_choisir_unless_it_names_its_own():
    form = _ChoiceForm()
    assert _first_option(form, "lieu") == "— Choisir —"
    assert _first_option(form, "own") == "Choisir un lieu"
    # Also a field added by the form's own __init__, after the base's.
    assert _first_option(form, "later") == "— Choisir —"
    assert "---------" not in str(form)


def _project_forms():
    found = set()
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__.split(".")[0] in APPS:
                    found.add(cls)
    return found


def test_every_form_of_the_project_derives_from_the_kernel_base():
    project_forms = _project_forms()
    assert len(project_forms) > 40
    assert [
        f"{cls.__module__}.{cls.__name__}"
        for cls in project_forms
        if not issubclass(cls, EmptyChoiceMixin)
    ] == []
