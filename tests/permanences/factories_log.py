"""Helpers for the médiation log's tests: the POST of a filled log form, a permanence of today."""

import datetime
import re
import uuid

from django.utils import timezone

from permanences.enums import OuiNon, Thematique, TypeActivite, TypeLieu, UsagerMode
from tests.permanences.factories import PermanenceFactory


def log_post(lieu_=None, **overrides) -> dict:
    """What a conseiller's browser sends for a simple individual, anonymous médiation."""
    data = {
        "date": timezone.localdate().isoformat(),
        "type_activite": TypeActivite.INDIVIDUEL.value,
        "type_lieu": TypeLieu.LIEU_ACTIVITE.value,
        "lieu": str(lieu_.pk) if lieu_ else "",
        "duree": "30",
        "duree_autre": "",
        "thematiques": [Thematique.EMAIL.value],
        "redirige": OuiNon.NON.value,
        "usager_mode": UsagerMode.ANONYME.value,
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def permanence_today(conseiller, **kwargs):
    today = timezone.localdate()
    permanence = PermanenceFactory(
        weekday=today.weekday(),
        valid_from=today - datetime.timedelta(days=30),
        **kwargs,
    )
    permanence.conseillers.add(conseiller)
    return permanence


def checked(page: str, name: str) -> set[str]:
    """Values of the inputs named `name` that are checked in an HTML page."""
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return {re.search(r'value="([^"]*)"', i).group(1) for i in inputs if " checked" in i}
