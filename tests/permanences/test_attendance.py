"""Attendance figures on data whose answer is known by hand, the dashboard section and the page."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from permanences.enums import Weekday
from permanences.figures import attendance
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory
from tests.permanences.factories import MediationFactory, PermanenceFactory
from tests.permanences.factories_schedule import FermetureFactory

pytestmark = pytest.mark.django_db

D = datetime.date
# March 2023: Tuesdays 7, 14, 21, 28. February 2023: Tuesdays 7, 14, 21, 28.
MARCH = (D(2023, 3, 1), D(2023, 3, 31))


def _visit(permanence, day, usagers=None, **kwargs):
    return MediationFactory(
        permanence=permanence, lieu=permanence.lieu, date=day, usagers=usagers, **kwargs
    )


@pytest.fixture
def tuesday():
    return PermanenceFactory(weekday=Weekday.MARDI, valid_from=D(2023, 1, 1))


def test_one_tuesday_without_visits_out_of_four_is_25_percent_empty(tuesday):
    regular = UsagerFactory()
    _visit(tuesday, D(2023, 3, 7), [regular, UsagerFactory()])
    _visit(tuesday, D(2023, 3, 14), [regular])
    _visit(tuesday, D(2023, 3, 28), [UsagerFactory()])
    _visit(PermanenceFactory(), D(2023, 3, 21))  # another desk
    MediationFactory(date=D(2023, 3, 21), permanence=None)  # not logged on a permanence

    total = attendance.Attendance([tuesday], *MARCH).total()
    assert (total.slots, total.empty, total.empty_share) == (4, 1, 25.0)
    assert total.visits == 4  # accompagnements, not médiations
    assert total.usagers == 3  # the regular counts once
    assert total.visits_per_slot == 1.0


def test_closed_tuesdays_are_not_counted_as_empty(tuesday):
    _visit(tuesday, D(2023, 3, 7))
    _visit(tuesday, D(2023, 3, 14))
    FermetureFactory(permanence=tuesday, start_date=D(2023, 3, 20), end_date=D(2023, 3, 31))
    total = attendance.Attendance([tuesday], *MARCH).total()
    assert (total.slots, total.closed, total.empty, total.empty_share) == (2, 2, 0, 0.0)


def test_slots_outside_the_validity_dates_do_not_count():
    short = PermanenceFactory(
        weekday=Weekday.MARDI, valid_from=D(2023, 3, 10), valid_until=D(2023, 3, 21)
    )
    _visit(short, D(2023, 3, 14))
    total = attendance.Attendance([short], *MARCH).total()
    assert (total.slots, total.empty, total.empty_share) == (2, 1, 50.0)


def test_future_slots_are_never_counted_as_empty():
    permanence = PermanenceFactory(weekday=Weekday.MARDI, valid_from=D(2023, 1, 1))
    far = D(2100, 1, 1)
    total = attendance.Attendance([permanence], D(2100, 1, 1), far).total()
    assert total.slots == 0 and total.empty_share is None


def test_the_monthly_trend_counts_each_month(tuesday):
    _visit(tuesday, D(2023, 2, 7), [UsagerFactory(), UsagerFactory()])
    _visit(tuesday, D(2023, 3, 7))
    rows = attendance.Attendance([tuesday], D(2023, 2, 1), D(2023, 3, 31)).by_month()
    assert [(r.extra["month"], r.slots, r.visits, r.empty) for r in rows] == [
        (D(2023, 2, 1), 4, 2, 3),
        (D(2023, 3, 1), 4, 1, 3),
    ]


def test_places_far_below_the_median_are_flagged():
    busy, middle, quiet = (
        PermanenceFactory(weekday=Weekday.MARDI, valid_from=D(2023, 1, 1)) for _ in range(3)
    )
    for day in (7, 14, 21, 28):
        for _ in range(4):
            _visit(busy, D(2023, 3, day))
        for _ in range(2):
            _visit(middle, D(2023, 3, day))
    _visit(quiet, D(2023, 3, 7))
    _visit(quiet, D(2023, 3, 14))  # 0.5 per slot, median is 2
    rows = {
        r.extra["lieu"]: r for r in attendance.Attendance([busy, middle, quiet], *MARCH).by_lieu()
    }
    assert rows[busy.lieu].visits_per_slot == 4.0
    assert rows[quiet.lieu].extra["median"] == 2.0
    assert rows[quiet.lieu].extra["far_below"] is True
    assert rows[middle.lieu].extra["far_below"] is False
    assert rows[quiet.lieu].empty_share == 50.0


def _moved_desk():
    """A desk moved on 1 March 2023 in one quartier: 9 visits before, 27 after (see below)."""
    quartier = QuartierFactory(nom="Trois-Cités")
    old = PermanenceFactory(
        lieu=LieuFactory(quartier=quartier),
        weekday=Weekday.MARDI,
        valid_from=D(2023, 1, 1),
        valid_until=D(2023, 2, 28),
    )
    new = PermanenceFactory(
        lieu=LieuFactory(quartier=quartier), weekday=Weekday.JEUDI, valid_from=D(2023, 3, 1)
    )
    # Before: January and February, 1 visit each Tuesday (Jan: 5 Tuesdays, Feb: 4) = 9.
    day = D(2023, 1, 3)
    while day < D(2023, 3, 1):
        _visit(old, day)
        day += datetime.timedelta(days=7)
    # After: March and April, 3 visits each Thursday (Mar: 5 Thursdays, Apr: 4) = 27.
    day = D(2023, 3, 2)
    while day < D(2023, 5, 1):
        for _ in range(3):
            _visit(new, day)
        day += datetime.timedelta(days=7)
    return old, new


def test_a_move_compares_monthly_averages_before_and_after():
    old, new = _moved_desk()
    before, after = attendance.before_after([old, new], D(2023, 3, 1), months=2)
    assert (before.visits, before.months, before.visits_per_month) == (9, 2, 4.5)
    assert (after.visits, after.months, after.visits_per_month) == (27, 2, 13.5)
    assert (before.visits_per_slot, after.visits_per_slot) == (1.0, 3.0)

    first, second = attendance.compare_permanences(old, new, D(2023, 1, 1), D(2023, 4, 30))
    assert (first.slots, second.slots) == (9, 9)


def test_the_figures_take_a_fixed_number_of_queries(tuesday, django_assert_max_num_queries):
    for day in (7, 14, 21, 28):
        for _ in range(5):
            _visit(tuesday, D(2023, 3, day))
    with django_assert_max_num_queries(8):
        data = attendance.Attendance([tuesday], *MARCH)
        data.total(), data.by_lieu(), data.by_permanence(), data.by_month()


def test_the_dashboard_section_is_registered_with_the_figures(tuesday, users):
    spec = next(s for s in figures.sections() if s.key == "permanences")
    assert spec.order == 20
    _visit(tuesday, D(2023, 3, 7))
    scope = figures.Scope(user=users[Role.COORDINATEUR], start=MARCH[0], end=MARCH[1])
    section = spec.build(scope)
    kpis = dict(section.kpis)
    assert kpis["Créneaux tenus"] == 4 and kpis["Créneaux vides (%)"] == 75.0
    tables = {t.key: t for t in section.tables}
    assert tables["frequentation_lieux"].rows[0][0] == tuesday.lieu.nom


def test_the_dashboard_compares_each_move_before_and_after(users):
    old, new = _moved_desk()
    scope = figures.Scope(user=users[Role.COORDINATEUR], start=D(2023, 1, 1), end=D(2023, 4, 30))
    section = attendance.build_section(scope)
    table = next(t for t in section.tables if t.key == "avant_apres")
    # Both the closing of the old desk (28/02, so from 01/03) and the opening of the new one.
    assert [row[:3] for row in table.rows] == [
        ["01/03/2023", f"Ouverture : {new}", "Trois-Cités"],
        ["01/03/2023", f"Fermeture : {old}", "Trois-Cités"],
    ]
    # 6 months each side, the quartier's desks: 9 visits in 2 months held before (Jan-Feb),
    # 27 in the 2 months held after (Mar-Apr; the period ends on 30/04).
    assert table.rows[0][3:] == [4.5, 13.5, 1.0, 3.0]


def test_a_period_without_a_move_keeps_the_table_and_its_export(users, client_for):
    """The export link of « avant / après », carried with other filters (a period where no desk
    opened or closed), gives the table's columns, not a missing page."""
    _moved_desk()
    client = client_for(users[Role.COORDINATEUR])
    quiet = {"du": "2023-06-01", "au": "2023-08-31"}
    section = attendance.build_section(
        figures.Scope(user=users[Role.COORDINATEUR], start=D(2023, 6, 1), end=D(2023, 8, 31))
    )
    table = next(t for t in section.tables if t.key == "avant_apres")
    assert table.rows == [] and "Aucune permanence n'a été ouverte ni fermée" in table.note
    url = reverse("reporting:export_table_csv", args=["permanences", "avant_apres"])
    response = client.get(url, quiet)
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert any(line.startswith("Date;Changement;Quartier (ou lieu)") for line in lines)
    page = client.get(reverse("reporting:dashboard"), quiet).text
    assert "Aucune permanence n&#x27;a été ouverte ni fermée sur cette période." in page


