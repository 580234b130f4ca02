"""Every model of the project has a factory in the test tree, and each factory builds a valid row."""

import importlib
import pkgutil

import factory
import pytest
from django.apps import apps

import tests

PROJECT_APPS = {"kernel", "reseau", "permanences", "ateliers", "ordinateurs", "reporting"}


def _factories() -> dict:
    found = {}
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if "factories" not in module.name.rsplit(".", 1)[-1]:
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, factory.django.DjangoModelFactory)
                and value._meta.model is not None
            ):
                found.setdefault(value._meta.model, value)
    return found


FACTORIES = _factories()
MODELS = sorted(
    (m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS),
    key=lambda m: m._meta.label,
)


def test_every_model_has_a_factory():
    missing = [m._meta.label for m in MODELS if m not in FACTORIES]
    assert missing == [], f"Modèles sans factory : {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_each_factory_saves_a_valid_record(model):
    made = FACTORIES[model]()
    assert model.objects.filter(pk=made.pk).exists()
