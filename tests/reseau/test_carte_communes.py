"""The public map of a national programme: one commune at a time (its markers and its list),
the city's by default; a city's map shows every place, without a commune to choose."""

import json

import pytest
from django.urls import reverse

from reseau import communes

from ..factories import LieuFactory, QuartierFactory

pytestmark = pytest.mark.django_db

CARTE = reverse("reseau:carte")


def _places():
    here = QuartierFactory(nom="Trois-Cités", commune="Poitiers")
    there = QuartierFactory(nom="Clou-Bouchet", commune="Niort")
    LieuFactory(nom="Médiathèque des Trois-Cités", commune="Poitiers", quartier=here)
    LieuFactory(nom="Centre social du Clou-Bouchet", commune="Niort", quartier=there)


def _markers(response) -> list[str]:
    html = response.content.decode()
    start = html.index('id="carte-donnees"')
    data = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return sorted(m["nom"] for m in json.loads(data)["markers"])


@pytest.fixture
def national(monkeypatch, settings):
    settings.CITY_NAME = "Poitiers"
    monkeypatch.setattr(communes, "WHOLE_PROGRAMME_UP_TO", 1)


def test_a_national_map_opens_on_the_citys_commune(client, national):
    _places()
    response = client.get(CARTE)
    html = response.content.decode()
    assert "Médiathèque des Trois-Cités" in html
    assert "Centre social du Clou-Bouchet" not in html
    assert _markers(response) == ["Médiathèque des Trois-Cités"]
    assert "aide au numérique à Poitiers" in html
    assert '<option value="Niort">Niort</option>' in html
    assert "Toutes les communes" not in html  # one at a time
    quartiers = response.context["filter"].form.fields["quartier"].queryset
    assert [q.nom for q in quartiers] == ["Trois-Cités"]


def test_the_resident_chooses_another_commune(client, national):
    _places()
    response = client.get(CARTE, {"commune": "Niort"})
    assert _markers(response) == ["Centre social du Clou-Bouchet"]
    assert "aide au numérique à Niort" in response.content.decode()
    unknown = client.get(CARTE, {"commune": "Atlantide"})
    assert _markers(unknown) == ["Médiathèque des Trois-Cités"]  # the default


def test_a_citys_map_shows_every_place(client):
    _places()
    response = client.get(CARTE)
    assert len(_markers(response)) == 2
    assert "Toutes les communes</option>" in response.content.decode()
