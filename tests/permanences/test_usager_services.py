"""Merging two records of one person, anonymising on request, exporting what is held."""

import datetime

import pytest
from django.utils import timezone

from permanences.models import Accompagnement
from permanences.usagers import MergeError, anonymise_usager, merge_usagers, usager_data
from poitiers_inclusion.models import AuditEvent, Usager
from tests.factories import UsagerFactory, UserFactory

from .factories import MediationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conseiller():
    return UserFactory(conseiller=True)


def test_it_merges_two_records_of_the_same_person(conseiller):
    other_conseiller = UserFactory(conseiller=True)
    kept = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo", phone="")
    kept.commune = ""
    kept.save()
    other = UsagerFactory(
        identified=True,
        first_name="Awa",
        last_name="Diallo",
        phone="0611223344",
        email="awa@exemple.test",
        commune="Poitiers",
        genre="feminin",
    )
    MediationFactory(conseiller=conseiller, usagers=[kept])
    MediationFactory(conseiller=other_conseiller, usagers=[other])
    MediationFactory(conseiller=conseiller, usagers=[other])

    merge_usagers(kept=kept, other=other, actor=conseiller)

    kept.refresh_from_db()
    other.refresh_from_db()
    assert kept.accompagnements.count() == 3
    assert not other.accompagnements.exists()
    # The richer identity is kept.
    assert (kept.phone, kept.email, kept.commune, kept.genre) == (
        "+33611223344",
        "awa@exemple.test",
        "Poitiers",
        "feminin",
    )
    assert set(kept.conseillers.all()) == {conseiller, other_conseiller}
    # The other record points to the kept one and holds no identity any more.
    assert other.merged_into == kept
    assert all(getattr(other, f) in ("", None) for f in Usager.PERSONAL_FIELDS)
    event = AuditEvent.objects.for_object(kept).get(action="kernel.usager.merged")
    assert event.actor == conseiller and event.changes["merged"] == other.pk
    assert "phone" in event.changes["fields"] and "0611223344" not in str(event.changes)


def test_it_keeps_one_accompagnement_when_both_records_were_in_the_same_workshop(conseiller):
    kept, other, third = (
        UsagerFactory(identified=True),
        UsagerFactory(identified=True),
        UsagerFactory(),
    )
    workshop = MediationFactory(
        conseiller=conseiller, type_activite="collectif", usagers=[kept, other, third]
    )
    merge_usagers(kept=kept, other=other, actor=conseiller)
    assert sorted(workshop.accompagnements.values_list("usager", flat=True)) == sorted(
        [kept.pk, third.pk]
    )
    assert Accompagnement.objects.filter(usager=kept).count() == 1


def test_it_keeps_the_earliest_consent_and_the_latest_visit(conseiller):
    early = timezone.now() - datetime.timedelta(days=400)
    kept = UsagerFactory(identified=True, last_seen_on=datetime.date(2024, 1, 1))
    other = UsagerFactory(identified=True, consent_at=early, last_seen_on=datetime.date(2025, 5, 1))
    merge_usagers(kept=kept, other=other, actor=conseiller)
    kept.refresh_from_db()
    assert kept.consent_at == early
    assert kept.last_seen_on == datetime.date(2025, 5, 1)


def test_an_anonymous_record_takes_the_identity_of_the_identified_one(conseiller):
    kept = UsagerFactory()
    other = UsagerFactory(identified=True, first_name="Jean", last_name="Martin")
    merge_usagers(kept=kept, other=other, actor=conseiller)
    kept.refresh_from_db()
    assert kept.is_identified and kept.full_name == "Jean Martin"


def test_records_merged_earlier_follow_the_kept_one(conseiller):
    a, b, c = (UsagerFactory(identified=True) for _ in range(3))
    merge_usagers(kept=b, other=c, actor=conseiller)
    merge_usagers(kept=a, other=b, actor=conseiller)
    c.refresh_from_db()
    assert c.merged_into == a


def test_it_refuses_to_merge_a_record_with_itself_or_an_anonymised_one(conseiller):
    a = UsagerFactory(identified=True)
    with pytest.raises(MergeError):
        merge_usagers(kept=a, other=a, actor=conseiller)
    gone = UsagerFactory(identified=True)
    anonymise_usager(usager=gone, actor=conseiller, reason="demande")
    with pytest.raises(MergeError):
        merge_usagers(kept=a, other=gone, actor=conseiller)


def test_it_anonymises_keeping_statistics_and_history(conseiller):
    usager = UsagerFactory(
        identified=True, birth_year=1990, genre="masculin", commune="Poitiers", email="x@y.fr"
    )
    MediationFactory(conseiller=conseiller, usagers=[usager])
    anonymise_usager(usager=usager, actor=conseiller, reason="demande")
    usager.refresh_from_db()
    assert not usager.is_identified and usager.anonymised_at is not None
    assert (usager.first_name, usager.last_name, usager.phone, usager.email) == ("", "", "", "")
    assert usager.birth_year is None and usager.consent_at is None
    assert (usager.genre, usager.commune) == ("masculin", "Poitiers")
    assert usager.tranche_age == "25_39_ans" or usager.tranche_age == "40_59_ans"
    assert usager.accompagnements.count() == 1
    event = AuditEvent.objects.for_object(usager).get(action="kernel.usager.anonymised")
    assert event.changes["reason"] == "demande" and "email" in event.changes["fields"]


def test_the_export_holds_everything_on_the_person(conseiller):
    usager = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo")
    MediationFactory(
        conseiller=conseiller,
        usagers=[usager],
        date=datetime.date(2025, 2, 3),
        notes="A besoin d'aide pour la CAF",
        thematiques=["email", "sante"],
    )
    MediationFactory(usagers=[usager])  # by another conseiller: still held on the person
    data = usager_data(usager)
    assert data["usager"]["prenom"] == "Awa" and data["usager"]["nom"] == "Diallo"
    assert data["usager"]["consentement_le"]
    assert len(data["accompagnements"]) == 2
    first = next(a for a in data["accompagnements"] if a["date"] == "2025-02-03")
    assert first["thematiques"] == ["E-mail", "Santé"]
    assert first["notes"] == "A besoin d'aide pour la CAF"
