"""A booking left with a phone number only is reminded by text message on a mobile, else the
desk's conseillers see it on the agenda's « À appeler » page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from permanences import booking
from permanences.models import Creneau
from poitiers_inclusion import sms
from poitiers_inclusion.models import CallToMake
from tests.factories import UserFactory
from tests.permanences.factories_schedule import BookablePermanenceFactory, RendezVousFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "poitiers_inclusion.sms.LocmemBackend"
    sms.sent_messages.clear()
    yield sms.sent_messages
    sms.sent_messages.clear()


def _booking_tomorrow(**contact):
    day = timezone.localdate() + datetime.timedelta(days=1)
    permanence = BookablePermanenceFactory(weekday=day.weekday(), valid_from=day.replace(year=2020))
    creneau = Creneau.objects.create(permanence=permanence, date=day)
    return RendezVousFactory(creneau=creneau, **contact)


def test_phone_only_bookings_are_reminded_once(
    texts, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    by_text = _booking_tomorrow(email="", telephone="0611223344")
    by_call = _booking_tomorrow(email="", telephone="0549112233", nom="Marcel")
    _booking_tomorrow(email="a@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.send_reminders() == 3
        assert booking.send_reminders() == 0
    assert [t["to"] for t in texts] == ["+33611223344"]
    assert len(mailoutbox) == 1
    conseiller = UserFactory(conseiller=True)
    by_call.creneau.permanence.conseillers.add(conseiller)
    page = client_for(conseiller).get(reverse("permanences:call_list")).content.decode()
    assert "05 49 11 22 33" in page and "Marcel" in page and "Rappel du rendez-vous" in page
    stranger = UserFactory(conseiller=True)
    assert (
        "0549112233"
        not in client_for(stranger).get(reverse("permanences:call_list")).content.decode()
    )
    assert CallToMake.objects.get().due_by == by_call.creneau.date
    assert by_text.creneau.date == by_call.creneau.date


def test_the_agenda_leads_to_the_call_list(client_for):
    page = client_for(UserFactory(conseiller=True)).get(reverse("permanences:agenda"))
    assert reverse("permanences:call_list") in page.content.decode()
