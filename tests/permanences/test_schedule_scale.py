"""The drop-in schedule at national scale: the public schedule narrowed to a commune, the planning's
forms and filters whose selects of thousands of lieux, permanences and conseillers are written in
one pass, with the same names, labels and cleaned values, in a number of queries that does not grow
with the rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from permanences.enums import Weekday
from permanences.schedule_forms import (
    AttendanceForm,
    BeforeAfterForm,
    CompareForm,
    ExtraSlotForm,
    FermetureForm,
    MovePermanenceForm,
    PermanenceForm,
)
from poitiers_inclusion.enums import Role
from poitiers_inclusion.widgets import LargeSelect
from reseau import communes
from tests.factories import LieuFactory, QuartierFactory
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import next_weekday

pytestmark = pytest.mark.django_db

SCHEDULE = reverse("permanences:public_schedule")


@pytest.fixture
def coordinator(users, client_for):
    return client_for(users[Role.COORDINATEUR])


@pytest.fixture
def national(monkeypatch, settings):
    """A programme past the size where the public pages show one commune at a time."""
    settings.CITY_NAME = "Poitiers"
    monkeypatch.setattr(communes, "WHOLE_PROGRAMME_UP_TO", 1)


def _desk(nom, commune, quartier=None, **extra):
    quartier = quartier or QuartierFactory(commune=commune)
    lieu = LieuFactory(nom=nom, commune=commune, quartier=quartier)
    return PermanenceFactory(lieu=lieu, weekday=Weekday.MARDI, **extra)


def _in_one_pass(form, *names) -> bool:
    """The kernel's LargeSelect writes these selects, not one template per option."""
    return all(isinstance(form.fields[name].widget, LargeSelect) for name in names)


def _html(client, url, data=None) -> str:
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


# --- The public schedule ------------------------------------------------------------------------


def test_it_opens_on_the_citys_commune_at_national_scale(client, national):
    _desk("Médiathèque de Poitiers", "Poitiers")
    _desk("Maison de Niort", "Niort")
    _desk("Épicerie de Bordeaux", "Bordeaux")
    html = _html(client, SCHEDULE)
    assert "Médiathèque de Poitiers" in html
    assert "Maison de Niort" not in html and "Épicerie de Bordeaux" not in html
    assert '<label class="form-label" for="id_commune">Commune</label>' in html
    assert '<option value="Poitiers" selected>Poitiers</option>' in html
    assert "Toutes les communes" not in html  # every desk of the country: not offered


def test_the_resident_chooses_another_commune_kept_in_the_url(client, national):
    _desk("Médiathèque de Poitiers", "Poitiers")
    _desk("Maison de Niort", "Niort")
    html = _html(client, SCHEDULE, {"commune": "Niort"})
    assert "Maison de Niort" in html and "Médiathèque de Poitiers" not in html
    assert '<option value="Niort" selected>Niort</option>' in html


def test_a_commune_not_offered_reads_as_the_default_one(client, national, settings):
    _desk("Maison de Niort", "Niort")
    _desk("Épicerie de Bordeaux", "Bordeaux")
    _desk("Salle de Bordeaux", "Bordeaux")
    settings.CITY_NAME = "Angoulême"  # a city without lieux: the first commune
    for value in ("Nulle part", ""):
        html = _html(client, SCHEDULE, {"commune": value})
        assert "Épicerie de Bordeaux" in html and "Maison de Niort" not in html


