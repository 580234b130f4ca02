"""The retention job: identified usagers inactive for USAGER_RETENTION_MONTHS are anonymised."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from permanences.usagers import anonymise_usager
from poitiers_inclusion.dates import months_before
from poitiers_inclusion.models import AuditEvent, Usager
from tests.factories import UsagerFactory

from .factories import MediationFactory

pytestmark = pytest.mark.django_db


def _ago(months):
    return months_before(timezone.localdate(), months)


def _identified(**kwargs):
    usager = UsagerFactory(identified=True, **kwargs)
    # Created long ago: only activity decides.
    Usager.objects.filter(pk=usager.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=5 * 365)
    )
    return usager


@pytest.fixture
def people(settings):
    settings.USAGER_RETENTION_MONTHS = 24
    people = {
        "gone": _identified(last_seen_on=_ago(30), last_name="Oubliable"),
        "recent": _identified(last_seen_on=_ago(3)),
        "recent_by_history": _identified(),
        "never_seen_old": _identified(),
        "anonymous_old": UsagerFactory(last_seen_on=_ago(40)),
    }
    MediationFactory(date=_ago(1), usagers=[people["recent_by_history"]])
    return people


def test_it_anonymises_only_inactive_identified_usagers(people, capsys):
    call_command("anonymise_usagers")
    out = capsys.readouterr().out
    for name in ("gone", "never_seen_old"):
        people[name].refresh_from_db()
        assert not people[name].is_identified, name
        assert f"Usager n°{people[name].pk}" in out
        event = AuditEvent.objects.for_object(people[name]).get(action="kernel.usager.anonymised")
        assert event.changes["reason"] == "conservation"
    for name in ("recent", "recent_by_history"):
        people[name].refresh_from_db()
        assert people[name].is_identified, name
    assert "2 usager(s) anonymisé(s)" in out
    assert "Oubliable" not in out  # the log keeps no names


def test_the_dry_run_changes_nothing(people, capsys):
    call_command("anonymise_usagers", dry_run=True)
    out = capsys.readouterr().out
    assert "serait anonymisé" in out and "2 usager(s) seraient anonymisés" in out
    assert Usager.objects.identified().count() == 4


def test_the_period_comes_from_the_settings(people, settings):
    settings.USAGER_RETENTION_MONTHS = 48
    call_command("anonymise_usagers")
    # Only those never seen in 5 years go; the one last seen 30 months ago stays.
    assert set(Usager.objects.identified()) == {
        people["gone"],
        people["recent"],
        people["recent_by_history"],
    }


def test_months_before_handles_month_ends():
    assert months_before(datetime.date(2025, 3, 31), 1) == datetime.date(2025, 2, 28)
    assert months_before(datetime.date(2025, 1, 15), 24) == datetime.date(2023, 1, 15)


def test_a_person_anonymised_already_is_not_anonymised_again(people):
    """A run working from a list made before another run (or a colleague) anonymised them."""
    gone = people["gone"]
    assert anonymise_usager(usager=gone, actor=None, reason="conservation") is not None
    assert anonymise_usager(usager=gone, actor=None, reason="conservation") is None
    events = AuditEvent.objects.for_object(gone).filter(action="kernel.usager.anonymised")
    assert events.count() == 1
