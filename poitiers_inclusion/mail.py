"""Every e-mail the application sends: a subject and a body rendered from two plain-text
templates, links made absolute with SITE_URL, recipients cleaned; then the outbox.

An e-mail is written to the outbox (OutgoingEmail) in the transaction of the action it belongs
to, and sent once that transaction commits. A mail server that refuses or does not answer
never undoes the action: the message waits and `manage.py send_outbox` tries it again, later
and later, until MAX_ATTEMPTS; the admin and the coordinator see on one page what could not
be sent, and may try again.
"""

import contextlib
import datetime
import functools
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone

from .enums import EmailStatus
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# Then doubled at each failure (5, 10, 20 … minutes, capped): about a day before giving up.
FIRST_RETRY = datetime.timedelta(minutes=5)
LONGEST_RETRY = datetime.timedelta(hours=6)
# A message claimed by a sender that died before saying how it went is tried again after this.
LEASE = datetime.timedelta(minutes=10)


def absolute_url(url_name: str, *args) -> str:
    """The address of a page for a link in an e-mail (read outside the site)."""
    return settings.SITE_URL + reverse(url_name, args=args)


def _render(name: str, context: dict) -> str:
    # Plain text: nothing is HTML-escaped ("L'Atelier" stays as typed).
    template = engines["django"].get_template(name).template
    return template.render(Context(context, autoescape=False))


def recipients(to) -> list[str]:
    """The addresses to write to, blanks dropped and each once."""
    if isinstance(to, str):
        to = [to]
    return sorted({address.strip() for address in to if address and address.strip()})


def send(template: str, *, to, context: dict | None = None) -> bool:
    """Send `<template>_subject.txt` and `<template>.txt` (rendered with `context`, CITY_NAME
    and SITE_URL) to `to`, an address or several, once the current transaction commits.
    Nothing is sent to nobody: returns whether a message was queued."""
    addresses = recipients(to)
    if not addresses:
        return False
    context = {"CITY_NAME": settings.CITY_NAME, "SITE_URL": settings.SITE_URL, **(context or {})}
    message = OutgoingEmail.objects.create(
        template=template,
        # A subject is one line, whatever the template's line breaks.
        subject=" ".join(_render(f"{template}_subject.txt", context).split()),
        body=_render(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=addresses,
    )
    _deliver_after_commit(message.pk)
    return True


def _deliver_after_commit(pk: int) -> None:
    # robust: a delivery that breaks is logged, never turned into an error of the saved action.
    transaction.on_commit(functools.partial(deliver, [pk]), robust=True)


def _claim(pk: int, now) -> OutgoingEmail | None:
    """Take the message for one attempt; None when it is not due or another sender has it."""
    claimed = (
        OutgoingEmail.objects.due(now)
        .filter(pk=pk)
        .update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    )
    return OutgoingEmail.objects.get(pk=pk) if claimed else None


def _retry_delay(attempts: int) -> datetime.timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def _failed(message: OutgoingEmail, error: Exception, now) -> None:
    message.last_error = f"{type(error).__name__} : {error}"[:1000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = EmailStatus.FAILED
    else:
        message.next_attempt_at = now + _retry_delay(message.attempts)
    message.save(update_fields=["last_error", "status", "next_attempt_at"])
    logger.warning(
        "E-mail %s (%s) non envoyé, tentative %s : %s",
        message.pk,
        message.template,
        message.attempts,
        type(error).__name__,
    )


def _sent(message: OutgoingEmail, now) -> None:
    message.status = EmailStatus.SENT
    message.sent_at = now
    message.last_error = ""
    message.save(update_fields=["status", "sent_at", "last_error"])


# After the mail server could not be reached, this process leaves the messages it writes to
# the outbox for `send_outbox` during this pause, rather than making each request wait for the
# connection's timeout.
UNREACHABLE_PAUSE = datetime.timedelta(minutes=1)
_unreachable_until = None


def deliver(pks=None, *, now=None) -> dict[str, int]:
    """Try the due messages (those of `pks`, or every due one), oldest first, each by one
    sender only; returns how many went and how many failed."""
    global _unreachable_until
    now = now or timezone.now()
    counts = {"envoyes": 0, "echecs": 0}
    if _unreachable_until and now < _unreachable_until:
        return counts
    due = OutgoingEmail.objects.due(now)
    if pks is not None:
        due = due.filter(pk__in=pks)
    ids = list(due.order_by("created_at", "pk").values_list("pk", flat=True))
    if not ids:
        return counts
    connection = get_connection()
    try:
        for pk in ids:
            message = _claim(pk, now)
            if message is None:
                continue
            try:
                connection.open()
            except Exception as error:  # noqa: BLE001 — the server is down: all wait
                _failed(message, error, now)
                counts["echecs"] += 1
                _unreachable_until = now + UNREACHABLE_PAUSE
                break
            try:
                EmailMessage(
                    message.subject,
                    message.body,
                    message.from_email,
                    message.to,
                    connection=connection,
                ).send()
            except Exception as error:  # noqa: BLE001 — any failure leaves the message queued
                _failed(message, error, now)
                counts["echecs"] += 1
                with contextlib.suppress(Exception):
                    connection.close()  # a broken connection is opened again for the next one
            else:
                _sent(message, now)
                counts["envoyes"] += 1
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return counts


def retry(message: OutgoingEmail) -> dict[str, int]:
    """The staff ask for another attempt now, also after the outbox gave up."""
    global _unreachable_until
    _unreachable_until = None
    OutgoingEmail.objects.filter(pk=message.pk).exclude(status=EmailStatus.SENT).update(
        status=EmailStatus.PENDING, next_attempt_at=timezone.now()
    )
    return deliver([message.pk])


def purge(*, now=None) -> int:
    """Delete the messages older than OUTBOX_RETENTION_DAYS, sent or given up: their text holds
    personal data (names, links)."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    old = OutgoingEmail.objects.filter(created_at__lt=limit).exclude(status=EmailStatus.PENDING)
    return old.delete()[0]
