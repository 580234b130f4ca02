"""Panels that apps above the réseau add to its pages, so the réseau never links up to them.

A meeting's page offers what other apps can do with a meeting (reporting: attach the dashboard's
workbook for the period since the previous meeting). Such an app registers the template of its
panel in its AppConfig.ready():

    from reseau import panels
    panels.register_reunion_panel("reporting/reunion_panel.html")

The meeting's page includes each registered template with the meeting as `reunion`.
"""

_REUNION_PANELS: list[str] = []


def register_reunion_panel(template_name: str) -> None:
    if template_name not in _REUNION_PANELS:
        _REUNION_PANELS.append(template_name)


def reunion_panels() -> list[str]:
    return list(_REUNION_PANELS)
