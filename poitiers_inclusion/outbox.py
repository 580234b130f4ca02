"""The outboxes' common rules (e-mails in mail.py, text messages in sms.py): a message is taken
by one sender at a time, tried again later and later after a failure, given up after
MAX_ATTEMPTS, and deleted OUTBOX_RETENTION_DAYS after it was sent or given up."""

import datetime
import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .enums import EmailStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Then doubled at each failure (5, 10, 20 … minutes, capped): about a day before giving up.
FIRST_RETRY = datetime.timedelta(minutes=5)
LONGEST_RETRY = datetime.timedelta(hours=6)
# A message claimed by a sender that died before saying how it went is tried again after this.
LEASE = datetime.timedelta(minutes=10)


def due_ids(model, pks=None, *, now) -> list[int]:
    """The messages to try now (those of `pks`, or every due one), oldest first."""
    due = model.objects.due(now)
    if pks is not None:
        due = due.filter(pk__in=pks)
    return list(due.order_by("created_at", "pk").values_list("pk", flat=True))


def claim(model, pk: int, now):
    """Take the message for one attempt; None when it is not due or another sender has it."""
    claimed = (
        model.objects.due(now)
        .filter(pk=pk)
        .update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    )
    return model.objects.get(pk=pk) if claimed else None


def retry_delay(attempts: int) -> datetime.timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def failed(message, error: Exception, now, *, give_up: bool = False) -> bool:
    """Record a failed attempt (the last one with `give_up`: trying again would not help);
    returns whether the message is now given up."""
    message.last_error = f"{type(error).__name__} : {error}"[:1000]
    if give_up or message.attempts >= MAX_ATTEMPTS:
        message.status = EmailStatus.FAILED
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
    message.save(update_fields=["last_error", "status", "next_attempt_at"])
    logger.warning(
        "%s %s (%s) non envoyé, tentative %s : %s",
        message._meta.verbose_name,
        message.pk,
        message.template,
        message.attempts,
        type(error).__name__,
    )
    return message.status == EmailStatus.FAILED


def sent(message, now) -> None:
    message.status = EmailStatus.SENT
    message.sent_at = now
    message.last_error = ""
    message.save(update_fields=["status", "sent_at", "last_error"])


def purge(model, *, now=None) -> int:
    """Delete the messages older than OUTBOX_RETENTION_DAYS, sent or given up, with their
    attachments: their text and files hold personal data (names, links, numbers). Returns how
    many messages went."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    old = model.objects.filter(created_at__lt=limit).exclude(status=EmailStatus.PENDING)
    return old.delete()[1].get(model._meta.label, 0)
