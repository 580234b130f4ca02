import io

import pytest
from django.core.management import call_command

from reseau.enums import EtatOrientation, EtatVerification
from reseau.models import Campagne, Contact, Invitation, Lieu, Orientation, Reunion, Structure

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        model.__name__: model.objects.count()
        for model in (Structure, Lieu, Contact, Reunion, Invitation, Campagne, Orientation)
    }


def test_it_loads_the_network_and_running_it_twice_changes_nothing():
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    first = _snapshot()
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    assert _snapshot() == first

    assert first["Structure"] >= 40 and first["Contact"] >= 80 and first["Lieu"] == 13
    years = {d.year for d in Reunion.objects.values_list("date", flat=True)}
    for year in range(2022, max(years)):
        assert Reunion.objects.filter(date__year=year).count() == 2, year
    past = Reunion.objects.filter(compte_rendu__gt="")
    assert past.exists()
    assert all(Invitation.objects.filter(reunion=r, present=True).exists() for r in past)
    assert set(Orientation.objects.values_list("etat", flat=True)) == set(EtatOrientation.values)
    campagne = Campagne.objects.get()
    states = {v.state for v in campagne.verifications.all()}
    assert states == set(EtatVerification)
