"""Telling a resident something (a place freed on a waiting list, tomorrow's appointment): by
e-mail when they gave one, else by text message to a mobile number when text messages are
configured, else the staff call them. One rule for every app.

A call to make (CallToMake) names the person, their number and the words to tell them (the
text message's template), and the record it is about, so that each app's « À appeler » page
shows a user the calls about the records they may see (`CallToMake.objects.about`).
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from . import mail, sms
from .models import CallToMake

EMAIL, SMS, CALL = "email", "sms", "appel"


def tell(
    template: str,
    *,
    email: str = "",
    phone: str = "",
    name: str = "",
    context: dict,
    about,
    app: str,
    reason: str,
    due_by: datetime.date,
) -> str:
    """Tell the person `<template>` by the first channel that reaches them: e-mail
    (`<template>_subject.txt`, `<template>.txt`), text message (`<template>_sms.txt`), or a call
    listed on `app`'s « À appeler » page until `due_by`. Returns the channel ("" when the
    person left neither an e-mail nor a phone number)."""
    if email and mail.send(template, to=email, context=context):
        return EMAIL
    if not phone:
        return ""
    call = {
        "app": app,
        "reason": reason,
        "name": name,
        "due_by": due_by.isoformat(),
        "target_type": ContentType.objects.get_for_model(about).pk,
        "target_id": about.pk,
    }
    if sms.is_configured() and sms.send(template, to=phone, context=context, fallback=call):
        return SMS
    # Words to say: no link to read out.
    _record_call(phone=phone, message=sms.render(template, {**context, "spoken": True}), **call)
    return CALL


def _record_call(*, due_by, target_type, **fields) -> CallToMake:
    return CallToMake.objects.create(
        due_by=datetime.date.fromisoformat(due_by), target_type_id=target_type, **fields
    )


def call_instead(message) -> CallToMake | None:
    """A text message given up: its person is called, with the same words."""
    if not message.fallback:
        return None
    return _record_call(phone=message.to, message=message.body, **message.fallback)


def mark_called(call: CallToMake, *, actor) -> None:
    CallToMake.objects.filter(pk=call.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=actor
    )


def purge_calls(*, today=None) -> int:
    """Delete the calls whose day passed more than CALLS_KEPT_DAYS ago (a name, a number)."""
    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=settings.CALLS_KEPT_DAYS)
    return CallToMake.objects.filter(due_by__lt=limit).delete()[0]
