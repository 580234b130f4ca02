"""Every scheduled job is idempotent: run a second time the same day, it sends nothing, writes
nothing, logs nothing; two runs at the same instant (two crons, a manual run beside the scheduled
one) do the work once, without error. Each registered job has a case here that gives its first
run work to do; a new job without one fails the first test."""

import datetime
import uuid

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from permanences.models import Creneau
from poitiers_inclusion import scheduler
from poitiers_inclusion.dates import months_before
from poitiers_inclusion.enums import EmailStatus, JobOutcome, Role
from poitiers_inclusion.models import (
    AuditEvent,
    CallToMake,
    JobRun,
    OutgoingSms,
    SubmissionToken,
    Usager,
)
from reseau.enums import EtatOrientation
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.concurrency import run_together
from tests.factories import OutgoingEmailFactory, UsagerFactory, UserFactory
from tests.ordinateurs.factories import (
    DemandeFactory,
    DonFactory,
    EffacementFactory,
    OrdinateurFactory,
)
from tests.permanences.coop_standin import TOKEN as COOP_TOKEN
from tests.permanences.coop_standin import StandIn, activite
from tests.permanences.factories import MediationFactory
from tests.permanences.factories_schedule import BookablePermanenceFactory, RendezVousFactory
from tests.reseau.factories import OrientationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAYS = datetime.timedelta(days=1)


def _booking_on(day):
    permanence = BookablePermanenceFactory(weekday=day.weekday(), valid_from=day.replace(year=2020))
    return RendezVousFactory(creneau=Creneau.objects.create(permanence=permanence, date=day))


def _send_reminders(settings):
    _booking_on(TODAY() + DAYS)
    _booking_on(TODAY() - 31 * DAYS)


def _send_workshop_reminders(settings):
    InscriptionFactory(
        seance=SeanceFactory(date=TODAY() + DAYS),
        usager=UsagerFactory(identified=True, email="inscrite@example.fr"),
    )


def _orientations_reminders(settings):
    now = timezone.now()
    OrientationFactory(created_at=now - 24 * DAYS)  # to remind
    OrientationFactory(created_at=now - 31 * DAYS)  # overdue: expires
    OrientationFactory(
        created_at=now - 500 * DAYS,
        etat=EtatOrientation.VALIDEE,
        closed_at=now - 450 * DAYS,
    )  # closed long ago: anonymised


def _ordinateurs_housekeeping(settings):
    DemandeFactory(statut="incomplete", created_at=timezone.now() - 100 * DAYS)
    DemandeFactory(statut="refusee", motif="Hors critères", closed_at=timezone.now() - 800 * DAYS)


def _send_donor_certificates(settings):
    don = DonFactory(statut="collecte", collected_on=TODAY() - 7 * DAYS, nb_recus=1)
    device = OrdinateurFactory(don=don, etat="diagnostique")
    EffacementFactory(stockage=device.stockages.get())  # the batch is settled


def _anonymise_usagers(settings):
    usager = UsagerFactory(identified=True, last_seen_on=months_before(TODAY(), 30))
    Usager.objects.filter(pk=usager.pk).update(created_at=timezone.now() - 1000 * DAYS)


def _refresh_figures(settings):
    settings.FIGURES_SNAPSHOT_MIN_SECONDS = 0  # every citywide view is stored
    MediationFactory()
    client = Client()
    client.force_login(UserFactory(**{Role.COORDINATEUR: True}))
    client.get(reverse("reporting:dashboard"))


_COOP = []


def _sync_coop(settings):
    """One activity of a conseiller of the city on a stand-in of La Coop's API (one server for
    the module, its data set again by each case)."""
    if not _COOP:
        _COOP.append(StandIn())
        _COOP.append(_COOP[0].start())
    standin, settings.COOP_API_URL, settings.COOP_API_TOKEN = _COOP[0], _COOP[1], COOP_TOKEN
    conseiller = UserFactory(**{Role.CONSEILLER: True}, coop_id=str(uuid.uuid4()))
    standin.activites = {}
    standin.add(activite(mediateur_id=conseiller.coop_id, modified=timezone.now()))


