"""At a national programme's scale: the pages read one page of sessions, never all of them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ateliers import forms, public_views, staff_views
from ateliers.enums import Niveau
from ateliers.models import Seance
from poitiers_inclusion.enums import Role
from tests.factories import LieuFactory, UserFactory

from .factories import InscriptionFactory, ModuleFactory, SeanceFactory

pytestmark = pytest.mark.django_db


def _day(offset):
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def coordinator(users, client_for):
    return client_for(users[Role.COORDINATEUR])


# --- The team's list ----------------------------------------------------------------------------


def test_it_pages_coming_sessions_then_past_ones(coordinator, monkeypatch):
    monkeypatch.setattr(staff_views, "PER_PAGE", 2)
    later, soon, today = (SeanceFactory(date=_day(n)) for n in (9, 2, 0))
    older, past = (SeanceFactory(date=_day(n)) for n in (-20, -1))
    url = reverse("ateliers:seance_list")
    pages = [list(coordinator.get(url, {"page": n}).context["page"].object_list) for n in (1, 2, 3)]
    assert pages == [[today, soon], [later, past], [older]]
    second = coordinator.get(url, {"page": 2}).content.decode()
    assert "Séances passées" in second and "Page 2 sur 3" in second


def test_the_page_keeps_the_filters_and_counts_its_rows(coordinator, monkeypatch):
    monkeypatch.setattr(staff_views, "PER_PAGE", 1)
    module = ModuleFactory()
    first, second = (SeanceFactory(date=_day(n), module=module, capacite=3) for n in (1, 2))
    SeanceFactory(date=_day(1))  # another module
    InscriptionFactory.create_batch(2, seance=second)
    InscriptionFactory(seance=second, attente=True)
    response = coordinator.get(reverse("ateliers:seance_list"), {"module": module.pk, "page": 2})
    [row] = response.context["page"].object_list
    assert row == second and (row.nb_inscrits, row.nb_attente) == (2, 1)
    assert f"module={module.pk}&amp;page=1" in response.content.decode()
    assert first not in response.context["page"].object_list


def test_registrations_are_counted_for_the_shown_sessions_only(coordinator):
    for n in range(3):
        InscriptionFactory(seance=SeanceFactory(date=_day(n - 1)))
    with CaptureQueriesContext(connection) as captured:
        assert coordinator.get(reverse("ateliers:seance_list")).status_code == 200
    counting = [q["sql"] for q in captured if '"ateliers_inscription"' in q["sql"]]
    assert counting, "the counts are read"
    # Counting before paging reads every registration of a national programme on each page.
    assert all('"ateliers_seance"."id" IN (' in sql for sql in counting)


# --- The public programme -----------------------------------------------------------------------


def test_the_programme_comes_a_page_at_a_time_with_its_filters(client, monkeypatch):
    monkeypatch.setattr(public_views, "PROGRAMME_PER_PAGE", 2)
    for n in (1, 2, 3):
        SeanceFactory(date=_day(n), module__titre=f"Débutants {n}", module__niveau=Niveau.DEBUTANT)
    SeanceFactory(date=_day(1), module__titre="Confirmés", module__niveau=Niveau.AVANCE)
    url = reverse("ateliers:programme")
    first = client.get(url, {"niveau": Niveau.DEBUTANT}).content.decode()
    assert "Débutants 1" in first and "Débutants 2" in first and "Débutants 3" not in first
    assert f"niveau={Niveau.DEBUTANT}&amp;page=2" in first
    second = client.get(url, {"niveau": Niveau.DEBUTANT, "page": 2}).content.decode()
    assert "Débutants 3" in second and "Débutants 1" not in second and "Confirmés" not in second
    assert "le programme des séances (page 2) —" in second


def test_a_city_programme_stays_on_one_page_without_paging(client):
    for n in range(5):
        SeanceFactory(date=_day(n + 1))
    html = client.get(reverse("ateliers:programme")).content.decode()
    assert html.count('class="seance-when"') == 5
    assert 'aria-label="Pagination"' not in html and "résultat" not in html


# --- The calendar -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 8])
def test_the_calendar_reads_no_field_per_session(client, count, django_assert_max_num_queries):
    for n in range(count):
        seance = SeanceFactory(date=_day(n + 1), capacite=2)
        InscriptionFactory(seance=seance)
    SeanceFactory(date=_day(1), cancelled_at=timezone.now(), motif_annulation="Salle prise")
    with django_assert_max_num_queries(1):
        body = client.get(reverse("ateliers:calendar")).content.decode()
    assert body.count("BEGIN:VEVENT") == count + 1
    seance = Seance.objects.filter(cancelled_at__isnull=True).first()
    address = reverse("ateliers:register_public", args=[seance.pk])
    assert f"{address}\r\n" in body or address in body.replace("\r\n ", "")
    assert "1 place restante." in body and "Salle prise" in body


# --- The session form ---------------------------------------------------------------------------


def test_a_city_picks_facilitators_by_ticking_them(coordinator):
    UserFactory(conseiller=True, first_name="Awa", last_name="Diallo")
    html = coordinator.get(reverse("ateliers:seance_create")).content.decode()
    assert re.search(r'type="checkbox"[^>]*name="animateurs"', html) and "Awa Diallo" in html
    assert "cochés" in html


def test_thousands_of_facilitators_are_a_list_to_pick_from(coordinator, monkeypatch):
    monkeypatch.setattr(forms, "FACILITATOR_CHECKBOXES_UP_TO", 2)
    awa, *_others = (
        UserFactory(conseiller=True, first_name=name, last_name="Diallo")
        for name in ("Awa", "Binta", "Coumba")
    )
    lieu = LieuFactory(nom="Médiathèque <Sud>", commune="Poitiers")
    url = reverse("ateliers:seance_create")
    html = coordinator.get(url).content.decode()
    assert not re.search(r'type="checkbox"[^>]*name="animateurs"', html)
    assert 'name="animateurs"' in html and " multiple>" in html
    assert re.search(r'<label\s+for="id_animateurs"', html)
    assert f'<option value="{awa.pk}">Awa Diallo</option>' in html
    assert "Médiathèque &lt;Sud&gt; (Poitiers)" in html
    data = {
        "module": ModuleFactory().pk,
        "lieu": lieu.pk,
        "date": _day(3).isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "capacite": "8",
        "animateurs": [awa.pk, _others[0].pk],
    }
    assert coordinator.post(url, data).status_code == 302
    assert set(Seance.objects.get().animateurs.all()) == {awa, _others[0]}
