"""Lists count their rows up to a cap: past it they say "plus de …" rather than count millions
of rows on every page shown."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from poitiers_inclusion.models import Usager
from poitiers_inclusion.paging import CappedPaginator
from tests.factories import UsagerFactory

pytestmark = pytest.mark.django_db


def _render(page) -> str:
    return " ".join(render_to_string("includes/pagination.html", {"page": page}).split())


def test_below_the_cap_the_count_is_exact():
    UsagerFactory.create_batch(5)
    page = CappedPaginator(Usager.objects.order_by("pk"), 2, cap=10).get_page(3)
    assert (page.paginator.count, page.paginator.capped, page.paginator.num_pages) == (5, False, 3)
    assert len(page.object_list) == 1
    assert "Page 3 sur 3</span>" in _render(page)
    assert "5 résultats" in _render(page)


def test_past_the_cap_the_list_says_there_are_more():
    UsagerFactory.create_batch(7)
    paginator = CappedPaginator(Usager.objects.order_by("pk"), 2, cap=4)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(1)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (4, True, 2)
    # The count reads at most cap + 1 rows.
    assert "LIMIT 5" in queries.captured_queries[0]["sql"]
    text = _render(page)
    assert "Page 1 sur 2 ou plus" in text
    assert "Plus de 4 résultats : affinez les filtres pour voir les autres." in text
    # Asking for a page past the cap shows the last one counted.
    assert list(paginator.get_page(9).object_list) == list(Usager.objects.order_by("pk")[2:4])


def test_thousands_are_written_the_french_way():
    paginator = CappedPaginator(list(range(12_345)), 25)
    assert paginator.count_label == "10\u00a0000"
    assert paginator.capped


def test_paging_by_key_gives_the_rows_of_plain_paging_in_their_order():
    UsagerFactory.create_batch(7)
    rows = Usager.objects.order_by("-last_name", "pk")
    for number in (1, 2, 3, 4):
        plain = CappedPaginator(rows, 2).get_page(number)
        by_key = CappedPaginator(rows, 2, by_key=True).get_page(number)
        assert list(by_key.object_list) == list(plain.object_list), number
        assert by_key.number == plain.number and by_key.has_next() == plain.has_next()
