"""Allocating a device to a request on the waiting list, handing it over (at a ceremony or not),
withdrawing a proposal, and the printable hand-over receipt."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs import services
from ordinateurs.enums import Etat, StatutDemande
from ordinateurs.models import Attribution, Ordinateur
from tests.factories import StructureFactory, UserFactory
from tests.ordinateurs.factories import (
    CeremonieFactory,
    DemandeFactory,
    EffacementFactory,
    FoyerFactory,
    OrdinateurFactory,
    ready_device,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def technicien():
    return UserFactory(technicien=True, first_name="Jules", last_name="Réparateur")


@pytest.fixture
def coordinateur():
    return UserFactory(coordinateur=True, first_name="Camille", last_name="Coordonne")


@pytest.fixture
def coordination(coordinateur, client_for):
    return client_for(coordinateur)


def _waiting(**kwargs):
    return DemandeFactory(
        statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=timezone.now(), **kwargs
    )


def _propose_url(demande):
    return reverse("ordinateurs:demande_propose", args=[demande.pk])


def _detail(demande):
    return reverse("ordinateurs:demande_detail", args=[demande.pk])


def _proposed(technicien, coordinateur, **demande):
    ordinateur = ready_device(technicien, memoire_go=8, numero_serie="SN-DELL-42")
    return services.propose(demande=_waiting(**demande), ordinateur=ordinateur, actor=coordinateur)


# --- Proposing a device -------------------------------------------------------------------------


def test_only_available_devices_are_offered_newest_checks_first(technicien, coordination):
    older = ready_device(technicien, memoire_go=4)
    newer = ready_device(technicien, memoire_go=8)  # checked last
    OrdinateurFactory()  # just received
    reserved = ready_device(technicien)
    services.propose(demande=_waiting(), ordinateur=reserved, actor=UserFactory(admin=True))
    demande = _waiting()
    response = coordination.get(_propose_url(demande))
    field = response.context["form"].fields["ordinateur"]
    offered = [o.pk for o in field.queryset]
    assert offered == [newer.pk, older.pk]
    html = response.content.decode()
    assert f"{newer.numero} — Dell Latitude 5490, 8 Go de RAM, SSD SATA 256 Go" in html
    assert "2 ordinateurs disponibles" in html


def test_it_proposes_a_device(technicien, coordination):
    ordinateur = ready_device(technicien)
    demande = _waiting()
    response = coordination.post(_propose_url(demande), {"ordinateur": ordinateur.pk})
    assert response.status_code == 302 and response["Location"] == _detail(demande)
    demande.refresh_from_db()
    ordinateur.refresh_from_db()
    assert demande.statut == StatutDemande.PROPOSEE
    assert ordinateur.etat == Etat.RESERVE
    attribution = Attribution.objects.get()
    html = coordination.get(_detail(demande)).content.decode()
    assert "Ordinateur proposé" in html and ordinateur.numero in html
    assert reverse("ordinateurs:attribution_hand_over", args=[attribution.pk]) in html


def test_a_device_already_reserved_is_refused_with_a_clear_error(technicien, coordination):
    ordinateur = ready_device(technicien)
    first = _waiting()
    coordination.post(_propose_url(first), {"ordinateur": ordinateur.pk})
    second = _waiting()
    response = coordination.post(_propose_url(second), {"ordinateur": ordinateur.pk})
    assert response.status_code == 200
    error = response.context["form"].errors["ordinateur"][0]
    assert "n'est plus disponible" in error and "choisissez-en un autre" in error
    second.refresh_from_db()
    assert second.statut == StatutDemande.LISTE_ATTENTE
    assert Attribution.objects.count() == 1


def test_the_service_refusal_shows_next_to_the_field(technicien, coordination, monkeypatch):
    """A device taken between the page and the click: the service says so."""
    ordinateur = ready_device(technicien)
    demande = _waiting()

    def taken(**kwargs):
        raise services.OrdinateurError("Cet ordinateur n'est pas disponible.", field="ordinateur")

    monkeypatch.setattr(services, "propose", taken)
    response = coordination.post(_propose_url(demande), {"ordinateur": ordinateur.pk})
    assert response.context["form"].errors["ordinateur"] == ["Cet ordinateur n'est pas disponible."]


def test_only_a_waiting_request_gets_a_device(technicien, coordination):
    demande = DemandeFactory()  # soumise
    ordinateur = ready_device(technicien)
    response = coordination.post(_propose_url(demande), {"ordinateur": ordinateur.pk})
    assert response.status_code == 302
    assert Ordinateur.objects.get(pk=ordinateur.pk).etat == Etat.DISPONIBLE


# --- Hand-over and withdrawal -------------------------------------------------------------------


def test_a_hand_over_at_a_ceremony(technicien, coordinateur, coordination):
    attribution = _proposed(technicien, coordinateur)
    ceremonie = CeremonieFactory(titre="Remise de printemps", date=timezone.now())
    url = reverse("ordinateurs:attribution_hand_over", args=[attribution.pk])
    form = coordination.get(url, {"ceremonie": ceremonie.pk}).context["form"]
    assert form["ceremonie"].value() == ceremonie.pk
    response = coordination.post(url, {"ceremonie": ceremonie.pk})
    assert response.status_code == 302
    attribution.refresh_from_db()
    assert attribution.handed_over_at is not None and attribution.ceremonie == ceremonie
    assert attribution.ordinateur.etat == Etat.REMIS
    assert attribution.demande.statut == StatutDemande.EQUIPEE
    page = coordination.get(reverse("ordinateurs:ceremonie_detail", args=[ceremonie.pk]))
    assert [a.pk for a in page.context["handed"]] == [attribution.pk]
    html = page.content.decode()
    assert attribution.ordinateur.numero in html and attribution.demande.foyer.code in html
    detail = coordination.get(_detail(attribution.demande)).content.decode()
    assert "Remise de printemps" in detail
    assert reverse("ordinateurs:recu_remise", args=[attribution.pk]) in detail
    # Done once: a second hand-over is refused.
    again = coordination.post(url, {})
    assert again.status_code == 302


def test_a_hand_over_without_a_ceremony(technicien, coordinateur, coordination):
    attribution = _proposed(technicien, coordinateur)
    url = reverse("ordinateurs:attribution_hand_over", args=[attribution.pk])
    coordination.post(url, {"ceremonie": ""})
    attribution.refresh_from_db()
    assert attribution.handed_over_at is not None and attribution.ceremonie is None


def test_a_withdrawal_frees_the_device(technicien, coordinateur, coordination):
    attribution = _proposed(technicien, coordinateur)
    url = reverse("ordinateurs:attribution_withdraw", args=[attribution.pk])
    response = coordination.post(url, {"motif": ""})
    assert "Indiquez pourquoi" in response.context["form"].errors["motif"][0]
    coordination.post(url, {"motif": "Le foyer ne s'est pas présenté"})
    attribution.refresh_from_db()
    assert attribution.cancelled_at is not None
    assert attribution.ordinateur.etat == Etat.DISPONIBLE
    assert attribution.demande.statut == StatutDemande.LISTE_ATTENTE
    html = coordination.get(_detail(attribution.demande)).content.decode()
    assert "Propositions retirées" in html
    # The device is offered again to the next household.
    other = _waiting()
    offered = coordination.get(_propose_url(other)).context["form"].fields["ordinateur"].queryset
    assert attribution.ordinateur in offered


def test_a_withdrawal_may_close_the_request(technicien, coordinateur, coordination):
    attribution = _proposed(technicien, coordinateur)
    url = reverse("ordinateurs:attribution_withdraw", args=[attribution.pk])
    coordination.post(url, {"motif": "Le foyer a déménagé", "abandon": "on"})
    attribution.refresh_from_db()
    assert attribution.demande.statut == StatutDemande.ABANDON
    assert attribution.ordinateur.etat == Etat.DISPONIBLE


def test_a_prescripteur_neither_hands_over_nor_withdraws(technicien, coordinateur, client_for):
    prescripteur = UserFactory(prescripteur=True)
    attribution = _proposed(technicien, coordinateur, foyer__structure=prescripteur.structure)
    client = client_for(prescripteur)
    for name in ("attribution_hand_over", "attribution_withdraw"):
        assert client.post(reverse(f"ordinateurs:{name}", args=[attribution.pk])).status_code == 403
    html = client.get(_detail(attribution.demande)).content.decode()
    assert "Ordinateur proposé" in html and "Noter la remise" not in html


# --- The receipt --------------------------------------------------------------------------------


def _handed(technicien, coordinateur, structure):
    attribution = _proposed(technicien, coordinateur, foyer=FoyerFactory(structure=structure))
    ceremonie = CeremonieFactory(titre="Remise d'automne", date=timezone.now())
    return services.hand_over(attribution=attribution, ceremonie=ceremonie, actor=coordinateur)


def test_the_receipt_shows_the_erasure_and_no_name(technicien, coordinateur, client_for):
    structure = StructureFactory(nom="CCAS de la Ville")
    prescripteur = UserFactory(prescripteur=True, structure=structure, last_name="Lecteur")
    attribution = _handed(technicien, coordinateur, structure)
    ordinateur = attribution.ordinateur
    erasure = ordinateur.stockages.get().effacements.get()
    for client in (client_for(prescripteur), client_for(coordinateur)):
        response = client.get(reverse("ordinateurs:recu_remise", args=[attribution.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert ordinateur.numero in html and "SN-DELL-42" in html
        assert "Dell Latitude 5490" in html and "8 Go" in html and "256 Go" in html
        erased_on = timezone.localtime(erasure.done_at).strftime("%d/%m/%Y")
        assert f"effacement achevé le {erased_on}" in html
        assert "toutes les fonctions ont été vérifiées" in html
        assert attribution.demande.foyer.code in html and "CCAS de la Ville" in html
        assert "Pour le foyer" in html and "data-print>Imprimer" in html
        # Nobody's name: not the technician's, nor the person who handed the device over.
        for name in ("Réparateur", "Coordonne"):
            page_body = html.split('<main id="contenu"', 1)[1]
            assert name not in page_body


def test_the_receipt_is_for_that_structure_and_the_coordination(
    technicien, coordinateur, client_for
):
    attribution = _handed(technicien, coordinateur, StructureFactory())
    url = reverse("ordinateurs:recu_remise", args=[attribution.pk])
    assert client_for(UserFactory(prescripteur=True)).get(url).status_code == 404
    assert client_for(technicien).get(url).status_code == 403
    assert client_for(UserFactory(admin=True)).get(url).status_code == 200


def test_no_receipt_before_the_hand_over(technicien, coordinateur, coordination):
    attribution = _proposed(technicien, coordinateur)
    response = coordination.get(reverse("ordinateurs:recu_remise", args=[attribution.pk]))
    assert response.status_code == 404


def test_the_receipt_takes_the_latest_successful_erasure(technicien, coordinateur, client_for):
    attribution = _handed(technicien, coordinateur, StructureFactory())
    stockage = attribution.ordinateur.stockages.get()
    later = timezone.now() + datetime.timedelta(days=3)
    EffacementFactory(stockage=stockage, operateur=technicien, done_at=later)
    EffacementFactory(
        stockage=stockage,
        operateur=technicien,
        resultat="echec",
        done_at=later + datetime.timedelta(days=1),
    )
    html = (
        client_for(coordinateur)
        .get(reverse("ordinateurs:recu_remise", args=[attribution.pk]))
        .content.decode()
    )
    assert f"effacement achevé le {timezone.localtime(later):%d/%m/%Y}" in html
