"""GET /api/v1/activites: our médiations in La Coop's JSON:API shape, behind the statistics token."""

import datetime
import uuid

import jsonschema
import pytest
from django.urls import reverse

from permanences.coop.client import CoopClient
from permanences.enums import TypeActivite, TypeLieu
from permanences.models import Mediation
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import ApiToken
from tests.factories import UsagerFactory
from tests.permanences.coop_standin import check as check_coop_shape
from tests.permanences.factories import MediationFactory

URL = reverse("reporting_api:activites")
T0 = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)


def _get(client, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(URL, params, headers=headers)


@pytest.fixture
def token(users):
    return ApiToken.issue(users[Role.COORDINATEUR])


@pytest.fixture
def mediations(db):
    """Five activities modified an hour apart (the newest last)."""
    made = [
        MediationFactory(duree_minutes=30),
        MediationFactory(
            type_activite=TypeActivite.COLLECTIF,
            titre_atelier="Découvrir l’e-mail",
            niveau_atelier="debutant",
            usagers=[UsagerFactory() for _ in range(3)],
        ),
        MediationFactory(coop_id=str(uuid.uuid4()), type_lieu=TypeLieu.A_DISTANCE, lieu=None),
        MediationFactory(
            thematiques=["aide_aux_demarches_administratives"],
            thematiques_demarche=["logement"],
            nom_demarche="Demande de logement social",
        ),
        MediationFactory(redirige=True, structure_redirection="administration"),
    ]
    for hours, mediation in enumerate(made):
        Mediation.objects.filter(pk=mediation.pk).update(
            updated_at=T0 + datetime.timedelta(hours=hours)
        )
    return made


def test_it_needs_a_token(client, db):
    response = _get(client)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "jeton" in response.json()["erreur"]


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.TECHNICIEN, Role.PRESCRIPTEUR])
def test_it_is_forbidden_to_other_roles(role, client, users):
    response = _get(client, ApiToken.issue(users[role]))
    assert response.status_code == 403 and "activités" in response.json()["erreur"]


def test_it_answers_in_the_coops_shape(client, token, mediations):
    payload = _get(client, token).json()
    check_coop_shape("/activites", payload)  # La Coop's own schemas
    assert [a["attributes"]["modification"] for a in payload["data"]] == [
        f"2026-11-10T{h:02d}:00:00Z" for h in (13, 12, 11, 10, 9)
    ]
    by_duree = {a["attributes"]["accompagnements"] for a in payload["data"]}
    assert by_duree == {1, 3}
    workshop = next(a for a in payload["data"] if a["attributes"]["type"] == "collectif")
    assert workshop["attributes"]["niveau_atelier"] == "debutant"
    assert workshop["attributes"]["accompagnements"] == 3
    demarche = next(
        a for a in payload["data"] if a["attributes"]["type"] == "demarche_administrative"
    )
    assert demarche["attributes"]["thematiques"] == ["logement"]
    assert payload["meta"] == {
        "total_count": 5,
        "items_per_page": 500,
        "total_pages": 1,
        "has_next_page": False,
        "has_prev_page": False,
    }


def test_it_matches_its_own_openapi_description(client, token, mediations):
    doc = client.get(reverse("reporting_api:openapi")).json()
    operation = doc["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "page[size]",
        "page[after]",
        "page[before]",
        "filter[creation][depuis]",
        "filter[modification][depuis]",
    }
    schema = {"$ref": "#/components/schemas/Activites", "components": doc["components"]}
    jsonschema.Draft202012Validator(schema).validate(
        _get(client, token, **{"page[size]": 2}).json()
    )


def test_an_activity_from_the_coop_keeps_its_id_and_ours_are_stable(client, token, mediations):
    first = {a["id"] for a in _get(client, token).json()["data"]}
    assert mediations[2].coop_id in first
    assert {a["id"] for a in _get(client, token).json()["data"]} == first


def test_it_pages_by_cursor_both_ways(client, token, mediations):
    seen, pages, url = [], [], None
    response = _get(client, token, **{"page[size]": 2})
    while True:
        payload = response.json()
        pages.append(payload)
        seen += [a["id"] for a in payload["data"]]
        url = payload["links"].get("next")
        if not url:
            break
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert [len(p["data"]) for p in pages] == [2, 2, 1]
    assert len(seen) == len(set(seen)) == 5
    assert pages[1]["meta"]["has_prev_page"] and pages[1]["meta"]["has_next_page"]
    back = client.get(pages[1]["links"]["prev"], headers={"Authorization": f"Bearer {token}"})
    assert [a["id"] for a in back.json()["data"]] == seen[:2]


def test_it_filters_by_modification_and_creation(client, token, mediations):
    since = _get(client, token, **{"filter[modification][depuis]": "2026-11-10T11:00:00Z"})
    assert since.json()["meta"]["total_count"] == 3
    later = _get(client, token, **{"filter[creation][depuis]": "2999-01-01T00:00:00Z"})
    assert later.json()["data"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"page[size]": "0"},
        {"page[size]": "501"},
        {"page[after]": "pas-un-curseur"},
        {"filter[modification][depuis]": "hier"},
    ],
)
def test_bad_parameters_are_explained(params, client, token, db):
    response = _get(client, token, **params)
    assert response.status_code == 400
    assert (
        "paramètre" in response.json()["erreur"].lower() or "curseur" in response.json()["erreur"]
    )


def test_nobody_helped_is_named(client, token, db):
    MediationFactory(usagers=[UsagerFactory(identified=True, first_name="Josiane")])
    assert "Josiane" not in _get(client, token).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_tool_that_reads_la_coop_reads_us(live_server, users):
    """Our own client of La Coop's API, pointed at this API, reads every page."""
    for hours in range(3):
        mediation = MediationFactory()
        Mediation.objects.filter(pk=mediation.pk).update(
            updated_at=T0 + datetime.timedelta(hours=hours)
        )
    reader = CoopClient(f"{live_server.url}/api/v1", ApiToken.issue(users[Role.ADMIN]))
    first = reader.activites(size=2)
    second = reader.activites(size=2, after=first.next_cursor)
    assert len(first.data) == 2 and len(second.data) == 1 and second.next_cursor == ""
