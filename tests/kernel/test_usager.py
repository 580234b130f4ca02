"""The usager record: anonymous by default, identified only with consent, age band from birth year."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from poitiers_inclusion.enums import Role, TrancheAge
from poitiers_inclusion.models import Usager, age_band_expression
from tests.factories import UsagerFactory, UserFactory


def test_an_anonymous_usager_cannot_hold_identity(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Usager.objects.create(first_name="Jeanne", last_name="Martin")
    usager = Usager.objects.create(genre="feminin", tranche_age=TrancheAge.DE_60_A_69)
    assert not usager.is_identified
    assert str(usager).startswith("Usager anonyme")


def test_the_age_band_follows_the_birth_year_and_moves_with_time(db, monkeypatch):
    this_year = timezone.localdate().year
    usager = UsagerFactory(identified=True, birth_year=this_year - 59)
    assert usager.age_band == TrancheAge.DE_40_A_59
    later = timezone.localdate() + datetime.timedelta(days=366)
    monkeypatch.setattr(timezone, "localdate", lambda: later)
    assert usager.age_band == TrancheAge.DE_60_A_69


def test_an_anonymous_usager_keeps_the_band_chosen(db):
    assert UsagerFactory(tranche_age=TrancheAge.PLUS_DE_70).age_band == TrancheAge.PLUS_DE_70


@pytest.mark.parametrize("age", [5, 11, 12, 17, 18, 24, 25, 39, 40, 59, 60, 69, 70, 95])
def test_the_sql_age_band_agrees_with_python(db, age):
    year = timezone.localdate().year
    usager = UsagerFactory(identified=True, birth_year=year - age)
    annotated = Usager.objects.annotate(band=age_band_expression(year)).get(pk=usager.pk)
    assert annotated.band == usager.age_band == TrancheAge.for_age(age)


def test_anonymising_keeps_statistics_and_drops_identity(db):
    usager = UsagerFactory(
        identified=True, genre="feminin", statut_social="retraite", birth_year=1950
    )
    band = usager.age_band
    usager.anonymise()
    usager.save()
    usager.refresh_from_db()
    assert not usager.is_identified
    for name in Usager.PERSONAL_FIELDS:
        assert getattr(usager, name) in ("", None), name
    assert (usager.genre, usager.statut_social, usager.tranche_age) == ("feminin", "retraite", band)


def test_visibility_by_role(db):
    conseiller, other = UserFactory(conseiller=True), UserFactory(conseiller=True)
    mine, theirs = UsagerFactory(), UsagerFactory()
    mine.conseillers.add(conseiller)
    theirs.conseillers.add(other)
    assert list(Usager.objects.visible_for(conseiller)) == [mine]
    assert set(Usager.objects.visible_for(UserFactory(coordinateur=True))) == {mine, theirs}
    for role in (Role.TECHNICIEN, Role.PRESCRIPTEUR):
        user = UserFactory(**{role: True})
        assert not Usager.objects.visible_for(user).exists()
