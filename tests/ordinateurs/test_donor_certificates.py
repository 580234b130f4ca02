"""The donor receives the erasure certificate of their batch by e-mail (a PDF attachment), once,
when every device of the batch is settled; never before, never to a donor without e-mail."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from ordinateurs import donor_certificates, services
from ordinateurs.enums import Etat, StatutDon, TypeAppareil
from poitiers_inclusion.models import AuditEvent
from tests.factories import UserFactory
from tests.ordinateurs.factories import (
    DonateurFactory,
    DonFactory,
    EffacementFactory,
    OrdinateurFactory,
)
from tests.pdfs import pdf_file_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def technicien():
    return UserFactory(technicien=True, first_name="Lucie", last_name="Martin")


@pytest.fixture
def batch(technicien):
    """A batch of four collected last week: a laptop erased, one still to erase, one not
    reusable, a screen (no data)."""
    don = DonFactory(
        donateur=DonateurFactory(nom="Mutuelle du Clain", email="dons@mutuelle.example"),
        statut=StatutDon.COLLECTE,
        collected_on=timezone.localdate() - datetime.timedelta(days=7),
        nb_recus=4,
    )
    erased, waiting, broken = (
        OrdinateurFactory(don=don, numero=f"PC-2026-000{n}") for n in (1, 2, 3)
    )
    OrdinateurFactory(don=don, numero="PC-2026-0004", type=TypeAppareil.ECRAN, stockages=[])
    for device in (erased, waiting):
        services.move(ordinateur=device, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    EffacementFactory(stockage=erased.stockages.get(), operateur=technicien)
    services.move(ordinateur=broken, vers=Etat.NON_REEMPLOYABLE, actor=technicien)
    return don, waiting


@pytest.fixture
def _run(django_capture_on_commit_callbacks):
    """One run of the job; its e-mails leave when its transaction commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return donor_certificates.send_settled_certificates()

    return run


def _settle(device, technicien):
    EffacementFactory(stockage=device.stockages.get(), operateur=technicien)


def test_it_waits_until_every_device_is_settled(batch, technicien, mailoutbox, _run):
    don, waiting = batch
    assert _run() == 0 and mailoutbox == []
    _settle(waiting, technicien)
    assert _run() == 1
    (message,) = mailoutbox
    assert message.to == ["dons@mutuelle.example"]
    assert "certificat d'effacement" in message.subject
    ((filename, content, content_type),) = message.attachments
    assert (filename, content_type) == (
        f"certificat-effacement-don-{don.pk}.pdf",
        "application/pdf",
    )
    text = pdf_file_text(content)
    assert "Mutuelle du Clain" in text and "2 sur 4" in text
    assert "PC-2026-0001" in text and "PC-2026-0002" in text and "PC-2026-0003" in text
    assert "encore à l'atelier" not in text
    don.refresh_from_db()
    assert don.certificate_sent_at is not None
    assert AuditEvent.objects.filter(action="ordinateurs.don.certificate_sent").count() == 1


def test_it_sends_it_once(batch, technicien, mailoutbox, _run):
    _don, waiting = batch
    _settle(waiting, technicien)
    assert _run() == 1
    assert _run() == 0
    call_command("send_donor_certificates", stdout=io.StringIO())
    assert len(mailoutbox) == 1


def test_it_waits_for_the_devices_collected_but_not_yet_registered(
    batch, technicien, mailoutbox, _run
):
    don, waiting = batch
    _settle(waiting, technicien)
    don.nb_recus = 5
    don.save()
    assert _run() == 0 and mailoutbox == []


def test_a_donor_without_e_mail_gets_nothing_and_can_still_get_it_later(
    batch, technicien, mailoutbox, _run
):
    don, waiting = batch
    _settle(waiting, technicien)
    don.donateur.email = ""
    don.donateur.save()
    assert _run() == 0 and mailoutbox == []
    don.refresh_from_db()
    assert don.certificate_sent_at is None
    don.donateur.email = "nouvelle@mutuelle.example"
    don.donateur.save()
    assert _run() == 1 and mailoutbox[0].to == ["nouvelle@mutuelle.example"]


def test_a_batch_collected_long_ago_is_left_alone(batch, technicien, mailoutbox, _run):
    don, waiting = batch
    _settle(waiting, technicien)
    don.collected_on = timezone.localdate() - datetime.timedelta(days=400)
    don.save()
    assert _run() == 0 and mailoutbox == []


def test_the_dry_run_counts_without_sending(batch, technicien, mailoutbox, _run):
    _don, waiting = batch
    _settle(waiting, technicien)
    assert donor_certificates.send_settled_certificates(dry_run=True) == 1
    assert mailoutbox == []
    assert _run() == 1
