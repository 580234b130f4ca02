"""The partner that referred a household is told by e-mail of each decision on its request,
with a link to it and nothing of the household but its code."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs import services
from ordinateurs.enums import StatutDemande
from tests.factories import StructureFactory, UserFactory
from tests.ordinateurs.factories import DemandeFactory, FoyerFactory, ready_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinateur():
    return UserFactory(coordinateur=True)


@pytest.fixture
def referrer():
    return UserFactory(prescripteur=True, email="referente@caf.example")


def _request(referrer, **kwargs):
    foyer = FoyerFactory(
        structure=referrer.structure,
        created_by=referrer,
        reference_interne="DOSSIER-77",
        notes="Madame Dupont, 3 rue des Lilas",
    )
    return DemandeFactory(foyer=foyer, created_by=referrer, **kwargs)


def _sent(mailoutbox, django_capture_on_commit_callbacks, action):
    with django_capture_on_commit_callbacks(execute=True):
        action()
    return mailoutbox


def test_it_tells_the_referrer_at_each_step_with_a_link(
    coordinateur, referrer, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _request(referrer)
    technicien = UserFactory(technicien=True)
    ordinateur = ready_device(technicien)
    steps = [
        # Eligible: on the waiting list in the same step, told once.
        lambda: services.decide(demande=demande, statut=StatutDemande.ELIGIBLE, actor=coordinateur),
        lambda: services.propose(demande=demande, ordinateur=ordinateur, actor=coordinateur),
        lambda: services.hand_over(attribution=demande.attributions.get(), actor=coordinateur),
    ]
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            step()
    assert [m.to for m in mailoutbox] == [["referente@caf.example"]] * 3
    code = demande.foyer.code
    assert [m.subject for m in mailoutbox] == [
        f"Foyer {code} : demande d'ordinateur éligible, sur la liste d'attente",
        f"Foyer {code} : demande d'ordinateur ordinateur proposé",
        f"Foyer {code} : demande d'ordinateur équipée",
    ]
    link = "http://127.0.0.1:8000" + reverse("ordinateurs:demande_detail", args=[demande.pk])
    for message in mailoutbox:
        assert link in message.body
        # Nothing of the household but its code (DESIGN.md §9).
        assert "DOSSIER-77" not in message.body and "Dupont" not in message.body


def test_a_refusal_says_why(coordinateur, referrer, mailoutbox, django_capture_on_commit_callbacks):
    demande = _request(referrer)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            demande=demande,
            statut=StatutDemande.REFUSEE,
            motif="Foyer déjà équipé en 2021",
            actor=coordinateur,
        )
    (message,) = mailoutbox
    assert "Motif : Foyer déjà équipé en 2021" in message.body


def test_the_partner_is_not_told_of_what_it_did_itself(
    coordinateur, referrer, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _request(referrer, statut=StatutDemande.INCOMPLETE, motif="Avis d'imposition")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(demande=demande, statut=StatutDemande.SOUMISE, actor=referrer)
    assert mailoutbox == []


def test_it_writes_to_the_colleagues_when_the_referrer_left(
    coordinateur, referrer, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _request(referrer)
    colleague = UserFactory(prescripteur=True, structure=referrer.structure, email="b@caf.example")
    referrer.is_active = False
    referrer.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(demande=demande, statut=StatutDemande.ELIGIBLE, actor=coordinateur)
    assert [m.to for m in mailoutbox] == [[colleague.email]]


def test_it_writes_to_the_structure_without_any_account(
    coordinateur, mailoutbox, django_capture_on_commit_callbacks
):
    structure = StructureFactory(courriel="accueil@centre-social.example")
    demande = DemandeFactory(foyer=FoyerFactory(structure=structure), created_by=coordinateur)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(demande=demande, statut=StatutDemande.ELIGIBLE, actor=coordinateur)
    assert [m.to for m in mailoutbox] == [["accueil@centre-social.example"]]


def test_the_proposal_page_no_longer_asks_to_tell_the_structure(
    coordinateur, referrer, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    demande = _request(referrer, statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=timezone.now())
    ordinateur = ready_device(UserFactory(technicien=True))
    client = client_for(coordinateur)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ordinateurs:demande_propose", args=[demande.pk]),
            {"ordinateur": ordinateur.pk},
            follow=True,
        )
    text = response.content.decode()
    assert "Prévenez la structure" not in text
    assert "en est informée par e-mail" in text
    assert [m.to for m in mailoutbox] == [["referente@caf.example"]]


def test_the_proposal_page_says_to_phone_a_structure_without_address(coordinateur, client_for):
    structure = StructureFactory(courriel="", telephone="0549000000")
    demande = DemandeFactory(
        foyer=FoyerFactory(structure=structure),
        statut=StatutDemande.LISTE_ATTENTE,
        waitlisted_at=timezone.now(),
    )
    ordinateur = ready_device(UserFactory(technicien=True))
    response = client_for(coordinateur).post(
        reverse("ordinateurs:demande_propose", args=[demande.pk]),
        {"ordinateur": ordinateur.pk},
        follow=True,
    )
    assert "téléphonez-lui au 05 49 00 00 00" in response.content.decode()
