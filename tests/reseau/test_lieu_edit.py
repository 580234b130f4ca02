"""Editing a lieu in the app: its `date_maj` (national standard) is the day of the edit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from reseau import standard
from reseau.models import Lieu

from ..factories import LieuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client_for, make_user):
    return client_for(make_user(Role.COORDINATEUR))


def _posted(lieu, **changes):
    data = {
        "nom": lieu.nom,
        "structure": lieu.structure_id,
        "pivot": lieu.pivot,
        "adresse": lieu.adresse,
        "code_postal": lieu.code_postal,
        "commune": lieu.commune,
        "code_insee": lieu.code_insee,
        "quartier": lieu.quartier_id,
        "latitude": lieu.latitude,
        "longitude": lieu.longitude,
    }
    data.update(changes)
    return data


def test_it_dates_an_edited_lieu_today_whatever_is_posted(coordinator):
    lieu = LieuFactory(date_maj=datetime.date(2022, 9, 1), horaires="Mo 09:00-12:00")
    url = reverse("reseau:lieu_edit", args=[lieu.pk])
    page = coordinator.get(url)
    assert "date_maj" not in page.context["form"].fields
    assert "01/09/2022" in page.content.decode()  # shown, not editable
    response = coordinator.post(
        url, _posted(lieu, horaires="Mo-Fr 09:00-12:00", date_maj="2030-01-01")
    )
    assert response.status_code == 302
    lieu.refresh_from_db()
    assert lieu.horaires == "Mo-Fr 09:00-12:00"
    assert lieu.date_maj == timezone.localdate()
    assert f",{timezone.localdate().isoformat()}," in standard.csv_text()


def test_a_new_lieu_is_dated_today(coordinator):
    model = LieuFactory(date_maj=datetime.date(2001, 1, 1))
    response = coordinator.post(
        reverse("reseau:lieu_create"),
        _posted(model, nom="Nouveau lieu", date_maj="2001-01-01"),
    )
    assert response.status_code == 302
    assert Lieu.objects.get(nom="Nouveau lieu").date_maj == timezone.localdate()
