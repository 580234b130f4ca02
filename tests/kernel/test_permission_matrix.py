"""Role x URL matrix built from the URLconf: every named URL declares who may open it.

A new view that declares nothing fails here; a role outside the declared ones must get a 403,
an anonymous visitor the login page; public pages open to all. Objects are given ids that do
not exist, so an allowed role gets past the role check and ends on a 404, never a 403.
"""

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from tests.routes import ROUTES
from tests.routes import access as _access
from tests.routes import sample_kwargs as _sample_kwargs


def _request(client, url):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def test_every_named_url_declares_its_access():
    undeclared = [name for name, pattern in ROUTES if _access(pattern.callback) is None]
    assert undeclared == [], f"Ces vues ne déclarent ni rôles ni accès public : {undeclared}"


@pytest.mark.parametrize("name,pattern", ROUTES, ids=[name for name, _ in ROUTES])
def test_role_matrix(name, pattern, client, users, client_for):
    access = _access(pattern.callback)
    url = reverse(name, kwargs=_sample_kwargs(pattern))

    anonymous = _request(client, url)
    if access == "public":
        assert anonymous.status_code in (200, 302, 404), (url, anonymous.status_code)
        return
    if access == "api":
        assert anonymous.status_code == 401, (url, anonymous.status_code)
        return
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"], url

    for role in Role.values:
        response = _request(client_for(users[role]), url)
        if role in access:
            assert response.status_code not in (401, 403, 500), (url, role, response.status_code)
        else:
            assert response.status_code == 403, (url, role, response.status_code)
            assert "Accès refusé" in response.content.decode()


def test_inactive_account_is_refused(make_user, client_for):
    user = make_user(Role.COORDINATEUR)
    client = client_for(user)
    user.is_active = False
    user.save()
    response = client.get(reverse("reseau:structure_list"))
    assert response.status_code in (302, 403)


def test_django_admin_needs_staff(users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get("/django-admin/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_every_page_is_french_with_a_unique_title(users, client_for, client):
    """RGAA: each page has lang="fr" and a title of its own (pages without parameters, GET)."""
    import re

    titles = {}
    for name, pattern in ROUTES:
        if pattern.pattern.converters:
            continue
        access = _access(pattern.callback)
        if access == "api":
            continue
        viewer = client if access == "public" else client_for(users[sorted(access)[0]])
        response = viewer.get(reverse(name))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert '<html lang="fr"' in html, name
        assert "---------" not in html, f"{name} : choix vide non traduit"
        # Every field is as large as the others (44-px touch targets come with these classes).
        for tag in re.findall(r"<select\b[^>]*>", html):
            assert "form-select" in tag, (name, tag)
        for tag in re.findall(r"<input\b[^>]*>", html):
            kind = re.search(r'type="([a-z]+)"', tag)
            if kind and kind.group(1) in ("hidden", "checkbox", "radio", "submit", "file"):
                continue
            assert "form-control" in tag, (name, tag)
        match = re.search(r"<title>(.*?)</title>", html, re.S)
        assert match and match.group(1).strip(), f"{name} n'a pas de titre"
        titles.setdefault(" ".join(match.group(1).split()), []).append(name)
    duplicates = {title: names for title, names in titles.items() if len(names) > 1}
    assert duplicates == {}
