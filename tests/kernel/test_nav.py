"""The menu: a role sees exactly the entries whose page it may open, and each of them opens."""

import pytest
from django.urls import resolve, reverse

from poitiers_inclusion import nav
from poitiers_inclusion.enums import Role
from tests.routes import access


def _menu(client) -> dict[str, str]:
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    return {item["url"]: item["label"] for item in response.context["nav_items"]}


def _may_open(role, url_name) -> bool:
    declared = access(resolve(reverse(url_name)).func)
    return declared == "public" or role in declared


@pytest.mark.parametrize("role", Role.values)
def test_it_shows_each_role_every_entry_it_may_open_and_each_opens(role, users, client_for):
    client = client_for(users[role])
    shown = _menu(client)
    expected = {
        reverse(item.url_name) for item in nav.registered() if _may_open(role, item.url_name)
    }
    assert set(shown) == expected
    for url, label in shown.items():
        assert client.get(url, follow=True).status_code == 200, (role, label, url)


def test_it_shows_the_admin_the_usagers_and_the_agenda_the_admin_may_open(users, client_for):
    labels = set(_menu(client_for(users[Role.ADMIN])).values())
    assert {"Usagers", "Agenda"} <= labels


def test_a_link_follows_the_roles_of_its_view(users, client_for):
    """The dashboard's printable report: for the roles the report's view declares."""
    for role in Role.values:
        response = client_for(users[role]).get(reverse("reporting:dashboard"))
        if response.status_code != 200:
            continue
        shown = "Rapport imprimable" in response.content.decode()
        assert shown == _may_open(role, "reporting:report"), role
