"""The coordination's page "Synchroniser avec La Coop": where the sync stands, and running it."""

import datetime
import uuid

import pytest
from django.urls import reverse

from permanences.models import CoopSync, Mediation
from poitiers_inclusion.enums import Role
from tests.factories import UserFactory
from tests.permanences.coop_standin import TOKEN, StandIn, activite, utilisateur

pytestmark = pytest.mark.django_db

URL = reverse("permanences:coop_sync")
T0 = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def coop(settings):
    standin = StandIn()
    settings.COOP_API_URL = standin.start()
    settings.COOP_API_TOKEN = TOKEN
    conseiller = UserFactory(conseiller=True, coop_id=str(uuid.uuid4()))
    stranger = str(uuid.uuid4())
    standin.utilisateurs = [
        utilisateur(email="zoe@ailleurs.test", mediateur_id=stranger, prenom="Zoé", nom="Roy")
    ]
    standin.add(
        activite(mediateur_id=conseiller.coop_id, modified=T0),
        activite(mediateur_id=conseiller.coop_id, modified=T0, type="collectif", thematiques=[]),
        activite(mediateur_id=stranger, modified=T0),
    )
    yield standin
    standin.stop()


def test_without_settings_it_says_how_to_get_access(users, client_for, settings):
    settings.COOP_API_URL = settings.COOP_API_TOKEN = ""
    page = client_for(users[Role.COORDINATEUR]).get(URL).content.decode()
    assert "data-coop-access" in page and "Demandez un accès" in page
    assert "COOP_API_URL" in page and "COOP_API_TOKEN" in page
    assert "identifiant-client:secret" in page
    assert "Synchroniser maintenant</button>" not in page


def test_without_settings_a_post_does_nothing(users, client_for, settings):
    settings.COOP_API_URL = ""
    client_for(users[Role.COORDINATEUR]).post(URL)
    assert not CoopSync.objects.exists()


def test_the_coordinator_runs_it_and_sees_the_counts_and_the_refused(users, client_for, coop):
    client = client_for(users[Role.COORDINATEUR])

    response = client.post(URL, follow=True)

    page = response.content.decode()
    assert "1 activité(s) créée(s)" in page and "2 refusée(s)" in page
    assert Mediation.objects.count() == 1
    assert 'Activités créées</th><td class="text-end" data-count>1<' in page
    assert page.count("data-refused") == 2
    assert "Zoé Roy &lt;zoe@ailleurs.test&gt;" in page and "médiateur inconnu ici" in page
    assert "aucune thématique" in page
    assert 'data-sync-outcome="complete"' in page


def test_a_bad_date_is_explained_and_nothing_runs(users, client_for, coop):
    response = client_for(users[Role.COORDINATEUR]).post(URL, {"depuis": "hier"})
    assert response.status_code == 200
    assert "Saisissez une date valide" in response.content.decode()
    assert coop.requests == []


def test_a_refused_token_is_explained_in_french(users, client_for, coop, settings):
    settings.COOP_API_TOKEN = "client:faux"
    response = client_for(users[Role.COORDINATEUR]).post(URL, follow=True)
    page = response.content.decode()
    assert "La synchronisation s’est arrêtée" in page and "COOP_API_TOKEN" in page
    assert 'data-sync-outcome="echec"' in page


def test_it_is_beside_the_file_import(users, client_for):
    page = client_for(users[Role.COORDINATEUR]).get(reverse("permanences:coop_import"))
    assert URL in page.content.decode()


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.TECHNICIEN, Role.PRESCRIPTEUR])
def test_other_roles_may_not_run_it(role, users, client_for, coop):
    assert client_for(users[role]).post(URL).status_code == 403
    assert coop.requests == []
