"""Deciding a request "éligible" puts it on the waiting list in the same step, with its
priority and rank shown; the partner is e-mailed once, of both."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs.enums import StatutDemande
from ordinateurs.models import Demande
from poitiers_inclusion.models import AuditEvent
from tests.factories import UserFactory
from tests.ordinateurs.factories import DemandeFactory, FoyerFactory

pytestmark = pytest.mark.django_db


def _decide_url(demande):
    return reverse("ordinateurs:demande_decide", args=[demande.pk])


def test_an_eligible_request_is_on_the_waiting_list_at_once(
    client_for, mailoutbox, django_capture_on_commit_callbacks
):
    referrer = UserFactory(prescripteur=True, email="referente@caf.example")
    demande = DemandeFactory(
        foyer=FoyerFactory(structure=referrer.structure, created_by=referrer),
        created_by=referrer,
    )
    DemandeFactory(statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=timezone.now(), priorite=1)
    client = client_for(UserFactory(coordinateur=True))
    page = unescape(client.get(_decide_url(demande)).content.decode())
    assert "Éligible : inscrire sur la liste d'attente" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _decide_url(demande), {"statut": "eligible", "priorite": "2"}, follow=True
        )
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.LISTE_ATTENTE
    assert demande.priorite == Demande.Priorite.NORMALE and demande.waitlisted_at is not None
    html = unescape(response.content.decode())
    code = demande.foyer.code
    assert (
        f"Demande du foyer {code} : liste d'attente, priorité normale, rang 2. La structure "
        f"« {referrer.structure} » en est informée par e-mail." in html
    )
    assert "rang 2 sur la liste d'attente · priorité normale" in html
    steps = AuditEvent.objects.for_object(demande).filter(
        action="ordinateurs.demande.status_changed"
    )
    assert [e.changes["statut"] for e in steps.order_by("pk")] == [
        ["soumise", "eligible"],
        ["eligible", "liste_attente"],
    ]
    (message,) = mailoutbox
    assert message.to == ["referente@caf.example"]
    assert (
        message.subject == f"Foyer {code} : demande d'ordinateur éligible, sur la liste d'attente"
    )
    assert "La demande remplit les conditions : le foyer est inscrit sur la liste d'attente." in (
        message.body
    )
