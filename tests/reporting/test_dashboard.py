"""The dashboard composes the registered sections, in order, for the filters in the URL."""

import datetime

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from tests.factories import LieuFactory, QuartierFactory

URL = reverse("reporting:dashboard")


def test_it_shows_registered_sections_in_order(fake_sections, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Activité") < html.index("Réseau")
    assert "Médiations par lieu" in html and "Réunions" in html


def test_it_shows_each_chart_with_its_numbers_in_a_table(fake_sections, users, client_for):
    html = client_for(users[Role.COORDINATEUR]).get(URL).content.decode()
    assert html.count('role="img"') == 3  # bar, stacked, line
    assert '<th scope="row">Médiathèque</th>' in html
    assert 'aria-label="Graphique : Médiations par lieu.' in html


def test_it_says_so_when_no_module_gives_figures(registry, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(URL)
    assert "Aucun module ne fournit encore de chiffres." in response.content.decode()


def test_it_turns_the_url_filters_into_the_scope(fake_sections, users, client_for, make_user):
    lieu = LieuFactory()
    quartier = QuartierFactory()
    conseiller = make_user(Role.CONSEILLER)
    coordinator = users[Role.COORDINATEUR]
    query = {
        "du": "2025-01-01",
        "au": "2025-03-31",
        "lieu": lieu.pk,
        "quartier": quartier.pk,
        "conseiller": conseiller.pk,
        "type": "collectif",
        "thematique": "email",
    }
    client_for(coordinator).get(URL, query)
    scope = fake_sections.scopes[-1]
    assert scope.user == coordinator
    assert (scope.start, scope.end) == (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    assert scope.lieux == (lieu.pk,)
    assert scope.quartiers == (quartier.pk,)
    assert scope.conseillers == (conseiller.pk,)
    assert scope.chosen("type") == ("collectif",)
    assert scope.chosen("thematique") == ("email",)


def test_it_keeps_the_filters_in_the_export_links(fake_sections, users, client_for):
    html = client_for(users[Role.COORDINATEUR]).get(URL, {"du": "2025-01-01"}).content.decode()
    assert "/pilotage/export.xlsx?du=2025-01-01" in html
    assert "/pilotage/export/activite/par_lieu.csv?du=2025-01-01" in html


def test_it_reports_a_bad_date_in_french_and_ignores_it(fake_sections, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(
        URL, {"du": "32/13/2025", "type": "collectif"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une date valide" in html
    assert 'value="32/13/2025"' in html  # what was typed is kept
    scope = fake_sections.scopes[-1]
    assert scope.start is None and scope.chosen("type") == ("collectif",)


def test_it_refuses_a_period_that_ends_before_it_starts(fake_sections, users, client_for):
    html = (
        client_for(users[Role.COORDINATEUR])
        .get(URL, {"du": "2025-03-01", "au": "2025-01-01"})
        .content.decode()
    )
    assert "La date de début doit précéder la date de fin." in html


def test_a_conseiller_sees_the_page_built_for_themself(fake_sections, users, client_for):
    conseiller = users[Role.CONSEILLER]
    html = client_for(conseiller).get(URL).content.decode()
    assert fake_sections.scopes[-1].user == conseiller
    assert "Votre propre activité." in html
    assert 'name="conseiller"' not in html  # no choosing another conseiller


def test_a_conseiller_cannot_widen_the_scope_with_the_url(
    fake_sections, users, client_for, make_user
):
    other = make_user(Role.CONSEILLER)
    client_for(users[Role.CONSEILLER]).get(URL, {"conseiller": other.pk})
    assert fake_sections.scopes[-1].conseillers == ()


@pytest.mark.parametrize(
    "role", [Role.COORDINATEUR, Role.ADMIN, Role.CONSEILLER, Role.PRESCRIPTEUR]
)
def test_it_opens_to_the_roles_that_read_figures(role, fake_sections, users, client_for):
    assert client_for(users[role]).get(URL).status_code == 200


def test_it_is_closed_to_technicians(fake_sections, users, client_for):
    assert client_for(users[Role.TECHNICIEN]).get(URL).status_code == 403


def test_it_keeps_a_reasonable_query_count(
    fake_sections, users, client_for, django_assert_max_num_queries
):
    client = client_for(users[Role.COORDINATEUR])
    LieuFactory.create_batch(5)
    with django_assert_max_num_queries(12):
        client.get(URL)
