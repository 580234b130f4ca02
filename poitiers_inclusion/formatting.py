"""Values as a person reads them in French: Oui/Non, 1 234,5, 25/12/2026, never True or None."""

import datetime
import decimal

from django.utils import timezone


def display_value(value) -> str:
    """A value written for a French reader; "—" when there is none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, int | float | decimal.Decimal):
        if isinstance(value, int) or float(value).is_integer():
            return f"{int(value):,}".replace(",", "\u202f")
        return f"{float(value):,.1f}".replace(",", "\u202f").replace(".", ",")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return ", ".join(display_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return " ; ".join(f"{k} : {display_value(v)}" for k, v in value.items()) or "—"
    return str(value)
