"""Paging of the list screens."""

from django.core.paginator import Page, Paginator


def paginate(request, rows, per_page: int) -> tuple[Page, str]:
    """The requested page of `rows`, and the query string without `page` for the page links
    (templates/includes/pagination.html), so filters survive paging."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
