"""Households' requests: referring a household, who sees which request, the coordination's
decisions, the waiting list, completing an incomplete request."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs import services
from ordinateurs.enums import StatutDemande
from ordinateurs.models import Demande, Foyer
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from tests.factories import QuartierFactory, StructureFactory, UserFactory
from tests.ordinateurs.factories import DemandeFactory, FoyerFactory

pytestmark = pytest.mark.django_db

LIST = reverse("ordinateurs:demande_list")
CREATE = reverse("ordinateurs:demande_create")


def _detail(demande):
    return reverse("ordinateurs:demande_detail", args=[demande.pk])


def _decide_url(demande):
    return reverse("ordinateurs:demande_decide", args=[demande.pk])


@pytest.fixture
def prescripteur(users):
    return users[Role.PRESCRIPTEUR]


@pytest.fixture
def coordinateur(users):
    return users[Role.COORDINATEUR]


def _referral(**extra):
    data = {
        "adultes": "1",
        "enfants": "3",
        "enfants_scolarises": "2",
        "demandeur_emploi": "on",
        "tranche_revenus": "minima",
        "quartier": QuartierFactory(nom="Couronneries").pk,
        "reference_interne": "CCAS-2025-118",
        "besoin": "Devoirs des enfants et recherche d'emploi",
        "consentement": "on",
    }
    data.update(extra)
    return data


def _waiting(structure=None, **kwargs):
    foyer = FoyerFactory(structure=structure) if structure else FoyerFactory()
    return DemandeFactory(foyer=foyer, statut=StatutDemande.LISTE_ATTENTE, **kwargs)


# --- Referring a household ----------------------------------------------------------------------


def test_it_refers_a_household_for_the_prescripteurs_structure(prescripteur, client_for):
    client = client_for(prescripteur)
    response = client.post(CREATE, _referral())
    demande = Demande.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(demande)
    foyer = demande.foyer
    year = timezone.localdate().year
    assert foyer.code == f"F-{year}-0001"
    assert foyer.structure == prescripteur.structure
    assert (foyer.adultes, foyer.enfants, foyer.enfants_scolarises) == (1, 3, 2)
    assert foyer.demandeur_emploi and foyer.quartier.nom == "Couronneries"
    assert foyer.consent_at is not None
    assert foyer.created_by == prescripteur
    assert demande.statut == StatutDemande.SOUMISE
    assert demande.besoin == "Devoirs des enfants et recherche d'emploi"
    assert AuditEvent.objects.filter(action="ordinateurs.foyer.created").exists()
    page = client.get(response["Location"]).content.decode()
    assert f"Le foyer porte le code F-{year}-0001" in page


def test_the_form_says_no_name_is_asked(prescripteur, client_for):
    html = client_for(prescripteur).get(CREATE).content.decode()
    assert "ni nom, ni adresse, ni téléphone" in html
    assert "Le foyer a donné son accord pour que ces informations soient transmises" in html
    assert 'name="structure"' not in html  # a prescripteur refers for their own structure


def test_consent_is_required_and_what_was_typed_stays(prescripteur, client_for):
    data = _referral()
    del data["consentement"]
    response = client_for(prescripteur).post(CREATE, data)
    assert response.status_code == 200
    assert not Foyer.objects.exists()
    form = response.context["form"]
    assert (
        "sans son accord, la demande ne peut pas être transmise" in form.errors["consentement"][0]
    )
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Devoirs des enfants et recherche d&#x27;emploi" in html
    assert 'value="CCAS-2025-118"' in html


def test_school_children_are_counted_among_children(prescripteur, client_for):
    response = client_for(prescripteur).post(CREATE, _referral(enfants="1", enfants_scolarises="2"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["enfants_scolarises"]
    assert "comptés parmi les enfants" in errors["enfants_scolarises"][0]
    assert not Foyer.objects.exists()


def test_the_internal_reference_refuses_a_phone_number_or_an_email(prescripteur, client_for):
    client = client_for(prescripteur)
    for value in ("06 12 34 56 78", "famille@exemple.fr"):
        response = client.post(CREATE, _referral(reference_interne=value))
        assert (
            "Pas de téléphone ni d'e-mail"
            in response.context["form"].errors["reference_interne"][0]
        )
    assert not Foyer.objects.exists()


def test_a_household_has_at_least_one_adult(prescripteur, client_for):
    response = client_for(prescripteur).post(CREATE, _referral(adultes="0"))
    assert "au moins un adulte" in response.context["form"].errors["adultes"][0]


@pytest.mark.parametrize("role", [Role.COORDINATEUR, Role.ADMIN])
def test_the_coordination_chooses_the_structure(role, users, client_for):
    structure = StructureFactory(nom="Mission locale")
    client = client_for(users[role])
    response = client.post(CREATE, _referral())
    assert response.status_code == 200
    assert "Choisissez la structure" in response.context["form"].errors["structure"][0]
    client.post(CREATE, _referral(structure=structure.pk))
    assert Foyer.objects.get().structure == structure


# --- Who sees what ------------------------------------------------------------------------------


def test_a_prescripteur_sees_only_their_structures_requests(prescripteur, client_for):
    mine = DemandeFactory(foyer__structure=prescripteur.structure)
    refused = DemandeFactory(
        foyer__structure=prescripteur.structure,
        statut=StatutDemande.REFUSEE,
        motif="Foyer déjà équipé",
    )
    other = DemandeFactory()
    client = client_for(prescripteur)
    html = client.get(LIST).content.decode()
    assert mine.foyer.code in html and refused.foyer.code in html
    assert other.foyer.code not in html
    assert "Motif : Foyer déjà équipé" in html
    assert "Liste d'attente (" not in html  # the coordination's block
    assert client.get(_detail(mine)).status_code == 200
    assert client.get(_detail(other)).status_code == 404
    assert client.get(reverse("ordinateurs:demande_edit", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.TECHNICIEN, Role.CONSEILLER])
def test_technicians_and_conseillers_do_not_see_households(role, users, client_for):
    demande = DemandeFactory()
    client = client_for(users[role])
    for url in (LIST, CREATE, _detail(demande), reverse("ordinateurs:ceremonie_list")):
        assert client.get(url).status_code == 403


def test_a_prescripteur_cannot_decide(prescripteur, client_for):
    demande = DemandeFactory(foyer__structure=prescripteur.structure)
    client = client_for(prescripteur)
    assert client.get(_decide_url(demande)).status_code == 403
    response = client.post(_decide_url(demande), {"statut": "eligible", "priorite": "1"})
    assert response.status_code == 403
    propose = reverse("ordinateurs:demande_propose", args=[demande.pk])
    assert client.get(propose).status_code == 403
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.SOUMISE
    assert "Décider" not in client.get(_detail(demande)).content.decode()


def test_the_coordination_sees_every_request(coordinateur, client_for):
    demandes = DemandeFactory.create_batch(3)
    html = client_for(coordinateur).get(LIST).content.decode()
    for demande in demandes:
        assert demande.foyer.code in html and demande.foyer.structure.nom in html


# --- Decisions ----------------------------------------------------------------------------------


def test_a_refusal_needs_a_reason(coordinateur, client_for):
    demande = DemandeFactory()
    client = client_for(coordinateur)
    response = client.post(_decide_url(demande), {"statut": "refusee", "priorite": "2"})
    assert response.status_code == 200
    assert "Indiquez le motif" in response.context["form"].errors["motif"][0]
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.SOUMISE
    response = client.post(
        _decide_url(demande),
        {"statut": "refusee", "priorite": "2", "motif": "Hors du territoire de la ville"},
    )
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.REFUSEE
    assert demande.motif == "Hors du territoire de la ville"
    assert demande.closed_at is not None
    html = client.get(_detail(demande)).content.decode()
    assert "Motif du refus" in html and "Hors du territoire de la ville" in html
    assert "soumise → <strong>refusée</strong>" in html  # the history
    assert 'href="' + _decide_url(demande) not in html  # closed: nothing left to decide


def test_the_decisions_offered_follow_the_request_path(coordinateur, client_for):
    client = client_for(coordinateur)
    soumise = DemandeFactory()
    choices = [
        v for v, _ in client.get(_decide_url(soumise)).context["form"]["statut"].field.choices
    ]
    assert choices == ["eligible", "incomplete", "refusee", "abandon"]
    waiting = _waiting()
    choices = [
        v for v, _ in client.get(_decide_url(waiting)).context["form"]["statut"].field.choices
    ]
    assert choices == ["abandon", "expiree"]  # "proposée" goes through a device
    response = client.post(_decide_url(waiting), {"statut": "proposee", "priorite": "2"})
    assert "n'est pas possible" in response.context["form"].errors["statut"][0]


def test_a_request_with_a_proposed_device_is_not_decided_by_hand(coordinateur, client_for):
    demande = DemandeFactory(statut=StatutDemande.PROPOSEE)
    response = client_for(coordinateur).get(_decide_url(demande))
    assert response.status_code == 302 and response["Location"] == _detail(demande)


def test_eligible_then_waiting_list_with_a_priority(coordinateur, client_for):
    demande = DemandeFactory()
    client = client_for(coordinateur)
    # One step: eligible puts the request on the waiting list with its priority.
    client.post(_decide_url(demande), {"statut": "eligible", "priorite": "1"})
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.LISTE_ATTENTE
    assert demande.priorite == Demande.Priorite.HAUTE
    assert demande.waitlisted_at is not None
    history = AuditEvent.objects.for_object(demande).filter(
        action="ordinateurs.demande.status_changed"
    )
    assert history.count() == 2
    html = client.get(_detail(demande)).content.decode()
    assert "rang 1 sur la liste d'attente" in html


def test_the_waiting_list_is_in_serving_order(coordinateur, client_for):
    now = timezone.now()
    old_normal = _waiting(waitlisted_at=now - datetime.timedelta(days=30))
    new_high = _waiting(waitlisted_at=now - datetime.timedelta(days=1), priorite=1)
    newer_normal = _waiting(waitlisted_at=now - datetime.timedelta(days=2))
    low = _waiting(waitlisted_at=now - datetime.timedelta(days=60), priorite=3)
    DemandeFactory()  # submitted, not waiting
    expected = [new_high.pk, old_normal.pk, newer_normal.pk, low.pk]
    client = client_for(coordinateur)
    response = client.get(LIST)
    assert [d.pk for d in response.context["waiting"]] == expected
    assert response.context["waiting_total"] == 4
    response = client.get(LIST, {"statut": "liste_attente"})
    assert [d.pk for d in response.context["page"].object_list] == expected
    html = client.get(_detail(low)).content.decode()
    assert "rang 4 sur la liste d'attente" in html


def test_the_list_counts_and_filters(coordinateur, client_for):
    structure = StructureFactory(nom="CCAS")
    quartier = QuartierFactory(nom="Trois-Cités")
    mine = DemandeFactory(foyer__structure=structure, foyer__quartier=quartier)
    DemandeFactory(statut=StatutDemande.REFUSEE, motif="Non")
    old = DemandeFactory(created_at=timezone.now() - datetime.timedelta(days=800))
    client = client_for(coordinateur)
    response = client.get(LIST)
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    assert counts["soumise"] == 2 and counts["refusee"] == 1 and counts["equipee"] == 0

    def listed(**params):
        return {d.pk for d in client.get(LIST, params).context["page"].object_list}

    assert listed(structure=structure.pk) == {mine.pk}
    assert listed(quartier=quartier.pk) == {mine.pk}
    assert listed(statut="refusee") == {Demande.objects.get(statut="refusee").pk}
    assert listed(annee=str(old.created_at.year)) == {old.pk}


# --- Completing an incomplete request ----------------------------------------------------------


def test_a_prescripteur_completes_an_incomplete_request(prescripteur, coordinateur, client_for):
    demande = DemandeFactory(foyer__structure=prescripteur.structure, foyer__enfants=2)
    services.decide(
        demande=demande,
        statut=StatutDemande.INCOMPLETE,
        motif="Préciser le nombre d'enfants scolarisés",
        actor=coordinateur,
    )
    client = client_for(prescripteur)
    detail = client.get(_detail(demande)).content.decode()
    assert "Ce qui manque" in detail and "Préciser le nombre d&#x27;enfants scolarisés" in detail
    url = reverse("ordinateurs:demande_edit", args=[demande.pk])
    form = client.get(url).context["form"]
    assert form["besoin"].value() == "Devoirs des enfants, démarches"
    data = _referral(enfants="2", enfants_scolarises="3", besoin="Devoirs au collège")
    response = client.post(url, data)
    assert "enfants_scolarises" in response.context["form"].errors
    data["enfants_scolarises"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.SOUMISE
    assert demande.besoin == "Devoirs au collège"
    assert demande.foyer.enfants_scolarises == 1
    assert demande.foyer.structure == prescripteur.structure
    html = client.get(_detail(demande)).content.decode()
    assert "incomplète → <strong>soumise</strong>" in html


def test_only_an_incomplete_request_is_completed(prescripteur, client_for):
    demande = DemandeFactory(foyer__structure=prescripteur.structure)
    url = reverse("ordinateurs:demande_edit", args=[demande.pk])
    response = client_for(prescripteur).post(url, _referral())
    assert response.status_code == 302 and response["Location"] == _detail(demande)
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.SOUMISE
    assert demande.foyer.enfants == 2


def test_another_structures_prescripteur_gets_a_404_everywhere(client_for):
    demande = DemandeFactory(statut=StatutDemande.INCOMPLETE, motif="Pièce")
    outsider = client_for(UserFactory(prescripteur=True))
    for name in ("demande_detail", "demande_edit"):
        assert outsider.get(reverse(f"ordinateurs:{name}", args=[demande.pk])).status_code == 404
