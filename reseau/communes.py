"""One commune at a time on the residents' pages of a national programme.

A city's programme shows all its places on one page. Past WHOLE_PROGRAMME_UP_TO open lieux (a
département, a region, the country) the public pages (the map and its list, the drop-in
schedule, the front door, the calendars) show one commune at a time, the city's by default
(CITY_NAME, else the first commune), the choice kept in the URL: thousands of places on one page
take seconds to build, megabytes to load on a phone, and nobody reads them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from poitiers_inclusion.text import fold

from .models import Lieu

WHOLE_PROGRAMME_UP_TO = 100


@dataclass(frozen=True)
class CommuneChoice:
    chosen: str | None  # None: every commune
    choices: list[tuple[str, str]]  # for a select, "" first when the whole programme is offered
    offered: bool  # the open lieux are in several communes: the page offers the choice


def commune_choice(asked: str | None) -> CommuneChoice:
    """The commune a page shows for what the URL asked (`asked`: its value, None when absent):
    an unknown commune reads as the default one."""
    counts = dict(Lieu.objects.active().values_list("commune").annotate(n=Count("pk")).order_by())
    communes = sorted(counts, key=fold)
    whole = sum(counts.values()) <= WHOLE_PROGRAMME_UP_TO
    default = "" if whole or not communes else settings.CITY_NAME
    if default and default not in counts:
        default = communes[0]
    allowed = ([""] if whole else []) + communes
    chosen = default if asked is None or asked not in allowed else asked
    return CommuneChoice(
        chosen=chosen or None,
        choices=[("", "Toutes les communes")] * whole + [(name, name) for name in communes],
        offered=len(communes) > 1,
    )
