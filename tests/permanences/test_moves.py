"""Moving a permanence in one step from the attendance page: the old one ends, the new one goes on
elsewhere, bookings follow and their people are told, the public pages announce it."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from permanences.enums import Weekday
from permanences.models import Creneau, Permanence, RendezVous
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import CallToMake
from tests.factories import LieuFactory
from tests.permanences.factories_schedule import (
    BookablePermanenceFactory,
    RendezVousFactory,
    next_weekday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    today = timezone.localdate()
    old_lieu = LieuFactory(nom="Centre social SEVE", adresse="3 rue du Clos")
    new_lieu = LieuFactory(
        nom="Médiathèque des Couronneries", adresse="1 place de Provence", code_postal="86000"
    )
    permanence = BookablePermanenceFactory(
        lieu=old_lieu, weekday=Weekday.JEUDI, valid_from=today - datetime.timedelta(days=200)
    )
    day = next_weekday(Weekday.JEUDI, weeks=2)
    return permanence, new_lieu, day


def _book(permanence, day, **kwargs):
    creneau, _ = Creneau.objects.get_or_create(permanence=permanence, date=day)
    return RendezVousFactory(creneau=creneau, **kwargs)


def test_it_moves_a_permanence_in_one_step(
    setting, users, client_for, django_capture_on_commit_callbacks
):
    permanence, new_lieu, day = setting
    conseiller = users[Role.CONSEILLER]
    permanence.conseillers.add(conseiller)
    before = _book(permanence, day - datetime.timedelta(days=7), heure=datetime.time(14, 0))
    by_email = _book(permanence, day, heure=datetime.time(14, 0))
    phone_only = _book(
        permanence, day + datetime.timedelta(days=7), email="", telephone="0612345678"
    )

    client = client_for(users[Role.COORDINATEUR])
    url = reverse("permanences:permanence_move", args=[permanence.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"lieu": new_lieu.pk, "day": day.isoformat()}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("permanences:attendance")
    permanence.refresh_from_db()
    assert permanence.valid_until == day - datetime.timedelta(days=1)
    new = Permanence.objects.get(moved_from=permanence)
    assert (new.lieu, new.valid_from, new.valid_until) == (new_lieu, day, None)
    assert (new.weekday, new.start_time, new.end_time, new.mode, new.capacity) == (
        permanence.weekday,
        permanence.start_time,
        permanence.end_time,
        permanence.mode,
        permanence.capacity,
    )
    assert list(new.conseillers.all()) == [conseiller]
    # The bookings from the day on follow the permanence; the one before stays where it was.
    for rdv in (before, by_email, phone_only):
        rdv.refresh_from_db()
    assert before.creneau.permanence == permanence
    assert by_email.creneau.permanence == new and phone_only.creneau.permanence == new
    # The person with an e-mail is written to, the one with a landline only is on the call list.
    assert [m.to for m in mail.outbox] == [[by_email.email]]
    assert "Médiathèque des Couronneries" in mail.outbox[0].body
    assert "1 place de Provence" in mail.outbox[0].body
    call = CallToMake.objects.get()
    assert (call.phone, call.target_id) == (phone_only.telephone, phone_only.pk)
    assert "Médiathèque des Couronneries" in call.message
    page = response.content.decode()
    assert "désormais à « Médiathèque des Couronneries »" in page
    assert "2 personnes ayant rendez-vous sont prévenues, dont 1 à appeler" in page


def test_the_public_pages_announce_the_move(setting, client, users, client_for):
    permanence, new_lieu, day = setting
    client_for(users[Role.COORDINATEUR]).post(
        reverse("permanences:permanence_move", args=[permanence.pk]),
        {"lieu": new_lieu.pk, "day": day.isoformat()},
    )
    for url in (reverse("permanences:public_schedule"), "/"):
        page = client.get(url).content.decode()
        assert "Centre social SEVE déménage le" in page, url
        assert "désormais à Médiathèque des Couronneries, 1 place de Provence" in page, url


def test_an_old_move_is_no_longer_announced(setting, client):
    permanence, new_lieu, _ = setting
    long_ago = timezone.localdate() - datetime.timedelta(weeks=6)
    BookablePermanenceFactory(lieu=new_lieu, valid_from=long_ago, moved_from=permanence)
    assert "déménag" not in client.get(reverse("permanences:public_schedule")).content.decode()


def test_a_day_before_the_start_is_refused_next_to_the_field(setting, users, client_for):
    permanence, new_lieu, _ = setting
    response = client_for(users[Role.COORDINATEUR]).post(
        reverse("permanences:permanence_move", args=[permanence.pk]),
        {"lieu": new_lieu.pk, "day": permanence.valid_from.isoformat()},
    )
    assert response.status_code == 200
    assert "choisissez un jour suivant" in response.context["form"].errors["day"][0]
    assert not Permanence.objects.filter(moved_from=permanence).exists()


def test_a_permanence_moves_once(setting, users, client_for):
    permanence, new_lieu, day = setting
    client = client_for(users[Role.COORDINATEUR])
    url = reverse("permanences:permanence_move", args=[permanence.pk])
    client.post(url, {"lieu": new_lieu.pk, "day": day.isoformat()})
    other = LieuFactory()
    response = client.post(url, {"lieu": other.pk, "day": day.isoformat()})
    assert "a déjà déménagé" in response.content.decode()
    assert Permanence.objects.filter(moved_from=permanence).count() == 1


def test_the_attendance_page_offers_to_move_each_running_permanence(setting, users, client_for):
    permanence, _, _ = setting
    page = client_for(users[Role.COORDINATEUR]).get(reverse("permanences:attendance"))
    assert reverse("permanences:permanence_move", args=[permanence.pk]) in page.content.decode()


def test_a_conseiller_cannot_move_a_permanence(setting, users, client_for):
    permanence, new_lieu, day = setting
    response = client_for(users[Role.CONSEILLER]).post(
        reverse("permanences:permanence_move", args=[permanence.pk]),
        {"lieu": new_lieu.pk, "day": day.isoformat()},
    )
    assert response.status_code == 403
    assert RendezVous.objects.count() == 0 and Permanence.objects.count() == 1
