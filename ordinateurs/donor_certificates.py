"""The donor receives their batch's erasure certificate by e-mail, once, when the batch is settled.

A batch is settled when every device collected is registered and none is still waiting in the
workshop: each is erased and certified, or will not be reused, or holds no data. Devices are
settled by several actions (an erasure recorded, a device declared not reusable, a screen
received) by several technicians at once: rather than each of those actions asking whether it
was the last, a daily job checks the one rule here and claims each donation once
(claims.claim_once on Don.certificate_sent_at), so a donor never gets it twice and the PDF is
built outside the technicians' requests.
"""

import datetime

from django.db.models import Count
from django.utils import timezone

from poitiers_inclusion import mail
from poitiers_inclusion.audit import log_event
from poitiers_inclusion.claims import claim_once

from . import certificates, documents
from .enums import StatutDon
from .models import Don, Ordinateur

# A donor waits for the certificate of a batch collected lately; one collected longer ago
# (before this e-mail existed, say) was dealt with by hand, and its donor is not written to out
# of the blue.
WAITING_FOR = datetime.timedelta(days=365)


def settled(context) -> bool:
    """The batch of `context` (certificates.batch_context) has every collected device
    registered and none still in the workshop."""
    don, devices = context["don"], context["devices"]
    return bool(devices) and len(devices) >= (don.nb_recus or 0) and not context["pending"]


def _candidates(today):
    return (
        Don.objects.filter(
            statut__in=(StatutDon.COLLECTE, StatutDon.CONFIRME),
            collected_on__gte=today - WAITING_FOR,
        )
        .exclude(donateur__email="")
        .annotate(devices=Count("ordinateurs"))
        .filter(devices__gt=0)
        .select_related("donateur")
    )


def send_certificate(don, context) -> None:
    """E-mail the batch certificate (PDF) to the donor."""
    mail.send(
        "ordinateurs/emails/certificat_effacement",
        to=don.donateur.email,
        context={
            "don": don,
            "donateur": don.donateur,
            "certified": context["certified"],
            "not_reused": len(context["not_reused"]),
        },
        attachments=[
            (
                f"certificat-effacement-don-{don.pk}.pdf",
                documents.batch_certificates(context),
                "application/pdf",
            )
        ],
    )
    log_event(
        actor=None,
        action="ordinateurs.don.certificate_sent",
        target=don,
        changes={"certified": context["certified"]},
    )


def send_settled_certificates(*, today=None, dry_run=False) -> int:
    """Send each settled batch's certificate to its donor, once; returns how many were (with
    dry_run, would be) sent."""
    today = today or timezone.localdate()
    contexts = {}
    for don in _candidates(today).filter(certificate_sent_at__isnull=True):
        context = certificates.batch_context(don, Ordinateur.objects.all())
        if settled(context):
            contexts[don.pk] = context
    return claim_once(
        Don.objects.filter(pk__in=contexts),
        field="certificate_sent_at",
        action=lambda don: send_certificate(don, contexts[don.pk]),
        dry_run=dry_run,
    )
