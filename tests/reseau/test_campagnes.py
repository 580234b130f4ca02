"""Update campaigns: links by e-mail, confirm or correct, reminders, and the per-structure states."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from reseau.enums import EtatVerification
from reseau.models import Campagne, Verification

from ..factories import ContactFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client_for, make_user):
    return client_for(make_user(Role.COORDINATEUR))


@pytest.fixture
def structures():
    with_referent = StructureFactory(nom="Avec référent", courriel="accueil@a.test")
    ContactFactory(structure=with_referent, courriel="autre@a.test")
    ContactFactory(structure=with_referent, courriel="referente@a.test", referent_numerique=True)
    generic = StructureFactory(nom="Adresse générique", courriel="contact@b.test")
    silent = StructureFactory(nom="Sans adresse", courriel="")
    StructureFactory(nom="Archivée", archived_at="2024-01-01T00:00Z")
    return with_referent, generic, silent


def _open(coordinator):
    response = coordinator.post(
        reverse("reseau:campagne_list"), {"titre": "Printemps", "message": "Vérifiez vos horaires."}
    )
    assert response.status_code == 302
    return Campagne.objects.get()


def _link(message) -> str:
    return re.search(r"http://\S+/reseau/mise-a-jour/\S+/", message.body).group(0)


def test_it_mails_each_structure_contact_a_personal_link(coordinator, structures):
    campagne = _open(coordinator)
    assert sorted(m.to[0] for m in mail.outbox) == ["contact@b.test", "referente@a.test"]
    assert "Vérifiez vos horaires." in mail.outbox[0].body
    assert campagne.verifications.count() == 3  # the archived structure is left out
    assert len({v.token for v in campagne.verifications.all()}) == 3
    silent = campagne.verifications.get(structure__nom="Sans adresse")
    assert silent.sent_at is None and silent.state == EtatVerification.A_FAIRE


def test_it_records_a_confirmation_without_changes(coordinator, structures, client):
    _open(coordinator)
    message = next(m for m in mail.outbox if m.to == ["contact@b.test"])
    path = urlparse(_link(message)).path
    assert client.get(path).status_code == 200
    client.post(path, {"action": "confirmer"})
    verification = Verification.objects.get(structure__nom="Adresse générique")
    assert verification.state == EtatVerification.CONFIRMEE and verification.answered_at


def test_it_saves_corrections_and_lists_the_changed_fields(coordinator, structures, client):
    campagne = _open(coordinator)
    verification = campagne.verifications.get(structure=structures[0])
    url = reverse("reseau:verification", args=[verification.token])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "")}
    data.update(action="corriger", horaires="Mo-Fr 09:00-12:00", telephone="+33549000001")
    response = client.post(url, data)
    assert response.status_code == 200 and "Merci" in response.content.decode()
    verification.refresh_from_db()
    structures[0].refresh_from_db()
    assert verification.state == EtatVerification.MISE_A_JOUR
    assert set(verification.changed_fields) == {"horaires", "telephone"}
    assert structures[0].horaires == "Mo-Fr 09:00-12:00"
    assert AuditEvent.objects.filter(action="reseau.structure.updated", actor=None).exists()


def test_it_keeps_what_was_typed_when_a_correction_is_invalid(coordinator, structures, client):
    campagne = _open(coordinator)
    verification = campagne.verifications.get(structure=structures[1])
    url = reverse("reseau:verification", args=[verification.token])
    response = client.post(
        url, {"action": "corriger", "nom": "Adresse générique", "code_postal": "860"}
    )
    assert response.status_code == 200
    assert "code postal compte 5 chiffres" in response.content.decode()
    assert 'value="860"' in response.content.decode()
    verification.refresh_from_db()
    assert verification.state == EtatVerification.A_FAIRE


def test_it_reminds_only_the_structures_without_an_answer(coordinator, structures, client):
    campagne = _open(coordinator)
    answered = campagne.verifications.get(structure=structures[1])
    client.post(reverse("reseau:verification", args=[answered.token]), {"action": "confirmer"})
    mail.outbox.clear()
    coordinator.post(reverse("reseau:campagne_remind", args=[campagne.pk]))
    assert [m.to for m in mail.outbox] == [["referente@a.test"]]
    assert mail.outbox[0].subject.startswith("[Poitiers] Relance")
    states = {v.structure.nom: v.state for v in campagne.verifications.all()}
    assert states == {
        "Avec référent": EtatVerification.RELANCEE,
        "Adresse générique": EtatVerification.CONFIRMEE,
        "Sans adresse": EtatVerification.A_FAIRE,
    }
    page = coordinator.get(reverse("reseau:campagne_detail", args=[campagne.pk]))
    assert page.context["counts"] == {
        "a_faire": 1,
        "relancee": 1,
        "confirmee": 1,
        "mise_a_jour": 0,
    }
    filtered = coordinator.get(
        reverse("reseau:campagne_detail", args=[campagne.pk]), {"etat": "relancee"}
    )
    assert [v.structure.nom for v in filtered.context["verifications"]] == ["Avec référent"]


def test_it_closes_the_links_with_the_campaign(coordinator, structures, client):
    campagne = _open(coordinator)
    verification = campagne.verifications.first()
    coordinator.post(reverse("reseau:campagne_close", args=[campagne.pk]))
    response = client.get(reverse("reseau:verification", args=[verification.token]))
    assert response.status_code == 410
    assert client.get(reverse("reseau:verification", args=["faux-jeton"])).status_code == 404
