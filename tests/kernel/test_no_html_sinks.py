"""Guard: the site's JavaScript (static/js, not the vendored libraries) never hands data to an API
that reads it as HTML or as code. Names typed by the team reach the scripts (a quartier's name in a
map tooltip): they must become text (textContent, DOM nodes), never markup.

The check reads the source with a few patterns, so it is deliberately strict: an HTML sink accepts
a string constant and nothing else; a Leaflet tooltip, popup or attribution accepts a DOM node
built in the same file (document.createElement, L.DomUtil.create, or a function of the file that
builds one) or a constant. A new script that needs more must build DOM nodes."""

import re
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "static" / "js"

STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
CONSTANT = re.compile(rf"\s*(?:{STRING}|false|null|undefined)\s*")
# A URL built from a constant start that fixes its kind: a fragment, a path or a query string.
SAFE_URL_START = re.compile(r"""\s*(["'])[#/?]""")
DOM_FACTORIES = ("document.createElement", "document.createTextNode", "L.DomUtil.create")


def _split_arguments(source: str, start: int) -> list[str]:
    """The arguments of the call whose opening parenthesis is at `start`."""
    depth, args, current, i, quote = 0, [], [], start + 1, None
    while i < len(source):
        ch = source[i]
        if quote:
            current.append(ch)
            if ch == "\\":
                current.append(source[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'`":
            quote = ch
            current.append(ch)
        elif ch in "([{":
            depth += 1
            current.append(ch)
        elif ch in ")]}":
            if depth == 0:
                args.append("".join(current))
                return [a.strip() for a in args]
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            args.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    return [a.strip() for a in args]


def _statement_value(source: str, start: int) -> str:
    """What an assignment starting at `start` assigns, up to the end of its statement."""
    end = source.find(";", start)
    return source[start : end if end != -1 else len(source)]


def _dom_builders(source: str) -> set[str]:
    """Functions of the file whose body creates a DOM node and returns something."""
    builders = set()
    for match in re.finditer(r"function\s+(\w+)\s*\([^)]*\)\s*\{", source):
        depth, i = 1, match.end()
        while depth and i < len(source):
            depth += {"{": 1, "}": -1}.get(source[i], 0)
            i += 1
        body = source[match.end() : i]
        if any(f in body for f in DOM_FACTORIES) and "return" in body:
            builders.add(match.group(1))
    return builders


def _dom_names(source: str, builders: set[str]) -> set[str]:
    factories = "|".join(re.escape(f) for f in (*DOM_FACTORIES, *builders))
    return set(re.findall(rf"(?:var|let|const)\s+(\w+)\s*=\s*(?:{factories})\s*\(", source))


def _is_dom_node(argument: str, names: set[str], builders: set[str]) -> bool:
    call = re.match(r"(\w+)\s*\(", argument)
    return argument in names or bool(call and call.group(1) in builders)


def html_sinks(source: str) -> list[str]:
    """Every place where the script gives something other than a constant (or a DOM node where
    Leaflet accepts one) to an API that reads HTML or code."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"(?m)^\s*//.*$", "", source)
    builders = _dom_builders(source)
    names = _dom_names(source, builders)
    found = []

    def line(index):
        start = source.rfind("\n", 0, index) + 1
        end = source.find("\n", index)
        return source[start : end if end != -1 else len(source)].strip()

    for match in re.finditer(r"\.(innerHTML|outerHTML|srcdoc)\s*\+?=(?!=)", source):
        if not CONSTANT.fullmatch(_statement_value(source, match.end())):
            found.append(f"{match.group(1)} : {line(match.start())}")
    for match in re.finditer(r"\.(href|src|action|formAction)\s*=(?!=)", source):
        if not SAFE_URL_START.match(_statement_value(source, match.end())):
            found.append(f"{match.group(1)} : {line(match.start())}")
    calls = {
        # name: index of the argument read as HTML, a URL or code (None: any use is refused)
        "insertAdjacentHTML": 1,
        "write": 0,
        "writeln": 0,
        "createContextualFragment": 0,
        "parseFromString": 0,
        "html": 0,
        "eval": None,
        "Function": None,
        "setTimeout": 0,
        "setInterval": 0,
        "setAttribute": 1,
    }
    for match in re.finditer(r"\b(\w+)\s*\(", source):
        name = match.group(1)
        if name not in calls:
            continue
        args = _split_arguments(source, match.end() - 1)
        index = calls[name]
        if index is None:
            found.append(f"{name} : {line(match.start())}")
        elif name in ("setTimeout", "setInterval"):
            if args and re.match(r"\s*[\"'`]", args[0]):  # code given as a string
                found.append(f"{name} : {line(match.start())}")
        elif name == "setAttribute":
            attribute = args[0].strip("\"' ").lower() if args else ""
            if attribute.startswith("on") or attribute in ("href", "src", "action", "srcdoc"):
                if attribute.startswith("on") or not SAFE_URL_START.match(args[1]):
                    found.append(f"{name} : {line(match.start())}")
        elif len(args) > index and not CONSTANT.fullmatch(args[index]):
            found.append(f"{name} : {line(match.start())}")
    # Leaflet writes a string given to these as HTML; a DOM node is inserted as it is.
    leaflet = r"\.(bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent|addAttribution|setPrefix)\s*\("
    for match in re.finditer(leaflet, source):
        args = _split_arguments(source, match.end() - 1)
        argument = args[0] if args else ""
        if not (CONSTANT.fullmatch(argument) or _is_dom_node(argument, names, builders)):
            found.append(f"{match.group(1)} : {line(match.start())}")
    for match in re.finditer(r"\b(attribution|html|content)\s*:", source):
        value = re.match(rf"\s*({STRING}|[^,}}\n]+)", source[match.end() :]).group(1)
        if not (CONSTANT.fullmatch(value) or _is_dom_node(value.strip(), names, builders)):
            found.append(f"{match.group(1)} : {line(match.start())}")
    return found


def test_the_site_has_scripts_to_check():
    assert len(list(SCRIPTS.glob("*.js"))) >= 5


@pytest.mark.parametrize("script", sorted(SCRIPTS.glob("*.js")), ids=lambda p: p.name)
def test_no_script_of_the_site_hands_data_to_html(script):
    assert html_sinks(script.read_text()) == []


@pytest.mark.parametrize(
    "snippet",
    [
        # The coverage map's tooltip before the fix: a quartier's name read as HTML.
        'var label = z.nom + " : " + z.lieux;\nlayer.bindTooltip(label).addTo(map);',
        'marker.bindPopup("<strong>" + m.nom + "</strong>");',
        "popup.setContent(m.nom);",
        "L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 });",
        "L.divIcon({ html: m.nom });",
        "map.attributionControl.addAttribution(source);",
        "row.innerHTML = data.nom;",
        'list.innerHTML += "<li>" + name + "</li>";',
        "node.outerHTML = html;",
        'table.insertAdjacentHTML("beforeend", row);',
        "document.write(banner);",
        "$(box).html(answer);",
        "var doc = new DOMParser().parseFromString(response, 'text/html');",
        "link.href = m.url;",
        'button.setAttribute("onclick", action);',
        'link.setAttribute("href", target);',
        "eval(code);",
        'var run = new Function("x", body);',
        'setTimeout("refresh(" + id + ")", 100);',
    ],
)
def test_the_check_finds_data_handed_to_html(snippet):
    assert html_sinks(snippet) != []


@pytest.mark.parametrize(
    "snippet",
    [
        'function text(tag, value) { var node = document.createElement(tag); node.textContent = value; return node; }\nlayer.bindTooltip(text("span", label)).addTo(map);',
        'var popup = document.createElement("div");\npopup.append(name);\nmarker.bindPopup(popup);',
        'layer.bindTooltip("Zone blanche");',
        'chosen.innerHTML = "";',
        'link.href = "#" + m.ancre;',
        "var timer = setTimeout(save, 300);",
        'button.setAttribute("aria-pressed", pressed ? "true" : "false");',
        "status.textContent = result.body.message;",
    ],
)
def test_the_check_accepts_text_and_dom_nodes(snippet):
    assert html_sinks(snippet) == []
