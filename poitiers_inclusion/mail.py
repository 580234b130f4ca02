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

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone

from . import outbox
from .enums import EmailStatus
from .models import OutgoingEmail, OutgoingEmailAttachment

MAX_ATTEMPTS = outbox.MAX_ATTEMPTS


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


def send(template: str, *, to, context: dict | None = None, attachments=()) -> bool:
    """Send `<template>_subject.txt` and `<template>.txt` (rendered with `context`, CITY_NAME
    and SITE_URL) to `to`, an address or several, once the current transaction commits, with
    `attachments`: (file name, bytes, content type) each, kept in the outbox with the message.
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
    OutgoingEmailAttachment.objects.bulk_create(
        OutgoingEmailAttachment(
            email=message, filename=filename, content=content, content_type=content_type
        )
        for filename, content, content_type in attachments
    )
    _deliver_after_commit(message.pk)
    return True


def _deliver_after_commit(pk: int) -> None:
    # robust: a delivery that breaks is logged, never turned into an error of the saved action.
    transaction.on_commit(functools.partial(deliver, [pk]), robust=True)


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
    ids = outbox.due_ids(OutgoingEmail, pks, now=now)
    if not ids:
        return counts
    connection = get_connection()
    try:
        for pk in ids:
            message = outbox.claim(OutgoingEmail, pk, now)
            if message is None:
                continue
            try:
                connection.open()
            except Exception as error:  # noqa: BLE001 — the server is down: all wait
                outbox.failed(message, error, now)
                counts["echecs"] += 1
                _unreachable_until = now + UNREACHABLE_PAUSE
                break
            try:
                email = EmailMessage(
                    message.subject,
                    message.body,
                    message.from_email,
                    message.to,
                    connection=connection,
                )
                for attachment in message.attachments.all():
                    email.attach(
                        attachment.filename, bytes(attachment.content), attachment.content_type
                    )
                email.send()
            except Exception as error:  # noqa: BLE001 — any failure leaves the message queued
                outbox.failed(message, error, now)
                counts["echecs"] += 1
                with contextlib.suppress(Exception):
                    connection.close()  # a broken connection is opened again for the next one
            else:
                outbox.sent(message, now)
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
    """Delete the old e-mails, sent or given up (outbox.purge)."""
    return outbox.purge(OutgoingEmail, now=now)
