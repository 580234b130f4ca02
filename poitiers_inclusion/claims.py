"""Doing something once per row, however many runs overlap: the reminders of the workshops and
of the bookings, the e-mails of the outbox."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone


def claim_once(queryset, *, field: str, action: Callable, now=None, dry_run=False) -> int:
    """Call `action(row)` for each row of `queryset` whose `field` is still empty, and return
    how many were acted on (with dry_run, how many would be, touching nothing).

    Each row is first claimed by `UPDATE … SET field = now WHERE pk = … AND field IS NULL`: of
    two runs at the same time, the second waits for the first's transaction and then updates
    nothing, so it skips the row. The claim and the action are one transaction: when the action
    fails, the claim is undone and the next run tries again."""
    now = now or timezone.now()
    unclaimed = {f"{field}__isnull": True}
    if dry_run:
        return queryset.filter(**unclaimed).count()
    done = 0
    for pk in list(queryset.filter(**unclaimed).values_list("pk", flat=True)):
        with transaction.atomic():
            row = queryset.filter(pk=pk).first()
            if row is None:  # claimed and done by another run meanwhile
                continue
            claimed = queryset.model._base_manager.filter(pk=pk, **unclaimed).update(**{field: now})
            if not claimed:
                continue
            setattr(row, field, now)
            action(row)
            done += 1
    return done
