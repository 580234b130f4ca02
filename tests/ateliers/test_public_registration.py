"""Registering from the public programme, the confirmation page and the cancellation link."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ateliers.enums import Origine, StatutInscription
from ateliers.models import Inscription
from ateliers.public_forms import MAX_UPCOMING_PER_CONTACT
from poitiers_inclusion.models import Usager
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.factories import UsagerFactory

pytestmark = pytest.mark.django_db


def _url(seance):
    return reverse("ateliers:register_public", args=[seance.pk])


def _page_of(response) -> tuple:
    """What the person sees, the form's anti-forgery token aside (it differs on every page)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return response.status_code, response["Content-Type"], html


RECEIVED = "Votre demande d'inscription est reçue"


def _form(**extra):
    data = {
        "prenom": "Jeanne",
        "nom": "Martin",
        "telephone": "06 12 34 56 78",
        "email": "jeanne@exemple.test",
        "consent": "on",
        "site_web": "",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_the_page_shows_the_session_and_the_places_left(client):
    seance = SeanceFactory(module__titre="Premiers pas", capacite=5, lieu__nom="Maison de quartier")
    InscriptionFactory(seance=seance)
    html = client.get(_url(seance)).content.decode()
    assert "Premiers pas" in html and "Maison de quartier" in html
    assert "4 places" in html and "M'inscrire</button>" in html
    assert '<div class="hp-field" aria-hidden="true">' in html  # the robots' trap


def test_it_registers_an_identified_usager_with_consent_and_emails_a_cancel_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    seance = SeanceFactory(module__titre="Envoyer un e-mail", lieu__nom="Médiathèque")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(seance), _form())
    inscription = Inscription.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert RECEIVED in html and "Médiathèque" in html and "Un e-mail vous est envoyé" in html
    assert inscription.token not in html  # the page is the same for a person already registered
    assert inscription.seance == seance and inscription.statut == StatutInscription.INSCRIT
    assert inscription.origine == Origine.PUBLIC
    usager = inscription.usager
    assert (usager.first_name, usager.last_name) == ("Jeanne", "Martin")
    assert usager.phone == "+33612345678" and usager.email == "jeanne@exemple.test"
    assert usager.consent_at is not None

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["jeanne@exemple.test"]
    assert "Inscription confirmée" in message.subject and "Médiathèque" in message.body
    cancel_path = reverse("ateliers:cancel_public", args=[inscription.token])
    assert cancel_path in message.body

    done = client.get(reverse("ateliers:registered", args=[inscription.token]))
    assert done["Cache-Control"] == "no-store"
    html = done.content.decode()
    assert "Votre inscription est confirmée" in html and cancel_path in html
    assert "Médiathèque" in html

    # The link of the e-mail works.
    link = next(line for line in message.body.splitlines() if cancel_path in line).strip()
    assert link == f"{settings.SITE_URL}{cancel_path}"
    assert "Annuler mon inscription" in client.get(cancel_path).content.decode()


def test_a_person_already_registered_gets_the_same_answer_and_is_told_by_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """Nobody learns from the page whether someone attends: a name and an e-mail typed by
    anyone get the answer a new registration gets; the person is told by e-mail."""
    seance = SeanceFactory(capacite=5, module__titre="Envoyer un e-mail", lieu__nom="Médiathèque")
    with django_capture_on_commit_callbacks(execute=True):
        new = client.post(_url(seance), _form())
    inscription = Inscription.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(_url(seance), _form(prenom="jeanne", telephone="", nom="MARTIN"))
    assert _page_of(again) == _page_of(new)
    assert Inscription.objects.count() == 1 and Usager.objects.count() == 1

    assert len(mailoutbox) == 2
    told = mailoutbox[1]
    assert told.to == ["jeanne@exemple.test"]
    assert "Vous êtes déjà inscrit(e)" in told.subject and "Envoyer un e-mail" in told.subject
    assert "Médiathèque" in told.body and "une place vous est réservée" in told.body
    assert reverse("ateliers:cancel_public", args=[inscription.token]) in told.body


def test_the_email_goes_to_the_address_on_file_not_to_the_one_typed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    known = UsagerFactory(
        identified=True,
        first_name="Jeanne",
        last_name="Martin",
        phone="06 12 34 56 78",
        email="jeanne@exemple.test",
    )
    seance = SeanceFactory(capacite=1)
    InscriptionFactory(seance=seance, usager=known)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(seance), _form(email="quelquun@exemple.test"))
    assert response.status_code == 200 and RECEIVED in response.content.decode()
    assert Inscription.objects.count() == 1
    assert [m.to for m in mailoutbox] == [["jeanne@exemple.test"]]


