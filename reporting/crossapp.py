"""Cross-app views that reporting reads directly (DESIGN §2 lets reporting read every app)."""

import datetime

from django.db.models import Min

from permanences.models import Permanence


def opening_dates() -> dict[int, datetime.date]:
    """The date each quartier got its first permanence (earliest start of a recurring slot at its
    places): a one-off extra slot is an event, not an opening."""
    rows = (
        Permanence.objects.filter(lieu__quartier__isnull=False, is_one_off=False)
        .values("lieu__quartier")
        .annotate(opened=Min("valid_from"))
    )
    return {row["lieu__quartier"]: row["opened"] for row in rows}
