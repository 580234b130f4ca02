"""The list pages take as many queries with 3 rows as with 12: no query per row (N+1)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from tests.factories import ContactFactory, LieuFactory, QuartierFactory, UserFactory
from tests.permanences.factories import MediationFactory, PermanenceFactory
from tests.reseau.factories import (
    CampagneFactory,
    InvitationFactory,
    OrientationFactory,
    ReunionFactory,
    VerificationFactory,
)

pytestmark = pytest.mark.django_db


def _lieu_with_everything():
    lieu = LieuFactory(quartier=QuartierFactory())
    PermanenceFactory(lieu=lieu)
    return lieu


def _booking_today(conseiller):
    from tests.permanences.factories_schedule import (
        BookablePermanenceFactory,
        CreneauFactory,
        RendezVousFactory,
    )

    today = timezone.localdate()
    permanence = BookablePermanenceFactory(
        weekday=today.weekday(), valid_from=today - datetime.timedelta(days=7)
    )
    permanence.conseillers.add(conseiller)
    return RendezVousFactory(creneau=CreneauFactory(permanence=permanence, date=today))


def _reunion_with_invitations():
    reunion = ReunionFactory()
    InvitationFactory(reunion=reunion)
    return reunion


def _campagne_with_verification():
    campagne = CampagneFactory()
    VerificationFactory(campagne=campagne)
    return campagne


# (page, who looks, how to add one row). The viewer is passed in for rows that must be theirs.
PAGES = [
    ("kernel:user_list", Role.ADMIN, lambda viewer: UserFactory(coordinateur=True)),
    ("reseau:lieu_list", Role.COORDINATEUR, lambda viewer: _lieu_with_everything()),
    ("reseau:quartier_list", Role.COORDINATEUR, lambda viewer: QuartierFactory()),
    ("reseau:contact_list", Role.COORDINATEUR, lambda viewer: ContactFactory()),
    ("reseau:orientation_list", Role.COORDINATEUR, lambda viewer: OrientationFactory()),
    ("reseau:reunion_list", Role.COORDINATEUR, lambda viewer: _reunion_with_invitations()),
    ("reseau:campagne_list", Role.COORDINATEUR, lambda viewer: _campagne_with_verification()),
    ("reseau:couverture", Role.COORDINATEUR, lambda viewer: _lieu_with_everything()),
    ("reseau:carte", None, lambda viewer: _lieu_with_everything()),
    ("permanences:public_schedule", None, lambda viewer: _lieu_with_everything()),
    ("permanences:agenda", Role.CONSEILLER, _booking_today),
    ("permanences:attendance", Role.COORDINATEUR, lambda viewer: MediationFactory()),
    ("reporting:share_list", Role.COORDINATEUR, lambda viewer: _share()),
]


def _share():
    from reporting.models import VuePartagee

    return VuePartagee.objects.create(
        titre="Vue", expires_on=timezone.localdate() + datetime.timedelta(days=3)
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name,role,add", PAGES, ids=[p[0] for p in PAGES])
def test_a_list_page_does_not_query_per_row(name, role, add, users, client_for, client):
    viewer = users[role] if role else None
    browser = client_for(viewer) if viewer else client
    url = reverse(name)
    for _ in range(3):
        add(viewer)
    _queries(browser, url)  # warm the per-process caches (content types, sessions)
    few = _queries(browser, url)
    for _ in range(9):
        add(viewer)
    assert _queries(browser, url) <= few, name
