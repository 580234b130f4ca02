"""A person registered without e-mail hears of a freed place, a reminder or a cancelled session:
by text message on a mobile, else the team sees them on the workshops' « À appeler » page (only
the calls about registrations they may see), with the number and what to tell them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ateliers import services
from poitiers_inclusion import sms
from poitiers_inclusion.models import CallToMake
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.factories import UsagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "poitiers_inclusion.sms.LocmemBackend"
    sms.sent_messages.clear()
    yield sms.sent_messages
    sms.sent_messages.clear()


def _full_session_with_one_waiting(phone, **seance):
    seance = SeanceFactory(capacite=1, **seance)
    leaving = InscriptionFactory(seance=seance)
    waiting = InscriptionFactory(
        seance=seance,
        attente=True,
        usager=UsagerFactory(identified=True, first_name="Odette", phone=phone, email=""),
    )
    return leaving, waiting


def test_a_phone_only_person_promoted_gets_a_text_message(
    texts, django_capture_on_commit_callbacks
):
    leaving, waiting = _full_session_with_one_waiting("06 11 22 33 44")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(inscription=leaving)
    (text,) = texts
    assert text["to"] == "+33611223344"
    assert text["body"].startswith("Bonne nouvelle : une place s'est libérée")
    assert not CallToMake.objects.exists()


def test_a_landline_promoted_is_on_the_call_list_of_the_sessions_facilitator(texts, client_for):
    animateur, other = UserFactory(conseiller=True), UserFactory(conseiller=True)
    leaving, waiting = _full_session_with_one_waiting("05 49 11 22 33", animateurs=[animateur])
    services.cancel(inscription=leaving)
    assert texts == []
    page = client_for(animateur).get(reverse("ateliers:call_list")).content.decode()
    assert "05 49 11 22 33" in page and "Place libérée" in page
    assert "Bonne nouvelle : une place s&#x27;est libérée" in page
    assert (
        "05 49 11 22 33"
        not in client_for(other).get(reverse("ateliers:call_list")).content.decode()
    )
    call = CallToMake.objects.get()
    # Another conseiller cannot tick it off either.
    assert client_for(other).post(reverse("ateliers:call_done", args=[call.pk])).status_code == 404
    response = client_for(animateur).post(reverse("ateliers:call_done", args=[call.pk]))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.done_at is not None and call.done_by == animateur
    assert (
        "05 49 11 22 33"
        not in client_for(animateur).get(reverse("ateliers:call_list")).content.decode()
    )


def test_reminders_reach_people_without_e_mail_once(texts, django_capture_on_commit_callbacks):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    seance = SeanceFactory(date=tomorrow)
    InscriptionFactory(seance=seance, usager=UsagerFactory(identified=True, phone="0711223344"))
    InscriptionFactory(seance=seance, usager=UsagerFactory(identified=True, phone="0549112233"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 2
        assert services.send_reminders() == 0
    assert [t["to"] for t in texts] == ["+33711223344"]
    call = CallToMake.objects.get()
    assert call.phone == "+33549112233" and call.due_by == tomorrow


def test_the_sessions_page_leads_to_the_call_list(client_for):
    page = client_for(UserFactory(conseiller=True)).get(reverse("ateliers:seance_list"))
    assert reverse("ateliers:call_list") in page.content.decode()
