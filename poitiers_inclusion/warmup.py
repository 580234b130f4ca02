"""What a new web worker does before its first request (deploy/gunicorn.conf.py): otherwise its
first visitors wait while Python imports every view (about half a second: pandas, openpyxl…),
Django compiles the templates they render, and the figures stores are mapped."""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver


def load_views() -> int:
    """Import the URLconf, so every view and what it imports, and build the tables `reverse`
    reads (each namespace's on its first use otherwise); returns the number of names."""
    return _names(get_resolver())


def _names(resolver) -> int:
    count = len(resolver.reverse_dict)
    for _prefix, child in resolver.namespace_dict.values():
        count += _names(child)
    return count


def compile_templates() -> int:
    """Compile the project's templates into the cached loader (its own and its apps', not the
    libraries': the admin's are seldom shown); returns how many."""
    base = Path(settings.BASE_DIR).resolve()
    count = 0
    for engine in engines.all():
        folders = [Path(d) for d in engine.engine.dirs]
        if engine.engine.app_dirs:
            folders += [Path(d) for d in get_app_template_dirs("templates")]
        for folder in folders:
            folder = folder.resolve()
            if not folder.is_relative_to(base) or ".venv" in folder.parts:
                continue
            for path in sorted(folder.rglob("*.html")):
                engine.get_template(path.relative_to(folder).as_posix())
                count += 1
    return count
