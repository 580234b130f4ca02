"""claims.claim_once: an action done once per row, however many runs overlap."""

import pytest

from poitiers_inclusion.claims import claim_once
from poitiers_inclusion.models import Usager
from tests.concurrency import run_together
from tests.factories import UsagerFactory

# Any nullable timestamp serves to show the helper; the reminders use their own.
FIELD = "anonymised_at"


@pytest.mark.django_db
def test_it_acts_once_per_row_and_marks_it():
    people = UsagerFactory.create_batch(3)
    acted = []
    assert claim_once(Usager.objects.all(), field=FIELD, action=acted.append) == 3
    assert sorted(u.pk for u in acted) == sorted(u.pk for u in people)
    assert all(u.anonymised_at is not None for u in acted)
    assert not Usager.objects.filter(anonymised_at__isnull=True).exists()
    assert claim_once(Usager.objects.all(), field=FIELD, action=acted.append) == 0
    assert len(acted) == 3


@pytest.mark.django_db
def test_a_dry_run_counts_and_touches_nothing():
    UsagerFactory.create_batch(2)
    acted = []
    assert claim_once(Usager.objects.all(), field=FIELD, action=acted.append, dry_run=True) == 2
    assert acted == [] and Usager.objects.filter(anonymised_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_failed_action_leaves_the_row_for_the_next_run():
    usager = UsagerFactory()

    def fail(row):
        raise ConnectionError("serveur de messagerie injoignable")

    with pytest.raises(ConnectionError):
        claim_once(Usager.objects.all(), field=FIELD, action=fail)
    usager.refresh_from_db()
    assert usager.anonymised_at is None
    assert claim_once(Usager.objects.all(), field=FIELD, action=lambda row: None) == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_act_once_per_row():
    people = UsagerFactory.create_batch(6)
    acted = [[], [], []]
    outcomes = run_together(
        3, lambda n: claim_once(Usager.objects.all(), field=FIELD, action=acted[n].append)
    )
    assert sum(outcomes) == 6, outcomes
    pks = sorted(u.pk for run in acted for u in run)
    assert pks == sorted(u.pk for u in people)
