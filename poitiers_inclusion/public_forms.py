"""Defences of the forms anyone can send without an account (booking, workshop registration,
computer donation offer, password reset): a trap field for robots and a rate per client.

A form adds the trap with HoneypotMixin and its template includes "includes/honeypot.html";
the view passes the POST through PublicPost before writing anything:

    guard = PublicPost(request, form, scope="permanences.booking")
    if guard.trapped:
        return guard.decoy()
    if guard.accepts():
        ...  # the form is valid and the client under its rate: write, redirect
    return render(request, template, context, status=guard.status)
"""

import logging

from django import forms
from django.shortcuts import redirect

from . import throttle

HONEYPOT_FIELD = "site_web"

logger = logging.getLogger(__name__)


class HoneypotField(forms.CharField):
    """Hidden from people and assistive technology (see includes/honeypot.html); scripts that
    fill every field fill it. Whatever it holds, it cleans to "" and never shows an error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Laissez ce champ vide")
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"class": "form-control", "tabindex": "-1", "autocomplete": "off"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return ""


class HoneypotMixin:
    """Adds the trap field to a public form (rendered by includes/honeypot.html)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = HoneypotField()


def rate_limited_message(wait_seconds: int) -> str:
    return (
        "Beaucoup de demandes ont été envoyées depuis votre connexion internet en peu de temps. "
        f"Réessayez dans {throttle.wait_in_words(wait_seconds)} : ce que vous avez saisi est "
        "conservé ci-dessous."
    )


class PublicPost:
    """The checks a public form's POST passes before anything is written."""

    def __init__(self, request, form, *, scope: str):
        self.request = request
        self.form = form
        self.scope = scope
        self.status = 200
        self.trapped = request.method == "POST" and bool(
            request.POST.get(HONEYPOT_FIELD, "").strip()
        )

    def decoy(self):
        """What a robot that filled the trap gets: nothing written, and an answer that looks
        like any successful sending (a redirect to a neutral thank-you page)."""
        throttle.count_submission(self.request, self.scope)
        logger.info("Formulaire public %s : champ piège rempli, rien n'est enregistré.", self.scope)
        return redirect("public_form_sent")

    def accepts(self) -> bool:
        """True when the POST may be processed: valid, and the client under its rate (then it
        is counted). Over the rate, the form says how long to wait, keeps what was typed, and
        the page answers 429."""
        if self.request.method != "POST" or self.trapped:
            return False
        wait = throttle.rate_wait(self.request, self.scope)
        if wait:
            self.status = 429
            self.form.add_error(None, rate_limited_message(wait))
            return False
        if not self.form.is_valid():
            return False
        throttle.count_submission(self.request, self.scope)
        return True
