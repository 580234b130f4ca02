"""Guard: no template holds inline script or style, which the Content-Security-Policy refuses (and
would otherwise let injected HTML run). Scripts are files (<script src=…>), data reaches them
through {{ value|json_script:"id" }}, styles are files in static/css, buttons are bound from a
script (data-print), dynamic sizes are SVG attributes or classes."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")],
    key=lambda p: str(p),
)

COMMENTS = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
RULES = [
    # A script element is a file reference with nothing inside.
    (
        "script en ligne",
        re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|<script\b[^>]*>\s*[^<\s]", re.I),
    ),
    ("élément <style>", re.compile(r"<style\b", re.I)),
    ("attribut style", re.compile(r"<[a-z][^<>]*?\sstyle\s*=", re.I)),
    ("attribut on…", re.compile(r"<[a-z][^<>]*?\son[a-z]+\s*=", re.I)),
    ("adresse javascript:", re.compile(r"javascript\s*:", re.I)),
]


def inline_code(text: str) -> list[str]:
    """What in a template's text the policy would refuse, with the line it is on."""
    text = COMMENTS.sub("", text)
    found = []
    for label, pattern in RULES:
        for match in pattern.finditer(text):
            number = text.count("\n", 0, match.start()) + 1
            found.append(f"{label}, ligne {number} : {text.splitlines()[number - 1].strip()}")
    return found


def test_the_templates_are_found():
    assert len(TEMPLATES) > 100
    assert any(p.name == "_chart.html" for p in TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_inline_script_or_style(template):
    assert inline_code(template.read_text()) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>window.map = {{ data }};</script>",
        '<script type="application/json">{{ data }}</script>',
        "<script src=\"{% static 'js/x.js' %}\">alert(1)</script>",
        "<style>.x { color: red; }</style>",
        '<div class="bar" style="width: {{ pct }}%"></div>',
        "<div class='d-none'\n     style='display: none'>",
        '<button type="button" onclick="window.print()">Imprimer</button>',
        '<img src="{{ url }}" onerror="this.remove()">',
        '<a href="javascript:history.back()">Retour</a>',
    ],
)
def test_the_check_finds_inline_code(snippet):
    assert inline_code(snippet) != []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/map.js' %}\"></script>",
        '{{ map_data|json_script:"carte-donnees" }}',
        '<link rel="stylesheet" href="{% static \'css/map.css\' %}">',
        '<svg class="bar tone-1" width="{{ b.width }}%" aria-hidden="true"></svg>',
        '<button type="button" data-print>Imprimer</button>',
        "<p>Consultez le style de la page ; online=oui</p>",
        "{# Without this, htmx adds a <style> of its own. #}",
    ],
)
def test_the_check_accepts_files_and_data(snippet):
    assert inline_code(snippet) == []
