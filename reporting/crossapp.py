"""Cross-app views that reporting reads directly (DESIGN §2 lets reporting read every app)."""

import datetime

from django.db.models import Min

from permanences.models import Permanence


def opening_dates() -> dict[int, datetime.date]:
    """The date each quartier got its first permanence (earliest start of a slot at its places)."""
    rows = (
        Permanence.objects.filter(lieu__quartier__isnull=False)
        .values("lieu__quartier")
        .annotate(opened=Min("valid_from"))
    )
    return {row["lieu__quartier"]: row["opened"] for row in rows}
