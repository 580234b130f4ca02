"""The orientation form offers first the structures that declare the need chosen: with htmx
when the need changes, with a button (and the address) without JavaScript."""

import re
from html import unescape

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from reseau.enums import PreferenceContact, Service
from reseau.models import Orientation

from ..factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(make_user, client_for):
    ccas = StructureFactory(nom="CCAS", services=[Service.DEMARCHES])
    return {
        "mission_locale": StructureFactory(nom="Mission locale", services=[Service.INSERTION_PRO]),
        "cyber": StructureFactory(
            nom="Cyber-base", services=[Service.INSERTION_PRO, Service.LOISIRS]
        ),
        "caf": StructureFactory(nom="CAF", services=[Service.DEMARCHES]),
        "sender": client_for(make_user(Role.PRESCRIPTEUR, structure=ccas)),
    }


def _destination_groups(html: str) -> list[tuple[str, list[str]]]:
    """The groups of the destination list, in order, with the structures' names in each."""
    select = re.search(
        r'<select name="structure_destination".*?</select>', html, flags=re.DOTALL
    ).group(0)
    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, flags=re.DOTALL)
    return [
        (unescape(label), [unescape(n) for n in re.findall(r">([^<]+)</option>", body)])
        for label, body in groups
    ]


def test_the_structures_offering_the_need_come_first(network):
    url = reverse("reseau:orientation_create")
    response = network["sender"].get(url, {"besoin": Service.INSERTION_PRO})
    assert _destination_groups(response.content.decode()) == [
        (f"Proposent « {Service.INSERTION_PRO.label} »", ["Cyber-base", "Mission locale"]),
        ("Autres structures", ["CAF"]),
    ]
    assert "2 structures proposent ce service" in unescape(response.content.decode())


def test_htmx_gets_the_sorted_list_alone_keeping_the_structure_chosen(network):
    response = network["sender"].get(
        reverse("reseau:orientation_create"),
        {"besoin": Service.DEMARCHES, "structure_destination": network["cyber"].pk},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<form" not in html
    assert html.strip().startswith('<div id="div_id_structure_destination"')
    assert _destination_groups(html)[0] == (f"Proposent « {Service.DEMARCHES.label} »", ["CAF"])
    assert f'<option value="{network["cyber"].pk}" selected>' in html


def test_without_javascript_the_button_sorts_the_list_keeping_what_was_typed(network):
    response = network["sender"].post(
        reverse("reseau:orientation_create"),
        {
            "besoin": Service.INSERTION_PRO,
            "prenom": "Jeanne",
            "nom": "Orientée",
            "telephone": "0600000000",
            "preference_contact": PreferenceContact.TELEPHONE,
            "situation": "Cherche un accompagnement pour son CV.",
            "mettre_a_jour_liste": "1",
        },
    )
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert not Orientation.objects.exists()
    assert _destination_groups(html)[0][1] == ["Cyber-base", "Mission locale"]
    for typed in ('value="Jeanne"', 'value="Orientée"', "Cherche un accompagnement pour son CV."):
        assert typed in html
    # Not sent yet: no error is shown for what is still to fill in.
    assert "is-invalid" not in html


def test_a_need_no_structure_declares_lists_them_all(network):
    response = network["sender"].get(
        reverse("reseau:orientation_create"), {"besoin": Service.PARENTALITE}
    )
    html = unescape(response.content.decode())
    assert _destination_groups(html) == []
    assert "Aucune structure ne déclare proposer ce service" in html
    for name in ("CAF", "Cyber-base", "Mission locale"):
        assert f">{name}</option>" in html


def test_the_sorted_list_still_refuses_a_structure_outside_the_list(network):
    data = {
        "besoin": Service.INSERTION_PRO,
        "structure_destination": StructureFactory(archived_at="2026-01-01T00:00Z").pk,
        "prenom": "Jeanne",
        "nom": "Orientée",
        "telephone": "0600000000",
        "preference_contact": PreferenceContact.TELEPHONE,
        "situation": "CV",
        "consentement": "on",
    }
    response = network["sender"].post(reverse("reseau:orientation_create"), data)
    assert response.status_code == 200
    assert not Orientation.objects.exists()
