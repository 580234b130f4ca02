"""At national scale the réseau's forms offer thousands of structures and lieux, and the public
page lists thousands of lieux: each is written in one pass, not through a template per option or
per card, with what a person sees unchanged, the chosen values kept after an error and a value
outside the offered ones refused."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from reseau.enums import Service
from tests.factories import LieuFactory, QuartierFactory, StructureFactory

pytestmark = pytest.mark.django_db

FORMS = [
    "reseau:orientation_create",
    "reseau:reunion_create",
    "reseau:offre_create",
    "reseau:contact_create",
    "reseau:lieu_create",
]


@pytest.fixture
def coordinator(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def _templates(response) -> int:
    return len(response.templates)


@pytest.mark.parametrize("url_name", FORMS)
def test_a_form_renders_as_many_templates_with_many_choices_as_with_few(url_name, coordinator):
    for _n in range(2):
        LieuFactory(structure=StructureFactory())
    few = _templates(coordinator.get(reverse(url_name)))
    for _n in range(15):
        LieuFactory(structure=StructureFactory())
    assert _templates(coordinator.get(reverse(url_name))) == few


@pytest.mark.parametrize("url_name", FORMS)
def test_a_form_takes_as_many_queries_with_many_choices(
    url_name, coordinator, django_assert_max_num_queries
):
    for _n in range(2):
        LieuFactory(structure=StructureFactory())
    coordinator.get(reverse(url_name))  # the session, the menu's caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        coordinator.get(reverse(url_name))
    for _n in range(15):
        LieuFactory(structure=StructureFactory())
    with django_assert_max_num_queries(len(few)):
        coordinator.get(reverse(url_name))


def test_the_structures_keep_their_names_escaped_and_the_choice_after_an_error(coordinator):
    odd = StructureFactory(nom="Association <Les 4 vents> & co")
    other = StructureFactory(nom="CCAS")
    response = coordinator.post(
        reverse("reseau:orientation_create"),
        {"structure_origine": other.pk, "structure_destination": odd.pk, "besoin": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200  # in error: the person's details are missing
    assert f'<option value="{odd.pk}" selected>Association &lt;Les 4 vents&gt; &amp; co' in html
    assert f'<option value="{other.pk}" selected>CCAS</option>' in html
    assert re.search(r'<label\s+for="id_structure_destination"', html)


def test_the_structures_offering_the_need_come_first_in_a_group(coordinator):
    helping = StructureFactory(nom="Zèbre numérique", services=[Service.DEMARCHES.value])
    other = StructureFactory(nom="Atelier vélo", services=[])
    response = coordinator.get(
        reverse("reseau:orientation_create"), {"besoin": Service.DEMARCHES.value}
    )
    html = response.content.decode()
    group = f'<optgroup label="Proposent « {Service.DEMARCHES.label} »">'
    assert group in html
    first, rest = html.split(group, 1)[1].split('<optgroup label="Autres structures">', 1)
    assert f'value="{helping.pk}"' in first and f'value="{other.pk}"' in rest


def test_an_archived_structure_is_refused_as_destination(coordinator):
    origin = StructureFactory()
    archived = StructureFactory(nom="Fermée", archived_at=timezone.now())
    response = coordinator.post(
        reverse("reseau:orientation_create"),
        {"structure_origine": origin.pk, "structure_destination": archived.pk},
    )
    form = response.context["form"]
    assert "structure_destination" in form.errors
    assert f'value="{archived.pk}"' not in response.content.decode()


def test_a_prescripteur_cannot_choose_their_own_structure_as_destination(make_user, client_for):
    own = StructureFactory(nom="Ma structure")
    prescripteur = client_for(make_user(Role.PRESCRIPTEUR, structure=own))
    html = prescripteur.get(reverse("reseau:orientation_create")).content.decode()
    assert f'value="{own.pk}"' not in html
    assert 'name="structure_origine"' not in html


def test_a_meeting_place_is_chosen_among_the_active_lieux(coordinator):
    lieu = LieuFactory(nom="Maison de quartier")
    archived = LieuFactory(nom="Ancienne annexe", archived=True)
    html = coordinator.get(reverse("reseau:reunion_create")).content.decode()
    assert f'<option value="{lieu.pk}">Maison de quartier</option>' in html
    assert f'value="{archived.pk}"' not in html
    response = coordinator.post(reverse("reseau:reunion_create"), {"lieu": archived.pk})
    assert "lieu" in response.context["form"].errors


def test_the_offer_s_structures_are_checkboxes_named_by_a_legend_and_kept_after_an_error(
    coordinator,
):
    chosen, left = StructureFactory(nom="CCAS <Nord>"), StructureFactory(nom="Espace Sud")
    response = coordinator.post(
        reverse("reseau:offre_create"), {"offre": "", "structures": [chosen.pk]}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "offre" in response.context["form"].errors
    assert "<legend" in html and "Structures" in html.split("<legend", 1)[1][:200]
    box = f'name="structures" value="{chosen.pk}" id="id_structures_0" checked>'
    assert box in html
    assert '<label for="id_structures_0" class="form-check-label">CCAS &lt;Nord&gt;</label>' in html
    assert f'value="{left.pk}" id="id_structures_1">' in html


def test_an_archived_structure_is_refused_for_an_offer(coordinator):
    archived = StructureFactory(archived_at=timezone.now())
    response = coordinator.post(reverse("reseau:offre_create"), {"structures": [archived.pk]})
    assert "structures" in response.context["form"].errors


# --- The public page ---------------------------------------------------------------------------


def test_the_public_page_renders_as_many_templates_with_many_lieux(client):
    LieuFactory()
    few = _templates(client.get(reverse("reseau:carte")))
    LieuFactory.create_batch(12)
    assert _templates(client.get(reverse("reseau:carte"))) == few


def test_a_card_shows_what_the_template_showed(client):
    quartier = QuartierFactory(nom="Trois-Cités")
    lieu = LieuFactory(
        nom="Médiathèque <Sud> & co",
        adresse="1 rue A",
        complement_adresse="Bâtiment B",
        code_postal="86000",
        commune="Poitiers",
        quartier=quartier,
        telephone="+33549410000",
        horaires="Mo 09:00-12:00",
        services=[Service.DEMARCHES.value],
        publics_specifiquement_adresses=["Seniors"],
        connexion_solidaire=True,
        frais_a_charge=["Gratuit"],
        accessibilite="https://acceslibre.example/lieu",
    )
    bare = LieuFactory(nom="Sans rien", telephone="", horaires="", services=[], quartier=None)
    html = client.get(reverse("reseau:carte")).content.decode()
    card = html.split(f'<li class="card mb-2" id="lieu-{lieu.pk}">', 1)[1].split("</div></li>", 1)[
        0
    ]
    assert '<h3 class="h5">Médiathèque &lt;Sud&gt; &amp; co</h3>' in card
    assert "1 rue A, Bâtiment B, 86000 Poitiers — quartier Trois-Cités" in card
    assert '<a href="tel:+33549410000">05 49 41 00 00</a>' in card
    assert '<span class="text-capitalize">lundi</span> : 9 h – 12 h' in card
    assert f"<strong>Services :</strong> {Service.DEMARCHES.value}" in card
    assert "<strong>Publics :</strong> Seniors" in card
    assert "Wi-Fi gratuit · Gratuit · https://acceslibre.example/lieu" in card
    other = html.split(f'id="lieu-{bare.pk}">', 1)[1].split("</div></li>", 1)[0]
    assert "Horaires non renseignés" in other and "Téléphone" not in other
    assert "quartier" not in other and "Services" not in other


def test_the_public_page_says_when_no_lieu_matches(client):
    LieuFactory(services=[Service.DEMARCHES.value])
    response = client.get(reverse("reseau:carte"), {"q": "introuvable"})
    assert "Aucun lieu ne correspond à ces critères." in response.content.decode()