def test_the_quartiers_offered_are_those_of_the_commune(client, national):
    nord = QuartierFactory(nom="Poitiers Nord", commune="Poitiers")
    sud = QuartierFactory(nom="Poitiers Sud", commune="Poitiers")
    _desk("Médiathèque Nord", "Poitiers", quartier=nord)
    _desk("Centre Sud", "Poitiers", quartier=sud)
    clou = QuartierFactory(nom="Clou Bouchet", commune="Niort")
    _desk("Maison du Clou", "Niort", quartier=clou)
    html = _html(client, SCHEDULE)
    assert "Poitiers Nord" in html and "Clou Bouchet" not in html
    html = _html(client, SCHEDULE, {"commune": "Poitiers", "quartier": sud.pk})
    assert "Centre Sud" in html and "Médiathèque Nord" not in html
    assert f'href="{SCHEDULE}?commune=Poitiers">Tous les quartiers' in html
    # A quartier of another commune narrows nothing: the commune's page.
    html = _html(client, SCHEDULE, {"commune": "Poitiers", "quartier": clou.pk})
    assert "Centre Sud" in html and "Médiathèque Nord" in html and "Maison du Clou" not in html


def test_a_city_sized_programme_shows_every_commune_by_default(client):
    _desk("Médiathèque de Poitiers", "Poitiers")
    _desk("Mairie de Buxerolles", "Buxerolles")
    html = _html(client, SCHEDULE)
    assert "Médiathèque de Poitiers" in html and "Mairie de Buxerolles" in html
    assert '<option value="" selected>Toutes les communes</option>' in html
    html = _html(client, SCHEDULE, {"commune": "Buxerolles"})
    assert "Mairie de Buxerolles" in html and "Médiathèque de Poitiers" not in html


def test_a_single_communes_page_offers_no_commune(client):
    _desk("Médiathèque de Poitiers", "Poitiers")
    html = _html(client, SCHEDULE)
    assert "Médiathèque de Poitiers" in html
    assert 'name="commune"' not in html and 'aria-label="Choisir un quartier"' in html


def test_each_slot_says_its_day_and_hours(client):
    today = timezone.localdate()
    PermanenceFactory(
        lieu=LieuFactory(nom="Médiathèque"),
        weekday=(today.weekday() + 2) % 7,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
    )
    html = _html(client, SCHEDULE)
    assert "de 09h30 à 12h00" in html
    day = today + datetime.timedelta(days=2)
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"]
    months += ["septembre", "octobre", "novembre", "décembre"]
    name = f"{Weekday(day.weekday()).label} {day.day} {months[day.month - 1]}"
    assert f'<span class="occ-date">{name}</span>' in html


def test_the_schedules_queries_do_not_grow_with_the_desks(
    client, national, django_assert_max_num_queries
):
    _desk("Médiathèque 0", "Poitiers")
    _desk("Maison 0", "Niort")
    _html(client, SCHEDULE)
    with CaptureQueriesContext(connection) as few:
        _html(client, SCHEDULE)
    for n in range(1, 8):
        _desk(f"Médiathèque {n}", "Poitiers")
        _desk(f"Maison {n}", "Niort")
    with django_assert_max_num_queries(len(few)):
        html = _html(client, SCHEDULE)
    assert "Médiathèque 7" in html and "Maison 7" not in html


# --- The planning's forms -------------------------------------------------------------------------


def test_the_slot_forms_write_their_choices_in_one_pass(coordinator, make_user):
    LieuFactory(nom="Médiathèque François-Mitterrand")
    LieuFactory(nom="Lieu archivé", archived=True)
    make_user(Role.CONSEILLER, first_name="Awa", last_name="Diallo")
    assert _in_one_pass(PermanenceForm(), "lieu") and _in_one_pass(ExtraSlotForm(), "lieu")
    for name in ("permanence_create", "extra_slot_create"):
        html = _html(coordinator, reverse(f"permanences:{name}"))
        assert ">Médiathèque François-Mitterrand</option>" in html
        assert "Lieu archivé" not in html
        assert "<legend" in html and "Conseillers" in html  # the boxes are named as a group
        assert 'class="form-check-label">Awa Diallo</label>' in html