def _purge_job_runs(settings):
    JobRun.objects.create(job="send_reminders", started_at=timezone.now() - 100 * DAYS)


def _purge_submission_tokens(settings):
    SubmissionToken.objects.create(
        token=uuid.uuid4(), path="/x/", created_at=timezone.now() - 100 * DAYS
    )


def _purge_calls(settings):
    CallToMake.objects.create(
        app="ateliers",
        reason="Rappel de la séance",
        phone="0549000000",
        message="Rappel",
        due_by=TODAY() - 30 * DAYS,
        target_type=ContentType.objects.get_for_model(Usager),
        target_id=UsagerFactory().pk,
    )


def _send_outbox(settings):
    settings.SMS_BACKEND = "poitiers_inclusion.sms.LocmemBackend"
    OutgoingSms.objects.create(template="t", to="+33612345678", body="Rappel")  # due now
    OutgoingEmailFactory()  # due now: the first run sends it
    long_ago = timezone.now() - 100 * DAYS  # sent long ago: deleted
    OutgoingEmailFactory(status=EmailStatus.SENT, created_at=long_ago, sent_at=long_ago)


CASES = {
    "send_reminders": _send_reminders,
    "send_workshop_reminders": _send_workshop_reminders,
    "orientations_reminders": _orientations_reminders,
    "ordinateurs_housekeeping": _ordinateurs_housekeeping,
    "send_donor_certificates": _send_donor_certificates,
    "anonymise_usagers": _anonymise_usagers,
    "refresh_figures": _refresh_figures,
    "purge_job_runs": _purge_job_runs,
    "send_outbox": _send_outbox,
    "sync_coop": _sync_coop,
    "purge_submission_tokens": _purge_submission_tokens,
    "purge_calls": _purge_calls,
}
# Recomputed on purpose at each run: the stored figures, when, and how long it took; the same
# views stay stored.
RECOMPUTED = {
    ("reporting", "figuressnapshot"): {"payload", "computed_at", "duration_ms"},
    # The Coop sync's report of its last run (when, what it found unchanged).
    ("permanences", "coopsync"): {"started_at", "finished_at", "counts"},
}


def _database(job_name) -> dict:
    """Every row of every table, but the run records of the job under test."""
    rows = {}
    for model in apps.get_models():
        meta = model._meta
        skipped = RECOMPUTED.get((meta.app_label, meta.model_name), set())
        queryset = model._base_manager.order_by("pk")
        if model is JobRun:
            queryset = queryset.exclude(job=job_name)
        rows[meta.label] = [_row(row, skipped) for row in queryset.values()]
    return rows


def _row(row: dict, skipped: set) -> dict:
    return {
        key: bytes(value) if isinstance(value, memoryview) else value
        for key, value in row.items()
        if key not in skipped
    }


def test_every_job_has_its_case():
    assert set(CASES) == {job.name for job in scheduler.jobs()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_second_run_the_same_day_does_nothing_more(name, settings):
    CASES[name](settings)
    job = scheduler.get(name)

    first = scheduler.run_job(job, forced=True)
    assert first.outcome == JobOutcome.SUCCEEDED, first.error
    assert sum(first.counts.values()) > 0, f"le cas de {name} ne lui donne rien à faire"
    before, sent = _database(name), len(mail.outbox)

    second = scheduler.run_job(job, forced=True)
    assert second.outcome == JobOutcome.SUCCEEDED, second.error
    assert len(mail.outbox) == sent
    assert _database(name) == before
    if name != "refresh_figures":  # which recomputes the views seen lately, every time
        assert sum(second.counts.values()) == 0, second.counts


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(CASES))
def test_two_runs_at_the_same_instant_do_the_work_once(name, settings):
    CASES[name](settings)
    job = scheduler.get(name)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    # Outside the scheduler's lock, as two crons calling the command would.
    outcomes = run_together(2, lambda n: job.execute())
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    events = list(
        AuditEvent.objects.exclude(pk__in=before).values_list("action", "target_type", "target_id")
    )
    assert len(events) == len(set(events)), "la même action notée deux fois"
    mails = [(tuple(m.to), m.subject) for m in mail.outbox]
    assert len(mails) == len(set(mails)), "le même message envoyé deux fois"
