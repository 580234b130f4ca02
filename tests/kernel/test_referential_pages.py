"""The admin and the coordinator manage structures, lieux and contacts in the app's own pages."""

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from reseau.models import Lieu, Structure
from tests.factories import ContactFactory, LieuFactory, QuartierFactory, StructureFactory


@pytest.fixture
def admin_client(users, client_for):
    return client_for(users[Role.ADMIN])


def test_it_lists_structures_with_search_and_filters(admin_client):
    StructureFactory(nom="CCAS de Poitiers", typologies=["CCAS"])
    StructureFactory(nom="Médiathèque", typologies=["BIB"])
    html = admin_client.get(reverse("reseau:structure_list"), {"q": "ccas"}).content.decode()
    assert "CCAS de Poitiers" in html and "Médiathèque" not in html
    html = admin_client.get(reverse("reseau:structure_list"), {"typologie": "BIB"}).content.decode()
    assert "Médiathèque" in html and "CCAS de Poitiers" not in html


def test_the_list_of_places_filters_as_the_public_map_does(admin_client, client):
    LieuFactory(nom="Espace Seniors", publics_specifiquement_adresses=["Seniors"])
    LieuFactory(nom="Point Jeunes", publics_specifiquement_adresses=["Jeunes"])
    for page in (
        admin_client.get(reverse("reseau:lieu_list"), {"public": "Seniors"}),
        client.get(reverse("reseau:carte"), {"public": "Seniors"}),
    ):
        html = page.content.decode()
        assert "Espace Seniors" in html and "Point Jeunes" not in html


def test_structure_list_query_count_is_flat(admin_client, django_assert_max_num_queries):
    quartiers = QuartierFactory.create_batch(3)
    for _ in range(30):
        StructureFactory().quartiers.set(quartiers)
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("reseau:structure_list"))


def test_it_creates_a_lieu_and_records_it(admin_client):
    structure = StructureFactory()
    quartier = QuartierFactory()
    response = admin_client.post(
        reverse("reseau:lieu_create"),
        {
            "nom": "Épicerie solidaire",
            "structure": structure.pk,
            "pivot": "21860194000013",
            "adresse": "8 rue de Nimègue",
            "code_postal": "86000",
            "commune": "Poitiers",
            "code_insee": "86194",
            "quartier": quartier.pk,
            "services": ["Aide aux démarches administratives"],
            "courriels": "a@b.fr, c@d.fr",
            "connexion_solidaire": "on",
            "date_maj": "2024-05-02",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lieu = Lieu.objects.get(nom="Épicerie solidaire")
    assert lieu.courriels == ["a@b.fr", "c@d.fr"]
    assert lieu.services == ["Aide aux démarches administratives"]
    assert lieu.connexion_solidaire
    assert AuditEvent.objects.filter(action="reseau.lieu.created", target_id=str(lieu.pk)).exists()


def test_bad_lieu_input_is_explained_next_to_the_field_and_kept(admin_client):
    response = admin_client.post(
        reverse("reseau:lieu_create"),
        {
            "nom": "Maison de quartier",
            "pivot": "12",
            "adresse": "1 rue A",
            "code_postal": "8600",
            "commune": "Poitiers",
            "latitude": "46.5",
            "date_maj": "2024-05-02",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le code postal compte 5 chiffres." in html
    assert "SIRET" in html
    assert "Renseignez la latitude et la longitude ensemble." in html
    assert 'value="Maison de quartier"' in html and 'value="8600"' in html
    assert not Lieu.objects.exists()


def test_it_archives_and_restores_a_structure(admin_client):
    structure = StructureFactory(nom="Ancienne association")
    admin_client.post(reverse("reseau:structure_archive", args=[structure.pk]))
    structure.refresh_from_db()
    assert structure.is_archived
    link = reverse("reseau:structure_edit", args=[structure.pk])
    listing = admin_client.get(reverse("reseau:structure_list")).content.decode()
    assert link not in listing
    archived = admin_client.get(
        reverse("reseau:structure_list"), {"etat": "archives"}
    ).content.decode()
    assert link in archived
    admin_client.post(reverse("reseau:structure_archive", args=[structure.pk]))
    structure.refresh_from_db()
    assert not structure.is_archived


def test_archive_needs_post(admin_client):
    """A GET (a link followed, a prefetch) only asks for confirmation: it never archives."""
    lieu = LieuFactory()
    response = admin_client.get(reverse("reseau:lieu_archive", args=[lieu.pk]))
    assert response.status_code == 200 and "Archiver" in response.content.decode()
    lieu.refresh_from_db()
    assert not lieu.is_archived


def test_the_coordinator_edits_a_contact(users, client_for):
    contact = ContactFactory(prenom="Claire")
    response = client_for(users[Role.COORDINATEUR]).post(
        reverse("reseau:contact_edit", args=[contact.pk]),
        {
            "structure": contact.structure.pk,
            "prenom": "Claire",
            "nom": "Roux",
            "courriel": "c@r.fr",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.nom == "Roux"
    event = AuditEvent.objects.get(action="reseau.contact.updated")
    assert set(event.changes["fields"]) == {"nom", "courriel"}


def test_a_conseiller_cannot_manage_the_referential(users, client_for):
    client = client_for(users[Role.CONSEILLER])
    structure = StructureFactory()
    response = client.post(reverse("reseau:structure_edit", args=[structure.pk]), {"nom": "Piraté"})
    assert response.status_code == 403
    assert Structure.objects.get(pk=structure.pk).nom != "Piraté"


def test_forms_explain_the_asterisk_of_required_fields(users, client_for):
    html = client_for(users["coordinateur"]).get(reverse("reseau:lieu_create")).content.decode()
    assert "Les champs marqués d’un astérisque (*) sont obligatoires." in html
    assert 'class="asteriskField"' in html


def test_residents_find_help_the_map_and_the_sign_in_from_every_public_page(db, client):
    for url in (reverse("permanences:public_schedule"), reverse("reseau:carte"), reverse("login")):
        html = client.get(url).content.decode()
        for target in ("permanences:public_schedule", "reseau:carte", "login"):
            assert f'href="{reverse(target)}"' in html, (url, target)
        assert f'href="{url}" aria-current="page"' in html


def test_only_the_closest_menu_entry_is_current(users, client_for):
    html = client_for(users["coordinateur"]).get(reverse("reseau:lieu_list")).content.decode()
    assert html.count('aria-current="page"') == 1
    assert f'href="{reverse("reseau:lieu_list")}" aria-current="page"' in html