def test_a_known_person_is_not_duplicated(client):
    known = UsagerFactory(
        identified=True, first_name="Jeanne", last_name="Martin", phone="06 12 34 56 78"
    )
    client.post(_url(SeanceFactory()), _form(email=""))
    assert Inscription.objects.get().usager == known


def test_a_full_session_says_waiting_list_before_and_after(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    seance = SeanceFactory(capacite=1)
    InscriptionFactory(seance=seance)
    page = client.get(_url(seance)).content.decode()
    assert "Cette séance est complète" in page
    assert "M'inscrire sur la liste d'attente</button>" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(seance), _form())
    inscription = Inscription.objects.get(origine=Origine.PUBLIC)
    assert inscription.statut == StatutInscription.ATTENTE
    assert "La séance est complète" in response.content.decode()
    html = client.get(reverse("ateliers:registered", args=[inscription.token])).content.decode()
    assert "Vous êtes sur la liste d'attente" in html and "n° 1" in html
    assert "Me retirer de la liste d'attente" in html
    assert len(mailoutbox) == 1 and "Liste d'attente" in mailoutbox[0].subject


def test_the_waiting_rank_follows_the_order_of_registration(client):
    seance = SeanceFactory(capacite=1)
    InscriptionFactory(seance=seance)
    InscriptionFactory(seance=seance, attente=True)
    client.post(_url(seance), _form())
    mine = Inscription.objects.get(origine=Origine.PUBLIC)
    assert "n° 2" in client.get(reverse("ateliers:registered", args=[mine.token])).content.decode()


def test_cancelling_by_the_link_gives_the_place_to_the_first_person_waiting(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    seance = SeanceFactory(capacite=1)
    mine = InscriptionFactory(seance=seance)
    first = InscriptionFactory(seance=seance, attente=True, usager__email="premier@exemple.test")
    second = InscriptionFactory(seance=seance, attente=True, usager__email="second@exemple.test")
    url = reverse("ateliers:cancel_public", args=[mine.token])
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Annuler mon inscription</button>" in page.content.decode()
    mine.refresh_from_db()
    assert mine.statut == StatutInscription.INSCRIT  # a GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        html = client.post(url).content.decode()
    assert "Votre inscription est annulée" in html
    for inscription in (mine, first, second):
        inscription.refresh_from_db()
    assert mine.statut == StatutInscription.ANNULE
    assert first.statut == StatutInscription.INSCRIT and first.promoted_at is not None
    assert second.statut == StatutInscription.ATTENTE
    assert [m.to for m in mailoutbox] == [["premier@exemple.test"]]
    assert "Une place pour vous" in mailoutbox[0].subject

    again = client.post(url).content.decode()
    assert "déjà été annulée" in again and "Annuler mon inscription</button>" not in again


def test_leaving_the_waiting_list_by_the_link(client):
    seance = SeanceFactory(capacite=1)
    InscriptionFactory(seance=seance)
    waiting = InscriptionFactory(seance=seance, attente=True)
    url = reverse("ateliers:cancel_public", args=[waiting.token])
    assert "Me retirer de la liste d'attente</button>" in client.get(url).content.decode()
    html = client.post(url).content.decode()
    assert "retiré(e) de la liste d'attente" in html
    waiting.refresh_from_db()
    assert waiting.statut == StatutInscription.ANNULE


def test_a_registration_of_a_cancelled_or_past_session_is_not_cancelled_online(client):
    cancelled = InscriptionFactory(
        seance__cancelled_at=timezone.now(), seance__motif_annulation="Travaux"
    )
    html = client.post(reverse("ateliers:cancel_public", args=[cancelled.token])).content
    assert "annulée par l'équipe" in html.decode()
    past = InscriptionFactory(seance__date=timezone.localdate() - datetime.timedelta(days=3))
    html = client.post(reverse("ateliers:cancel_public", args=[past.token])).content.decode()
    assert "ne peut plus être annulée en ligne" in html
    for inscription in (cancelled, past):
        inscription.refresh_from_db()
        assert inscription.statut == StatutInscription.INSCRIT


def test_an_unknown_token_is_a_404(client):
    assert client.get(reverse("ateliers:registered", args=["inconnu"])).status_code == 404
    assert client.get(reverse("ateliers:cancel_public", args=["inconnu"])).status_code == 404
    assert client.post(reverse("ateliers:cancel_public", args=["inconnu"])).status_code == 404


def test_a_form_filled_by_a_robot_registers_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    seance = SeanceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(seance), _form(site_web="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == reverse("public_form_sent")
    assert not Inscription.objects.exists() and not Usager.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"telephone": "", "email": ""}, "telephone", "Indiquez un téléphone ou un e-mail"),
        ({"telephone": "12"}, "telephone", "Numéro de téléphone invalide"),
        ({"email": "pas-un-mail"}, "email", "n'est pas valide"),
        ({"consent": None}, "consent", "Cochez cette case"),
        ({"prenom": ""}, "prenom", "Indiquez votre prénom"),
        ({"nom": " "}, "nom", "Indiquez votre nom"),
    ],
)
def test_bad_input_is_reported_next_to_the_field_and_kept(client, data, field, message):
    seance = SeanceFactory()
    kept = {"prenom": "Jeanne", "nom": "Martin", "telephone": "06 12 34 56 78"}
    kept = {k: v for k, v in kept.items() if k not in data}
    response = client.post(_url(seance), _form(**data))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'role="alert"' in html and f'id="error_1_id_{field}"' in html
    for value in kept.values():
        assert f'value="{value}"' in html
    assert not Inscription.objects.exists() and not Usager.objects.exists()


