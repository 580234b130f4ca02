"""The device's path and its rules, the evidence, donations, requests, allocation and hand-over."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InternalError, transaction
from django.utils import timezone

from ordinateurs import services
from ordinateurs.enums import (
    CHECKLIST,
    Etat,
    ResultatEffacement,
    StatutDemande,
    StatutDon,
    TypeAppareil,
)
from ordinateurs.models import Evenement, Ordinateur
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AppendOnlyError
from tests.factories import StructureFactory
from tests.ordinateurs.factories import (
    ControleFactory,
    DemandeFactory,
    DonFactory,
    EffacementFactory,
    OrdinateurFactory,
    ready_device,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def technicien(users):
    return users[Role.TECHNICIEN]


def test_received_devices_get_numbers_and_a_first_event(technicien):
    don = DonFactory()
    devices = services.receive_devices(
        don=don,
        devices=[
            {
                "type": "portable",
                "marque": "HP",
                "stockages": [{"type": "ssd", "capacite_go": 256}],
            },
            {"type": "ecran"},
        ],
        actor=technicien,
    )
    year = timezone.localdate().year
    assert [d.numero for d in devices] == [f"PC-{year}-0001", f"PC-{year}-0002"]
    assert devices[0].stockages.count() == 1
    assert [e.vers for e in Evenement.objects.filter(ordinateur=devices[0])] == [Etat.RECU]


def test_the_path_refuses_a_jump(technicien):
    ordinateur = OrdinateurFactory()
    with pytest.raises(services.OrdinateurError, match="ne peut pas passer"):
        services.move(ordinateur=ordinateur, vers=Etat.DISPONIBLE, actor=technicien)


def test_no_device_is_erased_without_a_successful_erasure_of_every_storage(technicien):
    ordinateur = OrdinateurFactory()
    second = ordinateur.stockages.create(type="hdd", capacite_go=500)
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    EffacementFactory(stockage=ordinateur.stockages.first(), operateur=technicien)
    EffacementFactory(stockage=second, operateur=technicien, resultat=ResultatEffacement.ECHEC)
    with pytest.raises(services.OrdinateurError, match="effacement réussi"):
        services.move(ordinateur=ordinateur, vers=Etat.EFFACE, actor=technicien)
    EffacementFactory(stockage=second, operateur=technicien)  # erased again, successfully
    services.move(ordinateur=ordinateur, vers=Etat.EFFACE, actor=technicien)
    assert Ordinateur.objects.get(pk=ordinateur.pk).etat == Etat.EFFACE


def test_the_erasure_rule_says_the_same_from_prefetched_records(
    technicien, django_assert_num_queries
):
    """One rule for the device page, the move and the batch certificates (which prefetch)."""
    no_storage = OrdinateurFactory(stockages=[])
    screen = OrdinateurFactory(stockages=[], type=TypeAppareil.ECRAN)
    failed = OrdinateurFactory()
    EffacementFactory(
        stockage=failed.stockages.get(), operateur=technicien, resultat=ResultatEffacement.ECHEC
    )
    done = OrdinateurFactory()
    EffacementFactory(stockage=done.stockages.get(), operateur=technicien)
    expected = {no_storage.pk: False, screen.pk: True, failed.pk: False, done.pk: True}
    plain = {o.pk: services.erased(o) for o in Ordinateur.objects.filter(pk__in=expected)}
    prefetched = list(
        Ordinateur.objects.filter(pk__in=expected).prefetch_related("stockages__effacements")
    )
    with django_assert_num_queries(0):
        in_memory = {o.pk: services.erased(o) for o in prefetched}
    assert plain == in_memory == expected


def test_a_laptop_without_recorded_storage_cannot_be_erased(technicien):
    ordinateur = OrdinateurFactory(stockages=[])
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    with pytest.raises(services.OrdinateurError, match="supports de stockage"):
        services.move(ordinateur=ordinateur, vers=Etat.EFFACE, actor=technicien)


def test_no_device_is_available_without_a_passed_check(technicien):
    ordinateur = OrdinateurFactory()
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    EffacementFactory(stockage=ordinateur.stockages.first(), operateur=technicien)
    services.move(ordinateur=ordinateur, vers=Etat.EFFACE, actor=technicien)
    services.move(ordinateur=ordinateur, vers=Etat.RECONDITIONNE, actor=technicien)
    failed = {key: True for key, _ in CHECKLIST} | {"wifi": False}
    check = services.record_check(ordinateur=ordinateur, resultats=failed, operateur=technicien)
    assert check.reussi is False
    with pytest.raises(services.OrdinateurError, match="contrôle fonctionnel"):
        services.move(ordinateur=ordinateur, vers=Etat.CONTROLE, actor=technicien)
    ControleFactory(ordinateur=ordinateur, operateur=technicien)
    services.move(ordinateur=ordinateur, vers=Etat.CONTROLE, actor=technicien)
    services.move(ordinateur=ordinateur, vers=Etat.DISPONIBLE, actor=technicien)


def test_reservation_only_through_a_request(technicien):
    ordinateur = ready_device(technicien)
    with pytest.raises(services.OrdinateurError, match="depuis la demande"):
        services.move(ordinateur=ordinateur, vers=Etat.RESERVE, actor=technicien)


def test_the_evidence_is_append_only(technicien):
    event = Evenement.objects.filter(ordinateur=OrdinateurFactory()).first()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Evenement.objects.filter(pk=event.pk).update(note="changé")
    with pytest.raises(AppendOnlyError):
        Evenement.objects.filter(pk=event.pk).delete()
    # The database refuses too, whatever the code does (a plain manager has no guard).
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        Evenement._base_manager.filter(pk=event.pk).update(note="changé")


def test_the_erasure_report_keeps_its_fingerprint(technicien):
    stockage = OrdinateurFactory().stockages.first()
    report = SimpleUploadedFile("rapport.txt", b"nwipe: pass 1/1 ok")
    effacement = services.record_erasure(
        stockage=stockage,
        operateur=technicien,
        preuve=report,
        methode="nist_clear",
        outil="nwipe",
        version_outil="0.35",
        passes=1,
        resultat="reussi",
    )
    import hashlib

    assert effacement.preuve_sha256 == hashlib.sha256(b"nwipe: pass 1/1 ok").hexdigest()


def test_a_donation_is_offered_collected_and_confirmed(
    mailoutbox, django_capture_on_commit_callbacks, users
):
    with django_capture_on_commit_callbacks(execute=True):
        don = services.offer_donation(
            donateur={
                "nom": "Assurances du Centre",
                "email": "rse@assur.example",
                "siret": "12345678900011",
            },
            nb_annonce=25,
            description="Portables de 2018",
        )
    assert don.en_ligne and don.statut == StatutDon.PROPOSE
    coordinator = users[Role.COORDINATEUR]
    services.plan_collection(don=don, day=datetime.date(2022, 3, 1), actor=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_collection(
            don=don, day=datetime.date(2022, 3, 1), nb_recus=23, poids_kg=61.5, actor=coordinator
        )
    assert "/ordinateurs/" in mailoutbox[-1].body and "23 appareils reçus" in mailoutbox[-1].body
    don = services.confirm_by_donor(don=don)
    assert don.statut == StatutDon.CONFIRME and don.confirmed_at
    again = services.offer_donation(
        donateur={"nom": "Assurances du Centre", "siret": "12345678900011"},
        nb_annonce=5,
        description="",
        actor=coordinator,
    )
    assert again.donateur == don.donateur  # the same company, known by its SIRET
    typed = services.offer_donation(
        donateur={"nom": "Assurances", "siret": "12345678900011", "email": "new@assur.example"},
        nb_annonce=3,
        description="",
    )
    assert typed.donateur == don.donateur and "new@assur.example" in typed.notes
    known = services.offer_donation(
        donateur=don.donateur, nb_annonce=2, description="", actor=coordinator
    )
    assert known.donateur == don.donateur


def test_a_request_goes_from_referral_to_a_handed_over_device(users, technicien):
    prescripteur = users[Role.PRESCRIPTEUR]
    coordinator = users[Role.COORDINATEUR]
    demande = services.refer_household(
        structure=prescripteur.structure,
        foyer={
            "adultes": 1,
            "enfants": 2,
            "enfants_scolarises": 2,
            "consent_at": timezone.now(),
        },
        besoin="Devoirs",
        actor=prescripteur,
    )
    assert demande.foyer.code.startswith("F-") and demande.statut == StatutDemande.SOUMISE
    with pytest.raises(services.OrdinateurError, match="motif"):
        services.decide(demande=demande, statut=StatutDemande.INCOMPLETE, actor=coordinator)
    services.decide(demande=demande, statut=StatutDemande.ELIGIBLE, actor=coordinator)
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.LISTE_ATTENTE  # eligible: on the list at once
    ordinateur = ready_device(technicien)
    attribution = services.propose(demande=demande, ordinateur=ordinateur, actor=coordinator)
    ordinateur.refresh_from_db()
    assert ordinateur.etat == Etat.RESERVE
    services.hand_over(attribution=attribution, actor=coordinator)
    demande.refresh_from_db()
    ordinateur.refresh_from_db()
    assert (demande.statut, ordinateur.etat) == (StatutDemande.EQUIPEE, Etat.REMIS)
    assert demande.closed_at is not None


def test_a_withdrawn_proposal_frees_the_device_and_the_household_waits_again(users, technicien):
    coordinator = users[Role.COORDINATEUR]
    demande = DemandeFactory(statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=timezone.now())
    ordinateur = ready_device(technicien)
    attribution = services.propose(demande=demande, ordinateur=ordinateur, actor=coordinator)
    services.withdraw(attribution=attribution, actor=coordinator, motif="Famille injoignable")
    demande.refresh_from_db()
    ordinateur.refresh_from_db()
    assert (demande.statut, ordinateur.etat) == (StatutDemande.LISTE_ATTENTE, Etat.DISPONIBLE)
    other = DemandeFactory(statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=timezone.now())
    services.propose(demande=other, ordinateur=ordinateur, actor=coordinator)  # free again


def test_the_waiting_list_serves_priority_then_seniority():
    from ordinateurs.models import Demande

    now = timezone.now()
    old = DemandeFactory(statut="liste_attente", waitlisted_at=now - datetime.timedelta(days=30))
    urgent = DemandeFactory(statut="liste_attente", waitlisted_at=now, priorite=1)
    recent = DemandeFactory(statut="liste_attente", waitlisted_at=now)
    assert list(Demande.objects.waiting_list()) == [urgent, old, recent]


def test_incomplete_requests_expire_and_closed_households_are_anonymised(users):
    structure = StructureFactory()
    stale = DemandeFactory(
        foyer__structure=structure,
        foyer__reference_interne="DOSSIER-12",
        statut=StatutDemande.INCOMPLETE,
        created_at=timezone.now() - datetime.timedelta(days=120),
    )
    fresh = DemandeFactory(statut=StatutDemande.INCOMPLETE)
    assert services.expire_requests(incomplete_days=90, dry_run=True) == 1
    assert services.expire_requests(incomplete_days=90) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.statut, fresh.statut) == (StatutDemande.EXPIREE, StatutDemande.INCOMPLETE)
    later = timezone.now() + datetime.timedelta(days=1)
    assert services.anonymise_closed_households(before=later) == 1
    stale.foyer.refresh_from_db()
    assert stale.foyer.reference_interne == "" and stale.foyer.anonymised_at


def test_a_decision_never_moves_a_request_past_its_device(users, technicien):
    coordinator = users[Role.COORDINATEUR]
    demande = DemandeFactory(statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=timezone.now())
    with pytest.raises(services.OrdinateurError, match="ordinateur est en jeu"):
        services.decide(demande=demande, statut=StatutDemande.PROPOSEE, actor=coordinator)
    services.propose(demande=demande, ordinateur=ready_device(technicien), actor=coordinator)
    with pytest.raises(services.OrdinateurError, match="ordinateur est en jeu"):
        services.decide(demande=demande, statut=StatutDemande.LISTE_ATTENTE, actor=coordinator)
