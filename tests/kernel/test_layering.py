"""The layers, checked in the code: poitiers_inclusion <- reseau <- permanences, ateliers,
ordinateurs <- reporting. An app imports only the layers below it (the three activity apps not
each other), and its templates link (`{% url %}`) to and include no layer above their own (a
public page may point to a sibling's public page: the drop-in schedule is the public's home).

Every Python file of each app is parsed (imports inside functions included, and modules named
to `importlib.import_module` or models to `apps.get_model`); the tests are exempt. The root
`templates/` folder is the site's shell (base layout, error pages) composed over every app, like
the root URLconf: it is exempt too.
"""

import ast
import re
from pathlib import Path

import pytest

from tests.routes import ROUTES

ROOT = Path(__file__).resolve().parents[2]

# Each app and the apps it may use (itself included).
KERNEL = "poitiers_inclusion"
ALLOWED = {
    KERNEL: {KERNEL},
    "reseau": {KERNEL, "reseau"},
    "permanences": {KERNEL, "reseau", "permanences"},
    "ateliers": {KERNEL, "reseau", "ateliers"},
    "ordinateurs": {KERNEL, "reseau", "ordinateurs"},
    "reporting": {KERNEL, "reseau", "permanences", "ateliers", "ordinateurs", "reporting"},
}
APPS = set(ALLOWED)
LAYER = {KERNEL: 0, "reseau": 1, "permanences": 2, "ateliers": 2, "ordinateurs": 2, "reporting": 3}
# App labels (apps.get_model) that differ from the package's name.
LABELS = {"kernel": KERNEL}


def _python_files(app):
    return sorted((ROOT / app).rglob("*.py"))


def _used(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, app) of every app a module uses: imports, import_module("…"), get_model("…")."""
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("import_module", "get_model") and isinstance(first, ast.Constant):
                value = str(first.value)
                names = [LABELS.get(value, value) if called == "get_model" else value]
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                found.append((node.lineno, top))
    return found


def _python_violations(app) -> list[str]:
    problems = []
    for path in _python_files(app):
        tree = ast.parse(path.read_text(), filename=str(path))
        for line, used in _used(tree):
            if used not in ALLOWED[app]:
                problems.append(f"{path.relative_to(ROOT)}:{line} utilise {used}")
    return problems


def _namespaces() -> dict[str, str]:
    """URL namespace -> the app whose views it serves ("" for the root's names: the kernel's)."""
    owners = {}
    for name, pattern in ROUTES:
        namespace = name.rpartition(":")[0]
        owner = pattern.callback.__module__.split(".")[0]
        owners[namespace] = owner if owner in APPS else KERNEL
    owners[""] = KERNEL
    return owners


URL_TAG = re.compile(r"""{%\s*url\s+["']([^"']+)["']""")
INCLUDE_TAG = re.compile(r"""{%\s*(?:include|extends)\s+["']([^"'/]+)/""")


def _template_violations(app, namespaces) -> list[str]:
    problems = []
    for path in sorted((ROOT / app / "templates").rglob("*.html")):
        text = path.read_text()
        for match in URL_TAG.finditer(text):
            owner = namespaces.get(match.group(1).rpartition(":")[0])
            if owner is not None and LAYER[owner] > LAYER[app]:
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line} lien vers {match.group(1)}")
        for match in INCLUDE_TAG.finditer(text):
            folder = match.group(1)
            owner = KERNEL if folder == "kernel" else folder
            if owner in APPS and LAYER[owner] > LAYER[app]:
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line} gabarit de {folder}")
    return problems


@pytest.mark.parametrize("app", sorted(APPS))
def test_an_app_imports_no_layer_above_it(app):
    assert _python_violations(app) == []


@pytest.mark.parametrize("app", sorted(APPS))
def test_an_app_templates_link_to_no_layer_above_it(app):
    assert _template_violations(app, _namespaces()) == []


def test_it_sees_imports_inside_functions_and_by_name():
    code = (
        "from reseau.models import Lieu\n"
        "def f():\n"
        "    import reporting.views\n"
        "    from permanences import figures\n"
        "    importlib.import_module('ordinateurs.demo')\n"
        "    apps.get_model('ateliers', 'Seance')\n"
        "    from . import sibling\n"
    )
    used = [app for _, app in _used(ast.parse(code))]
    assert used == ["reseau", "reporting", "permanences", "ordinateurs", "ateliers"]


def test_it_sees_a_link_up_from_a_template(tmp_path, monkeypatch):
    app = tmp_path / "reseau" / "templates" / "reseau"
    app.mkdir(parents=True)
    (app / "page.html").write_text(
        "{% url 'reseau:index' %}\n{% url \"reporting:dashboard\" %}\n"
        '{% include "reporting/panel.html" %}\n'
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert _template_violations("reseau", _namespaces()) == [
        "reseau/templates/reseau/page.html:2 lien vers reporting:dashboard",
        "reseau/templates/reseau/page.html:3 gabarit de reporting",
    ]