def test_without_an_end_date_the_slots_stop_at_the_last_visit(tuesday, users):
    _visit(tuesday, D(2023, 3, 7))
    _visit(tuesday, D(2023, 3, 14))
    scope = figures.Scope(user=users[Role.COORDINATEUR], start=MARCH[0])
    assert attendance.period(scope, [tuesday]) == (MARCH[0], D(2023, 3, 14))
    kpis = dict(attendance.build_section(scope).kpis)
    assert kpis["Créneaux tenus"] == 2 and kpis["Créneaux vides (%)"] == 0.0


def test_a_conseiller_scope_covers_only_their_desks(tuesday, users):
    conseiller = users[Role.CONSEILLER]
    mine = PermanenceFactory(weekday=Weekday.MARDI, valid_from=D(2023, 1, 1))
    mine.conseillers.add(conseiller)
    scope = figures.Scope(user=conseiller, start=MARCH[0], end=MARCH[1])
    assert list(attendance.permanences_for(scope)) == [mine]
    prescripteur = figures.Scope(user=users[Role.PRESCRIPTEUR])
    assert not attendance.permanences_for(prescripteur).exists()


def test_the_attendance_page_shows_busy_and_empty_desks(tuesday, users, client_for):
    quiet = PermanenceFactory(
        lieu=LieuFactory(nom="Maison calme"), weekday=Weekday.MARDI, valid_from=D(2023, 1, 1)
    )
    for day in (7, 14, 21, 28):
        for _ in range(3):
            _visit(tuesday, D(2023, 3, day))
    _visit(quiet, D(2023, 3, 7))
    client = client_for(users[Role.COORDINATEUR])
    response = client.get(
        reverse("permanences:attendance"), {"start": "2023-03-01", "end": "2023-03-31"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(tuesday.lieu.nom) < html.index("Maison calme")
    assert "Très peu fréquenté" in html

    ba = client.get(
        reverse("permanences:attendance"),
        {"pivot": "2023-03-15", "months": "3", "ba_lieu": tuesday.lieu.pk},
    )
    before, after = ba.context["before_after"]
    assert (before.visits, after.visits) == (6, 6)
    cmp = client.get(reverse("permanences:attendance"), {"first": tuesday.pk, "second": quiet.pk})
    assert [s.visits for s in cmp.context["compared"]] == [12, 1]
    detail = client.get(
        reverse("permanences:attendance"),
        {"start": "2023-03-01", "end": "2023-03-31", "permanence": quiet.pk},
    )
    assert [v for _, v in detail.context["focus_slots"]] == [0, 0, 0, 1]


def test_the_attendance_tables_download_as_shown(tuesday, users, client_for):
    for day in (7, 14, 21):
        _visit(tuesday, D(2023, 3, day))
    client = client_for(users[Role.COORDINATEUR])
    period = {"start": "2023-03-01", "end": "2023-03-31"}
    html = client.get(reverse("permanences:attendance"), period).content.decode()
    assert "?start=2023-03-01&amp;end=2023-03-31&amp;export=lieux&amp;format=csv" in html

    csv = client.get(
        reverse("permanences:attendance"), period | {"export": "lieux", "format": "csv"}
    )
    text = b"".join(csv.streaming_content).decode()
    assert "Période;du 01/03/2023 au 31/03/2023" in text
    # 4 Tuesdays held, none closed, 3 visits, 0.8 per slot, 3 people, 25 % empty.
    assert f"{tuesday.lieu.nom};{tuesday.lieu.quartier};4;0;3;0,8;3;25,0;" in text

    xlsx = client.get(
        reverse("permanences:attendance"), period | {"export": "mois", "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert ("03/2023", 4, 0, 3, 0.8, 3, 25) in list(sheet.iter_rows(values_only=True))


def test_a_bad_period_is_explained(users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(
        reverse("permanences:attendance"), {"start": "2023-03-31", "end": "2023-03-01"}
    )
    assert "La fin de la période doit suivre son début." in response.content.decode()


def test_the_section_leaves_the_garbage_collector_as_it_found_it(tuesday, users, monkeypatch):
    # The section pauses the cyclic collector while it builds (tens of thousands of small
    # objects at national scale): it is back on after, even when the build fails, and stays
    # off for a process that had turned it off.
    import gc

    from permanences.figures import attendance_section

    scope = figures.Scope(user=users[Role.COORDINATEUR], start=MARCH[0], end=MARCH[1])
    seen = []
    build = attendance_section._build
    monkeypatch.setattr(
        attendance_section, "_build", lambda s: seen.append(gc.isenabled()) or build(s)
    )
    assert gc.isenabled()
    attendance_section.build_section(scope)
    assert gc.isenabled() and seen == [False]

    def failing(scope):
        raise RuntimeError

    monkeypatch.setattr(attendance_section, "_build", failing)
    with pytest.raises(RuntimeError):
        attendance_section.build_section(scope)
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(attendance_section, "_build", build)
        attendance_section.build_section(scope)
        assert not gc.isenabled()
    finally:
        gc.enable()