def test_a_refused_permanence_keeps_the_lieu_and_the_conseillers_chosen(coordinator, make_user):
    lieu = LieuFactory(nom="Médiathèque")
    awa = make_user(Role.CONSEILLER, first_name="Awa", last_name="Diallo")
    data = {
        "lieu": lieu.pk,
        "weekday": Weekday.MARDI,
        "start_time": "17:00",
        "end_time": "14:00",  # before the start
        "conseillers": [awa.pk],
        "valid_from": "2024-01-02",
        "mode": "sans_rdv",
    }
    html = coordinator.post(reverse("permanences:permanence_create"), data).content.decode()
    assert "L&#x27;heure de fin doit être après l&#x27;heure de début." in html
    assert f'<option value="{lieu.pk}" selected>Médiathèque</option>' in html
    assert f'value="{awa.pk}" id="id_conseillers_0" checked>' in html


def test_the_slot_form_saves_its_lieu_and_conseillers_and_refuses_an_archived_lieu(make_user):
    lieu = LieuFactory()
    awa = make_user(Role.CONSEILLER)
    data = {
        "lieu": lieu.pk,
        "weekday": Weekday.MARDI,
        "start_time": "14:00",
        "end_time": "17:00",
        "conseillers": [awa.pk],
        "valid_from": "2024-01-02",
        "mode": "sans_rdv",
    }
    form = PermanenceForm(data=data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["lieu"] == lieu
    assert list(form.cleaned_data["conseillers"]) == [awa]
    archived = LieuFactory(archived=True)
    form = PermanenceForm(data={**data, "lieu": archived.pk})
    assert not form.is_valid() and "lieu" in form.errors
    outsider = make_user(Role.COORDINATEUR)  # not a conseiller
    form = PermanenceForm(data={**data, "conseillers": [outsider.pk]})
    assert not form.is_valid() and "conseillers" in form.errors


def test_the_closure_form_names_each_permanence_and_refuses_an_old_one(coordinator):
    permanence = PermanenceFactory(lieu=LieuFactory(nom="Médiathèque"), weekday=Weekday.JEUDI)
    old = PermanenceFactory(valid_until=datetime.date(2020, 1, 1))
    assert _in_one_pass(FermetureForm(), "lieu", "permanence")
    html = _html(coordinator, reverse("permanences:closure_create"))
    assert f'<option value="{permanence.pk}">{permanence}</option>' in html
    assert str(permanence) == "Médiathèque — jeudi 14:00–17:00"
    data = {"permanence": permanence.pk, "start_date": "2026-01-10", "end_date": "2026-01-01"}
    html = coordinator.post(reverse("permanences:closure_create"), data).content.decode()
    assert f'<option value="{permanence.pk}" selected>' in html  # kept after the error
    form = FermetureForm(data={**data, "end_date": "2026-01-12", "message": "Travaux"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["permanence"] == permanence
    form = FermetureForm(data={**data, "permanence": old.pk, "message": "Travaux"})
    assert not form.is_valid() and "permanence" in form.errors


def test_the_planning_filters_by_lieu(coordinator):
    kept = PermanenceFactory(lieu=LieuFactory(nom="Médiathèque"))
    PermanenceFactory(lieu=LieuFactory(nom="Maison de quartier"))
    response = coordinator.get(reverse("permanences:schedule"), {"lieu": kept.lieu_id})
    assert _in_one_pass(response.context["filter"].form, "lieu", "quartier")
    assert list(response.context["page"].object_list) == [kept]
    html = response.content.decode()
    assert f'<option value="{kept.lieu_id}" selected>Médiathèque</option>' in html


@pytest.mark.parametrize(
    "name", ["schedule", "permanence_create", "extra_slot_create", "closure_create"]
)
def test_the_planning_pages_queries_do_not_grow_with_the_network(
    coordinator, make_user, django_assert_max_num_queries, name
):
    PermanenceFactory()
    make_user(Role.CONSEILLER)
    url = reverse(f"permanences:{name}")
    _html(coordinator, url)
    with CaptureQueriesContext(connection) as few:
        _html(coordinator, url)
    for _ in range(6):
        PermanenceFactory()
        make_user(Role.CONSEILLER)
    with django_assert_max_num_queries(len(few)):
        _html(coordinator, url)


# --- The attendance page's and the move's forms -------------------------------------------------


def test_the_attendance_forms_keep_their_names_and_values():
    quartier = QuartierFactory(nom="Couronneries")
    first = PermanenceFactory(lieu=LieuFactory(nom="Médiathèque", quartier=quartier))
    second = PermanenceFactory(weekday=Weekday.JEUDI)
    LieuFactory(nom="Lieu sans permanence", quartier=QuartierFactory(nom="Sans permanence"))
    form = AttendanceForm({"start": "2026-01-01", "end": "2026-02-01", "quartier": quartier.pk})
    assert form.is_valid() and form.cleaned_data["quartier"] == quartier
    assert "Sans permanence" not in str(form["quartier"])
    assert f'<option value="{quartier.pk}" selected>Couronneries</option>' in str(form["quartier"])
    assert not AttendanceForm({"quartier": 999999}).is_valid()
    form = BeforeAfterForm({"pivot": "2026-01-01", "months": "6", "ba_lieu": first.lieu_id})
    assert form.is_valid() and form.cleaned_data["ba_lieu"] == first.lieu
    assert "Lieu sans permanence" not in str(form["ba_lieu"])
    assert f'<option value="{first.lieu_id}" selected>Médiathèque</option>' in str(form["ba_lieu"])
    form = CompareForm({"first": first.pk, "second": second.pk})
    assert form.is_valid()
    assert (form.cleaned_data["first"], form.cleaned_data["second"]) == (first, second)
    assert f'<option value="{first.pk}" selected>{first}</option>' in str(form["first"])
    assert not CompareForm({"first": first.pk, "second": first.pk}).is_valid()
    assert _in_one_pass(AttendanceForm(), "quartier")
    assert _in_one_pass(BeforeAfterForm(), "ba_lieu", "ba_quartier")
    assert _in_one_pass(CompareForm(), "first", "second")
    for form in (AttendanceForm(), BeforeAfterForm(), CompareForm()):
        for field in form:
            assert field.label and field.id_for_label  # each select has its label


def test_the_move_form_offers_the_other_open_lieux():
    permanence = PermanenceFactory(lieu=LieuFactory(nom="Ancien lieu"))
    new = LieuFactory(nom="Nouveau lieu")
    archived = LieuFactory(nom="Lieu archivé", archived=True)
    form = MovePermanenceForm(permanence=permanence)
    assert _in_one_pass(form, "lieu")
    html = str(form["lieu"])
    assert ">Nouveau lieu</option>" in html
    assert "Ancien lieu" not in html and "Lieu archivé" not in html
    form = MovePermanenceForm({"lieu": new.pk, "day": "2026-01-01"}, permanence=permanence)
    assert form.is_valid() and form.cleaned_data["lieu"] == new
    form = MovePermanenceForm({"lieu": archived.pk, "day": "2026-01-01"}, permanence=permanence)
    assert not form.is_valid() and "lieu" in form.errors


def test_the_coordinators_agenda_shows_one_commune_at_a_time_nationally(
    national, users, client_for
):
    here, there = _desk("Médiathèque", "Poitiers"), _desk("Mairie annexe", "Niort")
    tuesday = next_weekday(Weekday.MARDI)
    url = reverse("permanences:agenda")
    coordinator = client_for(users[Role.COORDINATEUR])

    page = _html(coordinator, url, {"date": tuesday.isoformat()})
    assert "Médiathèque" in page and "Mairie annexe" not in page  # the city's by default
    assert 'name="commune"' in page

    niort = _html(coordinator, url, {"date": tuesday.isoformat(), "commune": "Niort"})
    assert "Mairie annexe" in niort and "Médiathèque" not in niort
    following = (tuesday + datetime.timedelta(days=1)).isoformat()
    assert f"?date={following}&amp;commune=Niort" in niort  # the day links keep it

    conseiller = users[Role.CONSEILLER]
    there.conseillers.add(conseiller)
    own = _html(client_for(conseiller), url, {"date": tuesday.isoformat()})
    assert "Mairie annexe" in own and 'name="commune"' not in own  # their own desks
    assert here.lieu.nom not in own
