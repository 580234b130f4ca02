"""Every e-mail the application sends: a subject and a body rendered from two plain-text
templates, links made absolute with SITE_URL, recipients cleaned."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, engines
from django.urls import reverse


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
    and SITE_URL) to `to`, an address or several. Nothing is sent to nobody: returns whether a
    message went."""
    addresses = recipients(to)
    if not addresses:
        return False
    context = {"CITY_NAME": settings.CITY_NAME, "SITE_URL": settings.SITE_URL, **(context or {})}
    # A subject is one line, whatever the template's line breaks.
    subject = " ".join(_render(f"{template}_subject.txt", context).split())
    body = _render(f"{template}.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, addresses).send()
    return True
