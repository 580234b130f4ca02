"""Booking service and pages: capacity, times, closures, confirmation e-mail, cancellation."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from permanences import booking
from permanences.enums import ModePermanence
from permanences.models import Creneau, RendezVous, StatutRendezVous
from poitiers_inclusion.models import AuditEvent
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import (
    BookablePermanenceFactory,
    FermetureFactory,
    RendezVousFactory,
    booking_form,
    next_weekday,
)

pytestmark = pytest.mark.django_db


def _book(permanence, day, heure, **extra):
    data = {"nom": "Jeanne", "telephone": "0612345678", "besoin": "demarches"} | extra
    return booking.book(permanence=permanence, day=day, heure=heure, **data)


def test_it_splits_the_slot_into_as_many_times_as_places():
    permanence = BookablePermanenceFactory(capacity=4)  # 14:00-16:00
    assert booking.slot_times(permanence) == [
        datetime.time(14, 0),
        datetime.time(14, 30),
        datetime.time(15, 0),
        datetime.time(15, 30),
    ]


def test_it_never_advertises_more_places_than_appointment_times():
    # A capacity saved before the form checked it: 20 places in one hour, 12 times of 5 minutes.
    permanence = BookablePermanenceFactory(
        capacity=20, start_time=datetime.time(14, 0), end_time=datetime.time(15, 0)
    )
    day = next_weekday(permanence.weekday)
    occurrence = booking.Occurrence(permanence=permanence, date=day)
    assert occurrence.capacity == len(booking.slot_times(permanence)) == 12
    for n in range(12):
        _book(permanence, day, booking.slot_times(permanence)[n], telephone=f"06000000{n:02d}")
    occurrence.booked = 12
    assert occurrence.remaining == 0


def test_it_books_a_free_time_and_records_consent():
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    rdv = _book(permanence, day, datetime.time(14, 30))
    assert rdv.statut == StatutRendezVous.CONFIRME
    assert rdv.creneau.date == day and rdv.consent_at is not None
    assert AuditEvent.objects.filter(action="permanences.rendezvous.created").count() == 1


def test_it_refuses_a_time_already_taken():
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    _book(permanence, day, datetime.time(14, 0))
    with pytest.raises(booking.BookingError) as error:
        _book(permanence, day, datetime.time(14, 0), nom="Paul")
    assert error.value.field == "heure"
    assert RendezVous.objects.count() == 1


def test_it_refuses_when_the_slot_is_full():
    permanence = BookablePermanenceFactory(capacity=2)
    day = next_weekday(permanence.weekday)
    for heure in booking.slot_times(permanence):
        _book(permanence, day, heure)
    with pytest.raises(booking.BookingError, match="complet"):
        _book(permanence, day, datetime.time(14, 0))


def test_a_cancelled_booking_frees_its_place():
    permanence = BookablePermanenceFactory(capacity=1)
    day = next_weekday(permanence.weekday)
    first = _book(permanence, day, datetime.time(14, 0))
    booking.cancel(rendez_vous=first)
    again = _book(permanence, day, datetime.time(14, 0), nom="Paul")
    assert again.creneau == first.creneau
    assert RendezVous.objects.actifs().count() == 1


@pytest.mark.parametrize(
    "problem", ["walk_in", "closed", "wrong_day", "past", "ended", "not_a_time"]
)
def test_it_refuses_slots_that_cannot_be_booked(problem):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    heure = datetime.time(14, 0)
    if problem == "walk_in":
        permanence.mode, permanence.capacity = ModePermanence.SANS_RDV, None
        permanence.save()
    elif problem == "closed":
        FermetureFactory(permanence=permanence, start_date=day, end_date=day)
    elif problem == "wrong_day":
        day += datetime.timedelta(days=1)
    elif problem == "past":
        day -= datetime.timedelta(days=14)
    elif problem == "ended":
        permanence.valid_until = day - datetime.timedelta(days=1)
        permanence.save()
    elif problem == "not_a_time":
        heure = datetime.time(14, 10)
    with pytest.raises(booking.BookingError):
        _book(permanence, day, heure)
    assert not RendezVous.objects.exists()


def test_the_public_booking_page_books_and_emails_a_cancellation_link(
    client, django_capture_on_commit_callbacks
):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    page = client.get(url)
    assert page.status_code == 200 and "14h30" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, booking_form())
    rdv = RendezVous.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("permanences:booking_done", args=[rdv.token])
    assert rdv.telephone == "+33612345678" and rdv.heure == datetime.time(14, 30)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jeanne@exemple.test"]
    cancel_url = reverse("permanences:booking_cancel", args=[rdv.token])
    assert cancel_url in message.body and permanence.lieu.nom in message.body
    assert "14h30" in message.subject

    done = client.get(response["Location"]).content.decode()
    assert "Votre rendez-vous est confirmé" in done and cancel_url in done


def test_a_phone_only_booking_sends_no_email(client, django_capture_on_commit_callbacks):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, booking_form(email=""))
    assert RendezVous.objects.get().email == ""
    assert mail.outbox == []


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"telephone": "", "email": ""}, "telephone", "Indiquez un téléphone ou un e-mail"),
        ({"telephone": "12"}, "telephone", "Numéro de téléphone invalide"),
        ({"email": "pas-un-mail"}, "email", "n'est pas valide"),
        ({"consent": None}, "consent", "Cochez cette case"),
        ({"heure": None}, "heure", "Choisissez un horaire"),
        ({"heure": "14:10"}, "heure", None),
        ({"nom": ""}, "nom", "Indiquez votre nom"),
        ({"besoin": None}, "besoin", "besoin d'aide"),
    ],
)
def test_bad_input_is_reported_next_to_the_field_and_kept(client, data, field, message):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    response = client.post(url, booking_form(precision="Dossier CAF", **data))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert message in " ".join(form.errors[field])
    assert 'value="Dossier CAF"' in response.content.decode()
    assert not RendezVous.objects.exists()


def test_a_time_taken_meanwhile_is_reported_and_the_form_kept(client):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    client.get(url)
    # Someone else takes 14:30 between the page load and the submit: the choice is now invalid.
    _book(permanence, day, datetime.time(14, 30), nom="Plus rapide")
    response = client.post(url, booking_form(nom="Jeanne"))
    assert response.status_code == 200
    assert "heure" in response.context["form"].errors
    assert 'value="Jeanne"' in response.content.decode()
    assert RendezVous.objects.count() == 1


def test_a_full_or_closed_slot_shows_why_instead_of_thebooking_form(client):
    permanence = BookablePermanenceFactory(capacity=1)
    day = next_weekday(permanence.weekday)
    _book(permanence, day, datetime.time(14, 0))
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    assert "complet" in client.get(url).content.decode()

    closed = BookablePermanenceFactory()
    day = next_weekday(closed.weekday)
    FermetureFactory(permanence=closed, start_date=day, end_date=day, message="Grève")
    url = reverse("permanences:booking_new", args=[closed.pk, day.isoformat()])
    assert "Grève" in client.get(url).content.decode()


@pytest.mark.parametrize("day", ["inexistant", "2023-02-30"])
def test_a_malformed_date_is_a_404(client, day):
    permanence = BookablePermanenceFactory()
    url = reverse("permanences:booking_new", args=[permanence.pk, day])
    assert client.get(url).status_code == 404


def test_the_cancellation_link_cancels_once(client):
    rdv = RendezVousFactory()
    url = reverse("permanences:booking_cancel", args=[rdv.token])
    assert "Annuler mon rendez-vous" in client.get(url).content.decode()
    response = client.post(url)
    assert "Votre rendez-vous est annulé" in response.content.decode()
    rdv.refresh_from_db()
    assert rdv.statut == StatutRendezVous.ANNULE and rdv.cancelled_at
    assert "déjà été annulé" in client.post(url).content.decode()


def test_an_unknown_token_is_a_404(client):
    assert client.get(reverse("permanences:booking_cancel", args=["nope"])).status_code == 404
    assert client.get(reverse("permanences:booking_done", args=["nope"])).status_code == 404


def test_a_past_booking_can_no_longer_be_cancelled_online(client):
    permanence = BookablePermanenceFactory()
    past = next_weekday(permanence.weekday) - datetime.timedelta(days=14)
    rdv = RendezVousFactory(creneau=Creneau.objects.create(permanence=permanence, date=past))
    response = client.post(reverse("permanences:booking_cancel", args=[rdv.token]))
    assert "ne peut plus être annulé" in response.content.decode()
    rdv.refresh_from_db()
    assert rdv.statut == StatutRendezVous.CONFIRME


def test_walk_in_slots_have_no_booking_page(client):
    permanence = PermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    assert "venez directement" in client.get(url).content.decode()


def test_one_person_holds_at_most_three_upcoming_bookings():
    permanence = BookablePermanenceFactory(capacity=4)
    days = [next_weekday(permanence.weekday, weeks=w) for w in (1, 2, 3, 4)]
    for day in days[:3]:
        _book(permanence, day, datetime.time(14), telephone="0611111111")
    with pytest.raises(booking.BookingError, match="déjà 3 rendez-vous à venir") as error:
        _book(permanence, days[3], datetime.time(14), telephone="0611111111")
    assert error.value.field == "telephone"
    with pytest.raises(booking.BookingError, match="déjà 3 rendez-vous à venir"):
        _book(permanence, days[3], datetime.time(14), telephone="+33611111111")
    for day in days[:3]:  # the same e-mail, whatever its case
        _book(permanence, day, datetime.time(15), telephone="", email="moi@exemple.fr")
    with pytest.raises(booking.BookingError) as error:
        _book(permanence, days[3], datetime.time(15), telephone="", email="Moi@Exemple.FR")
    assert error.value.field == "email"
    # Once one is cancelled, the person may book again.
    first = RendezVous.objects.filter(telephone="+33611111111").first()
    first.statut = StatutRendezVous.ANNULE
    first.save()
    _book(permanence, days[3], datetime.time(14), telephone="0611111111")


def test_a_form_filled_by_a_robot_books_nothing(client):
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    url = reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])
    assert '<div class="hp-field" aria-hidden="true">' in client.get(url).content.decode()
    response = client.post(url, booking_form(site_web="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == reverse("public_form_sent")
    assert not RendezVous.objects.exists()
