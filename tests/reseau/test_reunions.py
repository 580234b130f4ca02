"""Network meetings: invitations with an RSVP link, answers, attendance, minutes and report."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from poitiers_inclusion.enums import Role
from reseau.enums import Reponse, TypeReunion
from reseau.models import Invitation, Reunion

from ..factories import ContactFactory, LieuFactory, StructureFactory
from .factories import InvitationFactory, ReunionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client_for, make_user):
    return client_for(make_user(Role.COORDINATEUR))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_it_schedules_a_meeting(coordinator):
    lieu = LieuFactory()
    response = coordinator.post(
        reverse("reseau:reunion_create"),
        {
            "type": TypeReunion.GROUPE_DE_TRAVAIL,
            "titre": "Groupe de travail ateliers",
            "date": "2030-03-14T14:00",
            "lieu": lieu.pk,
            "ordre_du_jour": "Le calendrier",
        },
    )
    reunion = Reunion.objects.get()
    assert response.status_code == 302
    assert reunion.get_type_display() == "Groupe de travail"


def test_it_invites_contacts_once_and_they_answer_by_link(
    coordinator, client, django_capture_on_commit_callbacks
):
    reunion = ReunionFactory(titre="Assemblée de printemps")
    referent = ContactFactory(referent_numerique=True)
    ContactFactory(structure=referent.structure)
    ContactFactory(courriel="")  # cannot be invited by e-mail
    url = reverse("reseau:reunion_invite", args=[reunion.pk])
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url, {"destinataires": "tous"})
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url, {"destinataires": "tous"})
    assert len(mail.outbox) == 2  # nobody twice

    message = next(m for m in mail.outbox if m.to == [referent.courriel])
    link = urlparse(re.search(r"http://\S+/reseau/invitation/\S+/", message.body).group(0)).path
    page = client.get(link)
    assert page.status_code == 200 and "Assemblée de printemps" in page.content.decode()
    client.post(link, {"reponse": Reponse.NON})
    client.post(link, {"reponse": Reponse.OUI})
    invitation = Invitation.objects.get(contact=referent)
    assert invitation.reponse == Reponse.OUI and invitation.answered_at


def test_it_invites_only_referents_when_asked(coordinator, django_capture_on_commit_callbacks):
    reunion = ReunionFactory()
    referent = ContactFactory(referent_numerique=True)
    ContactFactory()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(
            reverse("reseau:reunion_invite", args=[reunion.pk]), {"destinataires": "referents"}
        )
    assert [m.to for m in mail.outbox] == [[referent.courriel]]


def test_it_counts_people_and_structures_present(coordinator):
    reunion = ReunionFactory()
    ccas, ml = StructureFactory(), StructureFactory()
    a, b = ContactFactory(structure=ccas), ContactFactory(structure=ccas)
    c = ContactFactory(structure=ml)
    walk_in = ContactFactory()
    for contact in (a, b, c):
        InvitationFactory(reunion=reunion, contact=contact)
    coordinator.post(
        reverse("reseau:reunion_attendance", args=[reunion.pk]),
        {"presents": [a.pk, b.pk], "autres": [walk_in.pk]},
    )
    counted = Reunion.objects.with_counts().get(pk=reunion.pk)
    assert counted.nb_presents == 3
    assert counted.nb_structures_presentes == 2
    page = coordinator.get(reverse("reseau:reunion_list"))
    row = page.context["page"][0]
    assert (row.nb_invites, row.nb_presents, row.nb_structures_presentes) == (4, 3, 2)


def test_it_attaches_minutes_and_the_report_presented(coordinator, make_user, client_for):
    reunion = ReunionFactory()
    url = reverse("reseau:reunion_compte_rendu", args=[reunion.pk])
    fake = SimpleUploadedFile("rapport.pdf", b"MZ pas un PDF", content_type="application/pdf")
    response = coordinator.post(url, {"compte_rendu": "Notes", "rapport": fake})
    assert response.status_code == 400
    assert "ne correspond pas à un fichier PDF" in response.content.decode()

    pdf = SimpleUploadedFile("rapport.pdf", b"%PDF-1.7 rapport", content_type="application/pdf")
    coordinator.post(url, {"compte_rendu": "Bilan 2024 présenté.", "rapport": pdf})
    reunion.refresh_from_db()
    assert reunion.compte_rendu == "Bilan 2024 présenté."
    download = coordinator.get(reverse("reseau:reunion_rapport", args=[reunion.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.7 rapport"
    conseiller = client_for(make_user(Role.CONSEILLER))
    assert conseiller.get(reverse("reseau:reunion_rapport", args=[reunion.pk])).status_code == 403


def test_it_refuses_an_unknown_rsvp_link(client):
    assert client.get(reverse("reseau:rsvp", args=["inconnu"])).status_code == 404
