"""The team's list of sessions, paged by key: coming sessions first (the nearest on top), then
past ones (the latest on top).

A national programme holds hundreds of thousands of sessions: one ORDER BY putting coming ones
before past ones cannot follow an index and sorts them all on every page, and counting the
registrations of every session before paging reads every registration. So each part is read in
its own order (both follow the date index), only the page's keys, and the counts and related
rows are then fetched for those keys alone.
"""

import datetime

from django.db.models import QuerySet
from django.utils.functional import cached_property

from poitiers_inclusion.paging import COUNT_CAP

from .models import Seance


class ComingThenPast:
    """The keys of `sessions`, coming ones then past ones, as a sequence `CappedPaginator` pages:
    its length stops past the paginator's cap (one more than the cap says "there are more")."""

    def __init__(self, sessions: QuerySet, today: datetime.date, cap: int = COUNT_CAP):
        keys = sessions.order_by().values_list("pk", flat=True)
        self.coming = keys.filter(date__gte=today).order_by("date", "start_time", "pk")
        self.past = keys.filter(date__lt=today).order_by("-date", "start_time", "pk")
        self.cap = cap

    @cached_property
    def nb_coming(self) -> int:
        return self.coming.order_by()[: self.cap + 1].count()

    def __len__(self) -> int:
        if self.nb_coming > self.cap:
            return self.nb_coming
        return self.nb_coming + self.past.order_by()[: self.cap + 1 - self.nb_coming].count()

    def __getitem__(self, window: slice) -> list[int]:
        start, stop = window.start or 0, window.stop
        keys = list(self.coming[start:stop]) if start < self.nb_coming else []
        if stop > self.nb_coming:
            keys += list(self.past[max(start - self.nb_coming, 0) : stop - self.nb_coming])
        return keys


def rows_of(keys: list[int]) -> list[Seance]:
    """The sessions of `keys`, in that order, with their counts, module, lieu and facilitators."""
    found = (
        Seance.objects.filter(pk__in=keys)
        .with_counts()
        .select_related("module__parcours", "lieu")
        .prefetch_related("animateurs")
        .order_by()
    )
    by_key = {seance.pk: seance for seance in found}
    return [by_key[key] for key in keys if key in by_key]
