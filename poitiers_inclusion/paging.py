"""Paging of the list screens."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Past this many rows a list says "plus de …" instead of counting them all: counting millions of
# rows costs a scan on every page shown, while nobody pages that far (filters reach older rows).
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap` rows (`capped` then says there are more)."""

    def __init__(
        self, object_list, per_page, cap: int | None = None, by_key: bool = False, **kwargs
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.capped = False
        self.by_key = by_key

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            # COUNT(*) over a LIMITed subquery: the scan stops after cap + 1 rows.
            found = self.object_list.order_by()[: self.cap + 1].count()
        else:
            found = len(self.object_list)
        self.capped = found > self.cap
        return min(found, self.cap)

    def page(self, number) -> Page:
        """With by_key, the page's keys first (an index holding the order and the key answers
        it without reading the rows skipped), then its rows with everything they bring along."""
        if not (self.by_key and isinstance(self.object_list, QuerySet)):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)

    @property
    def count_label(self) -> str:
        """The count the French way: 10 000 (a no-break space between thousands)."""
        return f"{self.count:,}".replace(",", "\u00a0")


def paginate(request, rows, per_page: int, *, by_key: bool = False) -> tuple[Page, str]:
    """The requested page of `rows`, and the query string without `page` for the page links
    (templates/includes/pagination.html), so filters survive paging. `by_key`: for the long
    lists whose order an index holds with the key (CappedPaginator.page)."""
    page = CappedPaginator(rows, per_page, by_key=by_key).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
