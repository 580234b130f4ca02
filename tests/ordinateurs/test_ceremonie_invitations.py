"""Donors invited to a ceremony: the e-mail (date, place, households equipped) sent once per
donor, "Relancer", the answer through an expiring link, shown on the ceremony's page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs.enums import ReponseInvitation
from ordinateurs.models import InvitationCeremonie
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import OutgoingEmail
from tests.factories import LieuFactory
from tests.ordinateurs.factories import AttributionFactory, CeremonieFactory, DonateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordination(users, client_for):
    return client_for(users[Role.COORDINATEUR])


@pytest.fixture
def ceremonie():
    ceremonie = CeremonieFactory(
        titre="Remise de décembre",
        date=timezone.make_aware(datetime.datetime(2030, 12, 16, 17, 30)),
        lieu=LieuFactory(nom="Maison de quartier Sèvre", adresse="12 rue de la Gare"),
    )
    ceremonie.donateurs.set(
        [
            DonateurFactory(nom="Imprimerie Rivaud", email="claire@rivaud.example"),
            DonateurFactory(nom="Banque Régionale", email="rse@banque.example"),
            DonateurFactory(nom="Garage Martin", email=""),
        ]
    )
    return ceremonie


def _invite(client, ceremonie, **data):
    return client.post(reverse("ordinateurs:ceremonie_invite", args=[ceremonie.pk]), data)


def _link(message: OutgoingEmail) -> str:
    return re.search(r"https?://\S+/ceremonie/\S+/", message.body).group(0)


def test_inviting_mails_each_donor_once_with_date_place_and_households(
    coordination, ceremonie, django_capture_on_commit_callbacks
):
    planned = AttributionFactory.create_batch(2, ceremonie=ceremonie)
    AttributionFactory(ceremonie=ceremonie, cancelled_at=timezone.now())  # withdrawn
    AttributionFactory()  # not planned for this ceremony
    page = coordination.get(reverse("ordinateurs:ceremonie_detail", args=[ceremonie.pk]))
    assert "Inviter les donateurs" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(coordination, ceremonie)
    assert response.status_code == 302
    sent = OutgoingEmail.objects.order_by("to")
    assert [m.to for m in sent] == [["claire@rivaud.example"], ["rse@banque.example"]]
    body = sent[0].body
    assert "Remise de décembre" in sent[0].subject and "16 décembre 2030" in sent[0].subject
    assert "lundi 16 décembre 2030 à 17h30" in body
    assert "Maison de quartier Sèvre, 12 rue de la Gare" in body
    assert f"{len(planned)} foyers seront équipés" in body
    assert _link(sent[0]).endswith(
        reverse(
            "ordinateurs:invitation_ceremonie",
            args=[InvitationCeremonie.objects.get(donateur__nom="Imprimerie Rivaud").token],
        )
    )

    # Sent once: a second click sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        _invite(coordination, ceremonie)
    assert OutgoingEmail.objects.count() == 2
    html = coordination.get(reverse("ordinateurs:ceremonie_detail", args=[ceremonie.pk]))
    html = html.content.decode()
    assert "pas encore de réponse" in html and "Relancer" in html
    assert "Sans adresse e-mail" in html and "Garage Martin" in html


def test_relancer_sends_again_to_that_donor_only(coordination, ceremonie):
    _invite(coordination, ceremonie)
    rivaud = ceremonie.donateurs.get(nom="Imprimerie Rivaud")
    token = InvitationCeremonie.objects.get(donateur=rivaud).token
    _invite(coordination, ceremonie, donateur=rivaud.pk)
    invitation = InvitationCeremonie.objects.get(donateur=rivaud)
    assert invitation.nb_envois == 2 and invitation.token == token
    assert OutgoingEmail.objects.filter(to=["claire@rivaud.example"]).count() == 2
    assert OutgoingEmail.objects.filter(to=["rse@banque.example"]).count() == 1


def test_the_donor_answers_through_the_link_and_the_ceremony_page_shows_it(
    client, coordination, ceremonie
):
    _invite(coordination, ceremonie)
    invitation = InvitationCeremonie.objects.get(donateur__nom="Imprimerie Rivaud")
    url = reverse("ordinateurs:invitation_ceremonie", args=[invitation.token])
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Maison de quartier Sèvre" in page.content.decode()

    missing = client.post(url, {"reponse": ReponseInvitation.VIENT})
    assert "Indiquez combien de personnes viendront." in missing.content.decode()
    response = client.post(url, {"reponse": ReponseInvitation.VIENT, "nb_personnes": "3"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.reponse, invitation.nb_personnes) == (ReponseInvitation.VIENT, 3)
    assert "vous venez, 3 personnes" in client.get(url).content.decode()

    client.post(url, {"reponse": ReponseInvitation.NE_VIENT_PAS, "nb_personnes": "3"})
    invitation.refresh_from_db()
    assert (invitation.reponse, invitation.nb_personnes) == (ReponseInvitation.NE_VIENT_PAS, None)
    html = coordination.get(reverse("ordinateurs:ceremonie_detail", args=[ceremonie.pk]))
    assert "ne vient pas" in html.content.decode()


def test_the_answer_form_traps_robots(client, coordination, ceremonie):
    _invite(coordination, ceremonie)
    invitation = InvitationCeremonie.objects.first()
    url = reverse("ordinateurs:invitation_ceremonie", args=[invitation.token])
    client.post(url, {"reponse": ReponseInvitation.VIENT, "nb_personnes": "2", "site_web": "x"})
    invitation.refresh_from_db()
    assert invitation.reponse == ""


def test_after_the_ceremony_the_answer_is_closed_then_the_link_expires(
    client, coordination, ceremonie, settings
):
    settings.CEREMONIE_INVITATION_DAYS = 30
    _invite(coordination, ceremonie)
    invitation = InvitationCeremonie.objects.get(donateur__nom="Imprimerie Rivaud")
    url = reverse("ordinateurs:invitation_ceremonie", args=[invitation.token])

    ceremonie.date = timezone.now() - datetime.timedelta(days=29)
    ceremonie.save()
    client.post(url, {"reponse": ReponseInvitation.VIENT, "nb_personnes": "2"})
    invitation.refresh_from_db()
    assert invitation.reponse == ""
    assert "il n'est plus possible de répondre" in client.get(url).content.decode()

    ceremonie.date = timezone.now() - datetime.timedelta(days=31)
    ceremonie.save()
    for response in (client.get(url), client.post(url)):
        html = response.content.decode()
        assert response.status_code == 410 and response["Cache-Control"] == "no-store"
        assert "Ce lien a expiré" in html and "Imprimerie Rivaud" not in html


def test_a_past_ceremony_sends_no_invitation(coordination, ceremonie):
    ceremonie.date = timezone.now() - datetime.timedelta(hours=1)
    ceremonie.save()
    response = _invite(coordination, ceremonie)
    assert response.status_code == 302
    assert not OutgoingEmail.objects.exists()


def test_a_device_is_planned_for_the_ceremony_and_counted(coordination, ceremonie):
    attribution = AttributionFactory()
    url = reverse("ordinateurs:ceremonie_plan", args=[ceremonie.pk])
    coordination.post(url, {"attribution": attribution.pk})
    attribution.refresh_from_db()
    assert attribution.ceremonie == ceremonie
    html = coordination.get(reverse("ordinateurs:ceremonie_detail", args=[ceremonie.pk]))
    assert "1 foyer (ordinateurs prévus ou remis" in html.content.decode()
    assert "prévu pour cette cérémonie" in html.content.decode()


def test_only_the_coordination_invites(users, client_for, ceremonie):
    for role in (Role.TECHNICIEN, Role.CONSEILLER, Role.PRESCRIPTEUR):
        assert _invite(client_for(users[role]), ceremonie).status_code == 403
    assert not OutgoingEmail.objects.exists()
