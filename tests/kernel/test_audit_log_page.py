"""The administrator reads the audit log: filters, pages, CSV; nobody else opens it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.audit import log_event
from poitiers_inclusion.enums import Role
from tests.factories import UsagerFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("kernel:audit_list")


def _events(actor, n, action="kernel.usager.viewed"):
    for _ in range(n):
        log_event(actor=actor, action=action, target=UsagerFactory(identified=True))


def test_the_admin_reads_and_filters_the_log(users, client_for):
    conseiller = UserFactory(conseiller=True, first_name="Inès", last_name="Petit")
    _events(conseiller, 2)
    _events(users[Role.COORDINATEUR], 1, action="reseau.lieu.created")
    client = client_for(users[Role.ADMIN])
    page = client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200 and html.count('class="audit-action"') == 3
    assert "Inès Petit" in html

    mine = client.get(URL, {"auteur": conseiller.pk}).content.decode()
    assert mine.count('class="audit-action"') == 2
    assert client.get(URL, {"action": "lieu"}).content.decode().count('class="audit-action"') == 1
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "Aucun événement." in client.get(URL, {"du": tomorrow}).content.decode()
    bad = client.get(URL, {"du": "31/02/2026"}).content.decode()
    assert "Saisissez une date valide." in bad


def test_the_log_exports_as_csv(users, client_for):
    log_event(
        actor=users[Role.ADMIN],
        action="kernel.user.changed",
        target=users[Role.CONSEILLER],
        changes={"first_name": "=HYPERLIEN(1)"},
    )
    response = client_for(users[Role.ADMIN]).get(URL, {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Date;Auteur;Action")
    assert users[Role.ADMIN].email in lines[1] and "kernel.user.changed" in lines[1]
    assert "HYPERLIEN" in lines[1] and not lines[1].split(";")[-1].startswith("=")


@pytest.mark.parametrize("role", [Role.COORDINATEUR, Role.CONSEILLER, Role.PRESCRIPTEUR])
def test_only_the_admin_reads_it(role, users, client_for):
    assert client_for(users[role]).get(URL).status_code == 403


def test_the_page_takes_the_same_queries_for_5_or_40_events(
    users, client_for, django_assert_max_num_queries
):
    client = client_for(users[Role.ADMIN])
    _events(users[Role.CONSEILLER], 5)
    client.get(URL)
    with django_assert_max_num_queries(12) as five:
        client.get(URL)
    _events(UserFactory(conseiller=True), 35)
    with django_assert_max_num_queries(len(five.captured_queries)):
        client.get(URL)


def test_each_event_reads_as_a_french_sentence(users, client_for):
    from tests.ordinateurs.factories import OrdinateurFactory

    log_event(
        actor=users[Role.ADMIN],
        action="ordinateurs.controle.created",
        target=OrdinateurFactory(),
        changes={"reussi": True},
    )
    log_event(
        actor=users[Role.ADMIN],
        action="kernel.user.updated",
        target=users[Role.CONSEILLER],
        changes={"fields": ["first_name", "is_active"]},
    )
    html = client_for(users[Role.ADMIN]).get(URL).content.decode()
    assert "Contrôle fonctionnel enregistré : réussi" in html
    assert "Modification : compte (champs : prénom, actif)" in html
    assert "ordinateurs.controle.created" not in html and "True" not in html
    assert "{&#x27;" not in html  # no raw dict
