"""What a new web worker does before its first request (deploy/gunicorn.conf.py): otherwise its
first visitors wait while Python imports every view (about half a second: pandas, openpyxl…),
Django compiles the templates they render, and the figures stores are mapped."""

import contextlib
import gc
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import translation


def load_views() -> int:
    """Import the URLconf, so every view and what it imports, and build the tables `reverse`
    reads: each namespace's are built on its first use, in the language of the request; returns
    the number of namespaces."""
    with translation.override(settings.LANGUAGE_CODE):
        return _reverse_in_each_namespace(get_resolver(), "")


def _reverse_in_each_namespace(resolver, path: str) -> int:
    count = 0
    for namespace, (_prefix, child) in resolver.namespace_dict.items():
        name = next((key for key in child.reverse_dict if isinstance(key, str)), None)
        if name is not None:
            with contextlib.suppress(NoReverseMatch):  # its arguments not given: built all the same
                reverse(f"{path}{namespace}:{name}")
        count += 1 + _reverse_in_each_namespace(child, f"{path}{namespace}:")
    return count


def compile_templates() -> int:
    """Compile into the cached loaders the templates pages render: the project's and its apps'
    (crispy's form layouts included, not the admin's: seldom shown), and the form widgets' (the
    forms' own template engine); returns how many."""
    count = 0
    for engine in engines.all():
        folders = [Path(d) for d in engine.engine.dirs]
        if engine.engine.app_dirs:
            folders += [Path(d) for d in get_app_template_dirs("templates")]
        count += _compile(engine, [f for f in folders if f.resolve() != _ADMIN])
    renderer = get_default_renderer()
    if isinstance(renderer, DjangoTemplates):
        count += _compile(renderer.engine, [_WIDGETS])
    return count


_ADMIN = (Path(admin.__file__).parent / "templates").resolve()
_WIDGETS = Path(forms.__file__).parent / "templates"


def _compile(engine, folders: list[Path]) -> int:
    count = 0
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            engine.get_template(path.relative_to(folder).as_posix())
            count += 1
    return count


def settle() -> int:
    """Put what the start-up made (modules, views, templates, the stores' arrays) out of the
    cyclic garbage collector's reach, after collecting what it left: a full collection scans
    every object of the process (70 ms in a warmed worker, at random moments of random
    requests); afterwards it scans only what requests made. Returns the objects set aside."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