def test_one_phone_or_email_holds_a_limited_number_of_upcoming_registrations(client):
    person = UsagerFactory(
        identified=True, first_name="Jeanne", last_name="Martin", phone="06.12.34.56.78"
    )
    for _ in range(MAX_UPCOMING_PER_CONTACT):
        InscriptionFactory(usager=person)
    # Past sessions and cancelled registrations do not count.
    InscriptionFactory(usager=person, seance__date=timezone.localdate() - datetime.timedelta(1))
    response = client.post(_url(SeanceFactory()), _form(prenom="Paul", email=""))
    assert response.status_code == 200
    assert f"déjà inscrit(e) à {MAX_UPCOMING_PER_CONTACT} séances" in " ".join(
        response.context["form"].errors["telephone"]
    )
    by_email = UsagerFactory(identified=True, phone="", email="moi@exemple.test")
    for _ in range(MAX_UPCOMING_PER_CONTACT):
        InscriptionFactory(usager=by_email)
    response = client.post(_url(SeanceFactory()), _form(telephone="", email="Moi@Exemple.TEST"))
    assert "email" in response.context["form"].errors
    # Once one is cancelled, the person may register again.
    upcoming = Inscription.objects.filter(usager=person, seance__date__gte=timezone.localdate())
    upcoming.filter(pk=upcoming.first().pk).update(statut=StatutInscription.ANNULE)
    response = client.post(_url(SeanceFactory()), _form(email=""))
    assert response.status_code == 200 and RECEIVED in response.content.decode()
    assert upcoming.actives().count() == MAX_UPCOMING_PER_CONTACT  # registered again


def test_the_limit_counts_a_number_written_with_33_as_the_same_number(client):
    person = UsagerFactory(identified=True, phone="0612345678")
    for _ in range(MAX_UPCOMING_PER_CONTACT):
        InscriptionFactory(usager=person)
    response = client.post(
        _url(SeanceFactory()), _form(prenom="Paul", email="", telephone="+33 6 12 34 56 78")
    )
    assert "telephone" in response.context["form"].errors


@pytest.mark.parametrize("problem", ["closed", "cancelled", "past", "started"])
def test_it_refuses_sessions_not_open_to_online_registration(client, problem):
    now = timezone.localtime()
    options = {
        "closed": {"inscription_en_ligne": False},
        "cancelled": {"cancelled_at": timezone.now(), "motif_annulation": "Grève"},
        "past": {"date": now.date() - datetime.timedelta(days=2)},
        "started": {
            "date": now.date(),
            "start_time": datetime.time(0, 0),
            "end_time": datetime.time(23, 59, 59),
        },
    }[problem]
    seance = SeanceFactory(**options)
    page = client.get(_url(seance)).content.decode()
    assert "Inscription en ligne impossible" in page and 'role="alert"' in page
    assert 'name="prenom"' not in page
    response = client.post(_url(seance), _form())
    assert response.status_code == 200
    assert not Inscription.objects.exists() and not Usager.objects.exists()


def test_an_unknown_session_is_a_404(client):
    assert client.get(reverse("ateliers:register_public", args=[999999])).status_code == 404


def test_the_answer_to_a_phone_only_registration_says_to_note_the_session_and_whom_to_call(
    client,
):
    seance = SeanceFactory(lieu__telephone="05 49 00 00 00")
    html = client.post(_url(seance), _form(email="")).content.decode()
    assert "vous n'avez pas donné d'e-mail" in html
    assert "Notez bien le jour, l'heure et l'adresse" in html
    assert "05 49 00 00 00" in html
