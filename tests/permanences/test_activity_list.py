"""'Mon activité': each conseiller's list, filtered and paged; the coordinator sees everyone's."""

import datetime

import pytest
from django.urls import reverse

from permanences.enums import Thematique, TypeActivite
from tests.factories import LieuFactory, UsagerFactory, UserFactory
from tests.permanences.factories import MediationFactory

pytestmark = pytest.mark.django_db
URL = "permanences:activity"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def conseiller(users):
    return users["conseiller"]


def _rows(response):
    return list(response.context["page"].object_list)


def test_a_conseiller_sees_only_their_own_activity(conseiller, client_for):
    mine = MediationFactory(conseiller=conseiller)
    MediationFactory()
    response = client_for(conseiller).get(reverse(URL))
    assert _rows(response) == [mine]
    assert "conseiller" not in response.context["filter"].form.fields
    # From their list, the conseiller reaches the Coop export of their own activity.
    assert f'href="{reverse("permanences:coop_export")}"' in response.content.decode()


def test_the_coordinator_sees_everyone_and_filters_by_conseiller(users, client_for):
    a, b = MediationFactory(), MediationFactory()
    client = client_for(users["coordinateur"])
    assert set(_rows(client.get(reverse(URL)))) == {a, b}
    response = client.get(reverse(URL), {"conseiller": a.conseiller_id})
    assert _rows(response) == [a]
    assert a.conseiller.last_name in response.content.decode()


def test_it_filters_by_period_lieu_type_theme_and_usager(conseiller, client_for):
    lieu = LieuFactory()
    person = UsagerFactory(identified=True, last_name="Renaud")
    match = MediationFactory(
        conseiller=conseiller,
        date=datetime.date(2024, 5, 10),
        lieu=lieu,
        thematiques=[Thematique.SANTE, Thematique.EMAIL],
        usagers=[person],
    )
    MediationFactory(conseiller=conseiller, date=datetime.date(2024, 5, 11), lieu=lieu)
    MediationFactory(conseiller=conseiller, date=datetime.date(2024, 4, 30), lieu=lieu)
    MediationFactory(
        conseiller=conseiller, date=datetime.date(2024, 5, 10), type_activite=TypeActivite.COLLECTIF
    )
    client = client_for(conseiller)
    cases = [
        {"du": "2024-05-01", "au": "2024-05-10", "lieu": lieu.pk},
        {"thematique": Thematique.SANTE},
        {"usager": "renaud"},
        {"usager": str(person.pk)},
    ]
    for params in cases:
        assert _rows(client.get(reverse(URL), params)) == [match], params
    collective = _rows(client.get(reverse(URL), {"type_activite": TypeActivite.COLLECTIF}))
    assert [m.type_activite for m in collective] == [TypeActivite.COLLECTIF]


def test_it_pages_the_list(conseiller, client_for):
    for _ in range(27):
        MediationFactory(conseiller=conseiller)
    client = client_for(conseiller)
    assert len(_rows(client.get(reverse(URL)))) == 25
    assert len(_rows(client.get(reverse(URL), {"page": 2}))) == 2


def test_a_bad_filter_date_is_explained(conseiller, client_for):
    response = client_for(conseiller).get(reverse(URL), {"du": "demain"})
    assert "Saisissez une date valide." in response.content.decode()


@pytest.mark.parametrize("role", ["conseiller", "coordinateur"])
def test_the_query_count_stays_flat_as_rows_grow(
    role, users, client_for, django_assert_max_num_queries
):
    user = users[role]
    client = client_for(user)
    lieu = LieuFactory()
    other = UserFactory(conseiller=True)

    def add(n):
        for i in range(n):
            people = [UsagerFactory(identified=True), UsagerFactory()] if i % 3 == 0 else None
            MediationFactory(
                conseiller=user if role == "conseiller" else other, lieu=lieu, usagers=people
            )

    add(5)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(URL))
    add(55)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(URL))
    assert len(_rows(response)) == 25


def _totals(client, params=None):
    """The totals block the list page asks for (htmx), as the fragment's context."""
    url = reverse("permanences:activity_totals")
    return client.get(url, params or {}, headers=HTMX).context["totals"]


