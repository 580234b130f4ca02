"""GET /api/v1/statistiques: bearer token, coordinateur and admin only, blocks from the registry."""

import datetime

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import ApiToken

URL = reverse("reporting_api:statistics")


@pytest.fixture
def blocks(registry):
    seen = []

    def mediations(scope):
        seen.append(scope)
        return {"total": 10, "individuels": 8, "collectifs": 2, "usagers_uniques": 6}

    registry.register_api_block("mediations", mediations)
    registry.register_api_block(
        "reseau", lambda scope: {"structures": 4, "contacts": 9, "reunions": 2}
    )
    return seen


def _get(client, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(URL, params, headers=headers)


def test_it_needs_a_token(client, blocks):
    response = _get(client)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "jeton" in response.json()["erreur"]


def test_it_refuses_an_unknown_token(client, blocks, db):
    assert _get(client, "faux-jeton").status_code == 401


def test_it_refuses_a_deactivated_account(client, blocks, users):
    user = users[Role.COORDINATEUR]
    token = ApiToken.issue(user)
    user.is_active = False
    user.save()
    assert _get(client, token).status_code == 401


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.TECHNICIEN, Role.PRESCRIPTEUR])
def test_it_is_forbidden_to_other_roles(role, client, blocks, users):
    assert _get(client, ApiToken.issue(users[role])).status_code == 403


@pytest.mark.parametrize("role", [Role.COORDINATEUR, Role.ADMIN])
def test_it_answers_the_coordinator_and_admin(role, client, blocks, users):
    response = _get(client, ApiToken.issue(users[role]))
    assert response.status_code == 200
    data = response.json()
    assert data["periode"] == {"du": None, "au": None}
    assert data["mediations"] == {
        "total": 10,
        "individuels": 8,
        "collectifs": 2,
        "usagers_uniques": 6,
    }
    assert data["reseau"] == {"structures": 4, "contacts": 9, "reunions": 2}
    assert blocks[-1].user == users[role]


def test_it_passes_the_inclusive_period_to_the_blocks(client, blocks, users):
    token = ApiToken.issue(users[Role.COORDINATEUR])
    data = _get(client, token, du="2022-01-01", au="2022-12-31").json()
    assert data["periode"] == {"du": "2022-01-01", "au": "2022-12-31"}
    assert (blocks[-1].start, blocks[-1].end) == (
        datetime.date(2022, 1, 1),
        datetime.date(2022, 12, 31),
    )


@pytest.mark.parametrize(
    "params",
    [
        {"du": "01/01/2022"},
        {"au": "2022-13-01"},
        {"du": "2022-1-1"},
        {"du": "2023-01-01", "au": "2022-01-01"},
    ],
)
def test_it_rejects_bad_dates_in_french(params, client, blocks, users):
    response = _get(client, ApiToken.issue(users[Role.COORDINATEUR]), **params)
    assert response.status_code == 400
    assert "date" in response.json()["erreur"]


def test_it_refuses_other_methods(client, blocks, users):
    token = ApiToken.issue(users[Role.COORDINATEUR])
    assert client.post(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 405


def test_the_openapi_description_names_the_keys(client):
    response = client.get(reverse("reporting_api:openapi"))
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    operation = doc["paths"]["/api/v1/statistiques"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"du", "au"}
    assert set(operation["responses"]) == {"200", "400", "401", "403"}
    schema = doc["components"]["schemas"]["Statistiques"]["properties"]
    assert set(schema["mediations"]["required"]) == {
        "total",
        "individuels",
        "collectifs",
        "usagers_uniques",
    }
    assert set(schema["reseau"]["required"]) == {"structures", "contacts", "reunions"}
    assert doc["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
