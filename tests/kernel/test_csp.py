"""Every response carries a Content-Security-Policy that runs and styles only the site's own files,
and lets map tiles come from the configured tile server only."""

import pytest
from django.urls import reverse

from poitiers_inclusion.env import ConfigurationError, source_of_url
from tests.kernel.test_settings import PRODUCTION_KEY, _load_settings

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize(
    "path",
    [
        "/reseau/carte/",  # public, with a map
        "/connexion/",
        "/page-qui-n-existe-pas/",
        "/api/v1/lieux.json",
    ],
)
def test_it_sends_the_policy_on_public_responses(client, path):
    policy = _policy(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_it_sends_the_policy_to_signed_in_people(client_for, users):
    response = client_for(users["coordinateur"]).get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.parametrize(
    "url,source",
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        (
            "https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png",
            "https://*.tile.openstreetmap.fr",
        ),
        (
            "http://tuiles.poitiers.example:8080/{z}/{x}/{y}.png",
            "http://tuiles.poitiers.example:8080",
        ),
        ("https://wxs.ign.fr/cle/geoportail/wmts?TILEMATRIX={z}", "https://wxs.ign.fr"),
    ],
)
def test_the_tile_server_is_allowed_by_its_origin(url, source):
    assert source_of_url("MAP_TILE_URL", url) == source


@pytest.mark.parametrize(
    "url",
    [
        "tile.openstreetmap.org/{z}/{x}/{y}.png",
        "javascript:alert(1)",
        "https://tuiles-{s}.example/",
    ],
)
def test_a_tile_url_that_cannot_be_allowed_is_refused_at_start(url):
    with pytest.raises(ConfigurationError, match="MAP_TILE_URL"):
        source_of_url("MAP_TILE_URL", url)


def test_a_tile_url_that_cannot_be_allowed_stops_the_start():
    result = _load_settings(
        {
            "DATABASE_URL": "postgres://u:p@localhost:5432/x",
            "SECRET_KEY": PRODUCTION_KEY,
            "MAP_TILE_URL": "tile.openstreetmap.org/{z}/{x}/{y}.png",
        }
    )
    assert result.returncode != 0
    assert "MAP_TILE_URL" in result.stderr and "adresse http(s) complète" in result.stderr
