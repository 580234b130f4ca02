"""Which lieu a Coop import names: found by address and postcode as well as by name, a resemblance
proposed on the preview, and a lieu an import created kept off the public map and the national
exports until a coordinator confirms it or merges it into the lieu it duplicates."""

import io

import pytest
from django.urls import reverse

from permanences.coop import apply_import, read_workbook
from permanences.models import Mediation
from poitiers_inclusion.enums import Role
from reseau import data_inclusion, standard
from reseau.models import Lieu
from tests.factories import LieuFactory, UserFactory

from .factories_coop import coop_row, coop_workbook

pytestmark = pytest.mark.django_db

SEVRE = {
    "Nom du lieu": "Maison de quartier Sèvre",
    "Adresse": "26, r. Pierre-de-Coubertin",
    "Commune": "Poitiers",
    "Code postal": "86000",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def conseiller():
    return UserFactory(conseiller=True, first_name="Inès", last_name="Médiatrice")


def _import(rows, conseiller, **kwargs):
    parsed = read_workbook(io.BytesIO(coop_workbook(rows)))
    return apply_import(parsed=parsed, conseiller=conseiller, actor=None, **kwargs)


def test_an_import_finds_a_lieu_by_its_address_and_postcode(conseiller):
    seve = LieuFactory(nom="SEVE", adresse="26 rue Pierre de Coubertin", code_postal="86000")
    result = _import([coop_row(1, **SEVRE)], conseiller)
    assert result.lieux_created == 0
    assert Mediation.objects.get().lieu == seve
    assert Lieu.objects.count() == 1


def test_the_same_address_in_another_postcode_is_another_lieu(conseiller):
    LieuFactory(nom="SEVE", adresse="26 rue Pierre de Coubertin", code_postal="86180")
    assert _import([coop_row(1, **SEVRE)], conseiller).lieux_created == 1


def test_a_lieu_an_import_creates_is_published_only_once_confirmed(
    conseiller, client, client_for, users
):
    _import([coop_row(1, **{**SEVRE, "Nom du lieu": "Tiers-lieu Le Local"})], conseiller)
    created = Lieu.objects.get(nom="Tiers-lieu Le Local")
    assert created.awaiting_confirmation
    assert "Tiers-lieu Le Local" not in standard.csv_text()
    assert created not in data_inclusion.lieux()
    assert "Tiers-lieu Le Local" not in client.get(reverse("reseau:carte")).content.decode()
    assert "Tiers-lieu Le Local" not in client.get(reverse("reseau_api:lieux_csv")).content.decode()

    coordinator = client_for(users[Role.COORDINATEUR])
    page = coordinator.get(reverse("reseau:lieux_a_confirmer")).content.decode()
    assert "Tiers-lieu Le Local" in page
    coordinator.post(reverse("reseau:lieu_confirm", args=[created.pk]))
    created.refresh_from_db()
    assert not created.awaiting_confirmation
    assert "Tiers-lieu Le Local" in standard.csv_text()
    assert "Tiers-lieu Le Local" in client.get(reverse("reseau:carte")).content.decode()


def test_the_preview_proposes_a_resembling_lieu_and_the_coordinator_says_it_is_the_same(
    conseiller, client_for, users
):
    seve = LieuFactory(nom="SEVE", adresse="12 rue Pierre de Coubertin", code_postal="86000")
    coordinator = client_for(users[Role.COORDINATEUR])
    upload = io.BytesIO(coop_workbook([coop_row(1, **SEVRE)]))
    upload.name = "export.xlsx"
    coordinator.post(
        reverse("permanences:coop_import"), {"fichier": upload, "conseiller": conseiller.pk}
    )
    page = coordinator.get(reverse("permanences:coop_import_preview")).content.decode()
    assert "« Maison de quartier Sèvre » (26, r. Pierre-de-Coubertin, 86000) est « SEVE »" in page

    token = coordinator.session["coop_import"]["token"]
    coordinator.post(
        reverse("permanences:coop_import_confirm"),
        {"token": token, "choix": "tout", "meme_lieu": "0"},
    )
    assert Mediation.objects.get().lieu == seve
    assert Lieu.objects.count() == 1
    seve.refresh_from_db()
    assert seve.aliases == ["Maison de quartier Sèvre"]
    # The next file, with the name only, finds it too.
    _import([coop_row(2, **{**SEVRE, "Adresse": ""})], conseiller)
    assert Mediation.objects.filter(lieu=seve).count() == 2


def test_an_unconfirmed_resemblance_is_created_to_confirm_with_the_suggestion(conseiller):
    seve = LieuFactory(nom="SEVE", adresse="12 rue Pierre de Coubertin", code_postal="86000")
    _import([coop_row(1, **SEVRE)], conseiller)
    created = Lieu.objects.get(nom="Maison de quartier Sèvre")
    assert created.awaiting_confirmation and created.suggested_match == seve


def test_a_coordinator_merges_a_created_lieu_into_the_one_it_duplicates(
    conseiller, client_for, users
):
    seve = LieuFactory(nom="SEVE", adresse="12 rue Pierre de Coubertin", code_postal="86000")
    _import([coop_row(1, **SEVRE), coop_row(2, **SEVRE)], conseiller)
    created = Lieu.objects.get(nom="Maison de quartier Sèvre")
    coordinator = client_for(users[Role.COORDINATEUR])
    response = coordinator.post(
        reverse("reseau:lieu_merge", args=[created.pk]),
        {f"lieu-{created.pk}-into": seve.pk},
        follow=True,
    )
    assert "fusionné dans « SEVE » : 2 enregistrement(s)" in response.content.decode()
    assert not Lieu.objects.filter(pk=created.pk).exists()
    assert Mediation.objects.filter(lieu=seve).count() == 2
    _import([coop_row(3, **{**SEVRE, "Adresse": "ailleurs"})], conseiller)
    assert Mediation.objects.filter(lieu=seve).count() == 3  # known by its alias now


def test_only_the_coordination_confirms_lieux(client_for, users):
    lieu = LieuFactory(awaiting_confirmation=True)
    response = client_for(users[Role.CONSEILLER]).post(
        reverse("reseau:lieu_confirm", args=[lieu.pk])
    )
    assert response.status_code == 403
    lieu.refresh_from_db()
    assert lieu.awaiting_confirmation
