"""send_reminders: tomorrow's and the day after's bookings, once each; purge after 30 days."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from permanences import booking
from permanences.models import Creneau, RendezVous, StatutRendezVous
from poitiers_inclusion.models import CallToMake
from tests.permanences.factories_schedule import BookablePermanenceFactory, RendezVousFactory

pytestmark = pytest.mark.django_db


def _booking_on(day, **kwargs):
    permanence = BookablePermanenceFactory(weekday=day.weekday(), valid_from=day.replace(year=2020))
    creneau = Creneau.objects.create(permanence=permanence, date=day)
    return RendezVousFactory(creneau=creneau, **kwargs)


def test_it_reminds_tomorrow_and_the_day_after_once_each(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    tomorrow = _booking_on(today + datetime.timedelta(days=1))
    after = _booking_on(today + datetime.timedelta(days=2))
    later = _booking_on(today + datetime.timedelta(days=3))
    cancelled = _booking_on(
        today + datetime.timedelta(days=1), statut=StatutRendezVous.ANNULE, heure=datetime.time(15)
    )
    phone_only = _booking_on(today + datetime.timedelta(days=1), email="")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--no-purge")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([tomorrow.email, after.email])
    assert all("Rappel" in m.subject for m in mail.outbox)
    assert all("/rendez-vous/annulation/" in m.body for m in mail.outbox)
    # Without e-mail, and text messages not configured: the team calls (tests/permanences/
    # test_calls.py for the text messages).
    call = CallToMake.objects.get()
    assert (call.phone, call.target_id) == (phone_only.telephone, phone_only.pk)
    for rdv in (tomorrow, after, phone_only):
        rdv.refresh_from_db()
        assert rdv.reminder_sent_at is not None
    for rdv in (later, cancelled):
        rdv.refresh_from_db()
        assert rdv.reminder_sent_at is None

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--no-purge")
    assert len(mail.outbox) == 2 and CallToMake.objects.count() == 1  # nothing twice


def test_a_dry_run_sends_nothing(django_capture_on_commit_callbacks):
    _booking_on(timezone.localdate() + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--dry-run")
    assert mail.outbox == []
    assert RendezVous.objects.filter(reminder_sent_at__isnull=False).count() == 0


def test_the_purge_empties_contacts_of_bookings_older_than_30_days():
    today = timezone.localdate()
    old = _booking_on(today - datetime.timedelta(days=31), precision="CAF")
    recent = _booking_on(today - datetime.timedelta(days=29))

    call_command("send_reminders")

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.nom, old.telephone, old.email, old.precision, old.consent_at) == (
        "",
        "",
        "",
        "",
        None,
    )
    assert old.purged_at is not None
    assert old.besoin and old.heure  # what the statistics need stays
    assert recent.nom and recent.email and recent.purged_at is None
    assert booking.purge_bookings() == 0  # already done


def test_every_personal_looking_field_of_a_booking_is_purged():
    """Guard: a new text or contact field on RendezVous must be added to PERSONAL_FIELDS."""
    kept = {"besoin", "token", "statut"}  # a choice code, a random key, a status
    textual = {
        f.name
        for f in RendezVous._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.EmailField)
    }
    assert textual - kept <= set(RendezVous.PERSONAL_FIELDS)