def test_it_totals_what_the_filters_select(conseiller, client_for):
    lieu = LieuFactory()
    known = UsagerFactory(identified=True, last_name="Renaud")
    kept = UsagerFactory(identified=True)
    merged = UsagerFactory(identified=True, merged_into=kept)
    may = datetime.date(2024, 5, 10)
    MediationFactory(conseiller=conseiller, date=may, lieu=lieu, usagers=[known])
    MediationFactory(conseiller=conseiller, date=may, lieu=lieu, duree_minutes=45)
    MediationFactory(
        conseiller=conseiller,
        date=may,
        lieu=lieu,
        type_activite=TypeActivite.COLLECTIF,
        duree_minutes=120,
        usagers=[known, kept, merged, UsagerFactory()],
    )
    MediationFactory(conseiller=conseiller, date=datetime.date(2024, 4, 1), lieu=lieu)
    MediationFactory(date=may, lieu=lieu)  # another conseiller's: not in "Mon activité"
    client = client_for(conseiller)

    may_only = {"du": "2024-05-01", "au": "2024-05-31"}
    # 3 activities; 6 people helped (one médiation each); Renaud twice, the merged record as
    # the one kept, and each anonymous usager as a person: 4 people; 30 + 45 + 120 minutes.
    assert _totals(client, may_only) == {
        "activites": 3,
        "mediations": 6,
        "personnes": 4,
        "heures": "3 h 15",
    }
    fragment = client.get(reverse("permanences:activity_totals"), may_only, headers=HTMX)
    fragment = fragment.content.decode()
    assert "<strong>6</strong> médiations" in fragment
    assert "<strong>3 h 15</strong> d'activité" in fragment
    assert "Pour les filtres choisis" in fragment
    assert _totals(client, {"usager": "renaud"})["activites"] == 2
    assert _totals(client, {"du": "2030-01-01"}) == {
        "activites": 0,
        "mediations": 0,
        "personnes": 0,
        "heures": "0 h",
    }


def test_the_list_asks_for_its_totals_with_its_filters(conseiller, client_for):
    """The list is shown at once; its totals (every activity the filters select) come in a
    request of their own, with the same filters, or inline without JavaScript."""
    MediationFactory(conseiller=conseiller, duree_minutes=50)
    client = client_for(conseiller)
    response = client.get(reverse(URL), {"type_activite": TypeActivite.INDIVIDUEL, "page": 1})
    assert response.context["totals"] is None
    page = response.content.decode()
    totals_url = reverse("permanences:activity_totals") + "?type_activite=individuel"
    assert f'hx-get="{totals_url}"' in page
    assert 'href="?type_activite=individuel&amp;totaux=1">Afficher les totaux</a>' in page
    inline = client.get(reverse(URL), {"type_activite": TypeActivite.INDIVIDUEL, "totaux": 1})
    assert inline.context["totals"]["heures"] == "0 h 50"
    assert "<strong>0 h 50</strong> d'activité" in inline.content.decode()
    # The fragment's address opened in a tab leads to that page.
    direct = client.get(reverse("permanences:activity_totals"), {"type_activite": "individuel"})
    assert direct.url == reverse(URL) + "?type_activite=individuel&totaux=1"


def test_the_totals_are_the_viewers_own(conseiller, users, client_for):
    MediationFactory(conseiller=conseiller)
    MediationFactory()
    assert _totals(client_for(conseiller))["activites"] == 1
    assert _totals(client_for(users["coordinateur"]))["activites"] == 2
    assert (
        client_for(users["technicien"])
        .get(reverse("permanences:activity_totals"), headers=HTMX)
        .status_code
        == 403
    )


@pytest.mark.parametrize("role", ["conseiller", "coordinateur"])
def test_the_totals_keep_the_query_count_flat(
    role, users, client_for, django_assert_max_num_queries
):
    user = users[role]
    client = client_for(user)
    lieu = LieuFactory()

    def add(n):
        for i in range(n):
            people = [UsagerFactory(identified=True), UsagerFactory()] if i % 3 == 0 else None
            MediationFactory(conseiller=user, lieu=lieu, usagers=people)

    add(3)
    with django_assert_max_num_queries(14) as few:
        assert _totals(client, {"lieu": lieu.pk})["activites"] == 3
    add(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _totals(client, {"lieu": lieu.pk})["activites"] == 43
