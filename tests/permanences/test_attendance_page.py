"""The attendance page at scale: its figures from the figures store (the same as computed live),
its long tables cut to their first rows (the exports keep them all), its links to the years."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from permanences import attendance_views
from permanences.enums import Weekday
from permanences.figures import attendance_rows
from poitiers_inclusion.enums import Role
from tests.factories import LieuFactory, UsagerFactory
from tests.permanences.factories import MediationFactory, PermanenceFactory

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = {"start": "2023-03-01", "end": "2023-04-30"}


@pytest.fixture(autouse=True)
def store_folder(figures_store_dir):
    return figures_store_dir


def _visit(permanence, day, usagers=None):
    return MediationFactory(permanence=permanence, lieu=permanence.lieu, date=day, usagers=usagers)


def _desks():
    """Three lieux: busy (three a Tuesday), middling (one a Tuesday), quiet (one visit)."""
    busy, middling, quiet = (
        PermanenceFactory(
            lieu=LieuFactory(nom=name), weekday=Weekday.MARDI, valid_from=D(2023, 1, 1)
        )
        for name in ("Médiathèque animée", "Maison moyenne", "Salle calme")
    )
    regular = UsagerFactory()
    for day in (7, 14, 21, 28):
        _visit(busy, D(2023, 3, day), [regular, UsagerFactory(), UsagerFactory()])
        _visit(middling, D(2023, 3, day), [regular])
    _visit(busy, D(2023, 4, 4), [regular])
    _visit(quiet, D(2023, 4, 11))
    return busy, middling, quiet


def _figures(context) -> dict:
    def stats(rows):
        return [(s.label, s.slots, s.empty, s.visits, s.usagers, s.closed) for s in rows]

    total = context["total"]
    before, after = context["before_after"]
    return {
        "total": (total.slots, total.empty, total.visits, total.usagers),
        "lieux": stats(context["lieux"]["rows"]),
        "permanences": stats(context["permanences"]["rows"]),
        "months": stats(context["months"]),
        "before_after": stats([before, after]),
        "compared": stats(context["compared"]),
        "focus": [(o.date, visits) for o, visits in context["focus_slots"]],
    }


def test_the_page_reads_the_figures_store_and_shows_the_live_figures(
    users, client_for, monkeypatch
):
    busy, middling, quiet = _desks()
    client = client_for(users[Role.COORDINATEUR])
    query = PERIOD | {"pivot": "2023-04-01", "months": "3", "permanence": busy.pk}
    query |= {"first": busy.pk, "second": quiet.pk}

    live = _figures(client.get(reverse("permanences:attendance"), query).context)
    # 8 Tuesdays × 3 desks, 10 of them visited; 13 + 4 + 1 visits by the regular and 9 others.
    assert live["total"] == (24, 14, 18, 10)
    assert live["lieux"][0][0] == "Médiathèque animée"

    call_command("rebuild_figures_store", stdout=io.StringIO())
    answered = []
    visits = attendance_rows.visits
    monkeypatch.setattr(
        attendance_rows,
        "visits",
        lambda *args: answered.append(found := visits(*args)) or found,
    )
    stored = _figures(client.get(reverse("permanences:attendance"), query).context)
    assert stored == live
    # The period, before and after the pivot, the two compared, the focused desk: all stored.
    assert len(answered) == 6 and None not in answered


def test_long_tables_show_their_first_rows_and_the_least_visited_on_request(
    users, client_for, monkeypatch
):
    _desks()
    monkeypatch.setattr(attendance_views, "ROWS_SHOWN", 2)
    client = client_for(users[Role.COORDINATEUR])

    page = client.get(reverse("permanences:attendance"), PERIOD)
    html = page.content.decode()
    assert [s.label for s in page.context["lieux"]["rows"]] == [
        "Médiathèque animée",
        "Maison moyenne",
    ]
    assert '<th scope="row">Salle calme' not in html
    assert "Cette page montre les 2 lieux les plus fréquentés sur 3" in html
    assert "Cette page montre les 2 permanences les plus fréquentées sur 3" in html
    assert "ordre=moins" in html
    assert "les exports CSV et Excel les donnent toutes" in html  # the permanences
    assert "Voir d’abord les moins fréquentées" in html.replace("&#x27;", "’").replace("'", "’")

    least = client.get(reverse("permanences:attendance"), PERIOD | {"ordre": "moins"})
    assert [s.label for s in least.context["lieux"]["rows"]] == [
        "Salle calme",
        "Maison moyenne",
    ]
    assert "les 2 lieux les moins fréquentés sur 3" in least.content.decode()

    csv = client.get(
        reverse("permanences:attendance"), PERIOD | {"export": "lieux", "format": "csv"}
    )
    text = b"".join(csv.streaming_content).decode()
    assert all(name in text for name in ("Médiathèque animée", "Maison moyenne", "Salle calme"))


def test_short_tables_are_whole_without_a_note(users, client_for):
    _desks()
    html = client_for(users[Role.COORDINATEUR]).get(reverse("permanences:attendance"), PERIOD)
    assert '<th scope="row">Salle calme' in html.content.decode()
    assert "Cette page montre" not in html.content.decode()


def test_the_year_links_are_the_years_with_visits(users, client_for):
    desk = PermanenceFactory(valid_from=D(2021, 1, 1))
    for day in (D(2021, 5, 4), D(2021, 6, 1), D(2023, 2, 7)):
        _visit(desk, day)
    MediationFactory(date=D(2022, 3, 1), permanence=None)  # not at a permanence
    page = client_for(users[Role.COORDINATEUR]).get(reverse("permanences:attendance"))
    assert page.context["years"] == [2021, 2023]
    assert '<a href="?start=2023-01-01&amp;end=2023-12-31">2023</a>' in page.content.decode()
