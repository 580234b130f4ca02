"""A dashboard view shared by link: made and revoked by the coordinator, read without an account."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from reporting.models import VuePartagee
from tests.factories import LieuFactory
from tests.permanences.factories import MediationFactory

pytestmark = pytest.mark.django_db
CREATE = reverse("reporting:share_create")


def _kpi(html: str, label: str) -> str:
    start = html.index(f"<dt>{label}</dt>")
    return html[start:].split("<dd>", 1)[1].split("</dd>", 1)[0]


@pytest.fixture
def coordinator_client(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def test_a_coordinator_shares_a_filtered_view_that_anyone_can_read(coordinator_client, client):
    lieu = LieuFactory(nom="Médiathèque")
    MediationFactory(date=datetime.date(2025, 3, 3), lieu=lieu)
    MediationFactory(date=datetime.date(2025, 4, 4), lieu=lieu)
    MediationFactory(date=datetime.date(2024, 4, 4), lieu=lieu)  # outside the shared period
    dashboard = coordinator_client.get(reverse("reporting:dashboard"), {"du": "2025-01-01"})
    assert f"{CREATE}?du=2025-01-01" in dashboard.content.decode()

    form = coordinator_client.get(CREATE, {"du": "2025-01-01", "ignored": "x"})
    assert "Période : depuis le 01/01/2025" in form.content.decode()
    response = coordinator_client.post(
        CREATE,
        {
            "du": "2025-01-01",
            "titre": "Bilan pour le conseil municipal",
            "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
        follow=True,
    )
    share = VuePartagee.objects.get()
    assert share.filtres == {"du": "2025-01-01"}
    assert AuditEvent.objects.filter(action="reporting.vue_partagee.creee").count() == 1
    public_url = reverse("reporting:share_public", args=[share.token])
    assert public_url in response.content.decode()

    page = client.get(public_url)  # no account
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="fr"' in html
    assert "<title>Bilan pour le conseil municipal — " in html
    assert _kpi(html, "Médiations (accompagnements)").strip() == "2"
    assert "Par conseiller" not in html  # staff names stay inside
    assert "Exporter :" not in html and "Se déconnecter" not in html


def test_a_revoked_or_expired_link_opens_nothing(coordinator_client, client, users):
    today = timezone.localdate()
    live = VuePartagee.objects.create(
        titre="A", expires_on=today, created_by=users[Role.COORDINATEUR]
    )
    expired = VuePartagee.objects.create(titre="B", expires_on=today - datetime.timedelta(1))
    assert client.get(reverse("reporting:share_public", args=[live.token])).status_code == 200
    assert client.get(reverse("reporting:share_public", args=[expired.token])).status_code == 404
    assert client.get(reverse("reporting:share_public", args=["inconnu"])).status_code == 404

    coordinator_client.post(reverse("reporting:share_revoke", args=[live.pk]))
    assert client.get(reverse("reporting:share_public", args=[live.token])).status_code == 404
    listing = coordinator_client.get(reverse("reporting:share_list")).content.decode()
    assert "révoquée le" in listing and "expirée le" in listing


@pytest.mark.parametrize(
    "expires,message",
    [
        ("", "Indiquez jusqu&#x27;à quand le lien est valable."),
        ("2000-01-01", "Cette date est passée"),
        ("2999-01-01", "valable un an au plus"),
    ],
)
def test_bad_input_is_explained_and_kept(coordinator_client, expires, message):
    response = coordinator_client.post(CREATE, {"titre": "Mon titre gardé", "expires_on": expires})
    html = response.content.decode()
    assert message in html and 'value="Mon titre gardé"' in html
    assert not VuePartagee.objects.exists()


def test_only_the_coordinator_and_the_admin_share(users, client_for):
    for role in (Role.CONSEILLER, Role.PRESCRIPTEUR, Role.TECHNICIEN):
        assert client_for(users[role]).get(CREATE).status_code == 403
    html = client_for(users[Role.CONSEILLER]).get(reverse("reporting:dashboard")).content.decode()
    assert CREATE not in html


@pytest.fixture
def camille():
    from tests.factories import UserFactory

    conseiller = UserFactory(conseiller=True, first_name="Camille", last_name="Martin")
    MediationFactory(conseiller=conseiller, date=datetime.date(2025, 3, 3))
    MediationFactory(date=datetime.date(2025, 3, 4))  # another conseiller's
    return conseiller


def test_a_view_filtered_on_a_conseiller_is_not_shared(coordinator_client, camille):
    shown = coordinator_client.get(CREATE, {"du": "2025-01-01", "conseiller": camille.pk})
    html = shown.content.decode()
    assert "Une vue partagée ne nomme personne" in html
    assert f'href="{CREATE}?du=2025-01-01"' in html  # the same view for every conseiller

    response = coordinator_client.post(
        CREATE,
        {
            "du": "2025-01-01",
            "conseiller": camille.pk,
            "titre": "Activité de l'équipe",
            "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Une vue partagée ne nomme personne" in html
    assert 'value="Activité de l&#x27;équipe"' in html
    assert not VuePartagee.objects.exists()


def test_a_link_made_with_a_conseiller_filter_never_names_anyone(client, users, camille):
    from poitiers_inclusion.models import User

    share = VuePartagee.objects.create(
        titre="Bilan",
        filtres={"du": "2025-01-01", "conseiller": str(camille.pk)},
        created_by=users[Role.COORDINATEUR],
        expires_on=timezone.localdate(),
    )
    response = client.get(reverse("reporting:share_public", args=[share.token]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Conseiller :" not in html
    for user in User.objects.all():
        names = (user.first_name, user.last_name, user.get_full_name(), user.email)
        for name in filter(None, names):
            assert name not in html, name
    # The filter is dropped, not applied anonymously: the figures are everyone's.
    assert _kpi(html, "Médiations (accompagnements)").strip() == "2"
