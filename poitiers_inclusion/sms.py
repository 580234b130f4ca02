"""Every text message the application sends, to residents who gave a mobile number and no
e-mail: a short text rendered from `<template>_sms.txt`, written to an outbox (OutgoingSms) in
the transaction of the action it belongs to, sent once that transaction commits, retried like
the e-mails (outbox.py) by `manage.py send_outbox`. A message given up puts its person on the
list of people to call (reach.py), with the same words to tell them.

Who carries the message is the backend named by SMS_BACKEND, an object with `delivers` (does
it reach a phone?) and `send(to, body)` (raises on failure):

- ConsoleBackend (default): prints the message, reaches nobody, so the people it would write to
  are listed "à appeler" instead;
- LocmemBackend, FileBackend: for the tests and a demo (`sms.outbox`, one JSON line a message
  in SMS_FILE_PATH);
- BrevoBackend: Brevo's transactional SMS API (SMS_BREVO_API_KEY, SMS_SENDER, SMS_BREVO_URL).
"""

import functools
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template import Context, engines
from django.utils import timezone
from django.utils.module_loading import import_string

from . import outbox, phones
from .models import OutgoingSms

# Messages sent through LocmemBackend, for the tests (like django.core.mail.outbox).
sent_messages: list[dict] = []


class ConsoleBackend:
    """Writes each message to the console: for development, reaches nobody."""

    delivers = False

    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"SMS à {to} :\n{body}\n{'-' * 40}\n")


class LocmemBackend:
    """Keeps each message in `sms.sent_messages`: for the tests."""

    delivers = True

    def send(self, to: str, body: str) -> None:
        sent_messages.append({"to": to, "body": body})


class FileBackend:
    """Appends each message as one JSON line to SMS_FILE_PATH/sms.jsonl: for a demo."""

    delivers = True

    def send(self, to: str, body: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "sms.jsonl").open("a", encoding="utf-8") as file:
            file.write(json.dumps({"to": to, "body": body}, ensure_ascii=False) + "\n")


class SmsRefused(Exception):
    """The text-message service answered with an error; `permanent` when trying again would
    not help (a number it refuses, a wrong key): the person is then called at once."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class BrevoBackend:
    """Brevo's transactional SMS API (https://developers.brevo.com, « Send SMS »): a JSON POST
    with the account's API key in the `api-key` header; 201 means accepted."""

    @property
    def delivers(self) -> bool:
        return bool(settings.SMS_BREVO_API_KEY)

    def send(self, to: str, body: str) -> None:
        payload = {
            "sender": settings.SMS_SENDER,
            "recipient": to.removeprefix("+"),  # Brevo wants 33612345678
            "content": body,
            "type": "transactional",
            "unicodeEnabled": True,  # accents as written
        }
        request = urllib.request.Request(
            settings.SMS_BREVO_URL,
            data=json.dumps(payload).encode(),
            headers={
                "api-key": settings.SMS_BREVO_API_KEY,
                "content-type": "application/json",
                "accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:
                response.read()
        except urllib.error.HTTPError as error:
            # The service's explanation, never the key: {"code": "…", "message": "…"}.
            detail = error.read()[:300].decode(errors="replace")
            permanent = 400 <= error.code < 500 and error.code != 429  # 429: too many, wait
            raise SmsRefused(f"HTTP {error.code} : {detail}", permanent=permanent) from None


def backend():
    return import_string(settings.SMS_BACKEND)()


def is_configured() -> bool:
    """Whether text messages reach phones (else their people are called)."""
    return backend().delivers


def render(template: str, context: dict) -> str:
    """The text of `<template>_sms.txt`: one paragraph, spaces collapsed (a text message is
    short and paid by length)."""
    context = {"CITY_NAME": settings.CITY_NAME, "SITE_URL": settings.SITE_URL, **context}
    source = engines["django"].get_template(f"{template}_sms.txt").template
    return " ".join(source.render(Context(context, autoescape=False)).split())


def send(template: str, *, to: str, context: dict, fallback: dict) -> bool:
    """Queue `<template>_sms.txt` for the mobile number `to`, sent once the current
    transaction commits; `fallback` holds the call to make if it is given up (reach.py).
    Returns whether a message was queued (not for a number that is no mobile)."""
    if not phones.is_mobile(to):
        return False
    message = OutgoingSms.objects.create(
        template=template,
        to=phones.normalise(to),
        body=render(template, context),
        fallback=fallback,
    )
    transaction.on_commit(functools.partial(deliver, [message.pk]), robust=True)
    return True


def deliver(pks=None, *, now=None) -> dict[str, int]:
    """Try the due text messages (those of `pks`, or every due one), each by one sender only;
    returns how many went and how many failed."""
    from . import reach  # reach sends through this module

    now = now or timezone.now()
    counts = {"envoyes": 0, "echecs": 0}
    carrier = backend()
    for pk in outbox.due_ids(OutgoingSms, pks, now=now):
        message = outbox.claim(OutgoingSms, pk, now)
        if message is None:
            continue
        try:
            carrier.send(message.to, message.body)
        except Exception as error:  # noqa: BLE001 — any failure leaves the message queued
            counts["echecs"] += 1
            give_up = getattr(error, "permanent", False)
            if outbox.failed(message, error, now, give_up=give_up):
                reach.call_instead(message)
        else:
            outbox.sent(message, now)
            counts["envoyes"] += 1
    return counts


def purge(*, now=None) -> int:
    return outbox.purge(OutgoingSms, now=now)
