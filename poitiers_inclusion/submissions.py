"""One-time submission tokens: a form that creates something is processed once, however many
times it is sent (a double tap, the back button then "send" again, a retry after a timeout).

A form's template renders `{% submission_token %}` (kernel_tags) inside the <form>: a hidden
field holding a new random token. SubmissionTokenMiddleware records the token when the POST
arrives, before the view runs:

- first sending: the view runs. If it answers with a redirect (post/redirect/get: it saved), the
  token is kept with the address it led to; any other answer (the form shown again with its
  errors, a refusal, an error page) forgets the token, so the person may correct and send again.
- the same token again: the view does not run; the person is sent where the first sending led,
  with a message saying the form had already been sent and nothing was saved twice. A view may
  name a better place for the replay (the record itself) with `replay_to(request, url)`.
- the same token while the first sending is still being processed (two taps at the same
  instant): it waits for the first, a few seconds at most, then answers as above, or says the
  form is already being sent (409) with a link.

Tokens are purged after TOKEN_DAYS by the scheduled job `purge_submission_tokens` (jobs.py).
"""

import datetime
import time
import uuid

from django.contrib import messages
from django.db import DatabaseError, connection
from django.shortcuts import redirect, render
from django.utils import timezone

from .models import SubmissionToken

FIELD = "submission_token"
# A sent form older than this is not recognised any more (the same data would be saved again).
TOKEN_DAYS = 7
# A first sending still unfinished after this died with its process: a new sending takes over.
ABANDONED_AFTER = datetime.timedelta(minutes=2)
# How long a second sending waits for the first one to finish.
WAIT_FOR_FIRST = 10.0
POLL_EVERY = 0.1

ALREADY_SENT = (
    "Ce formulaire a déjà été envoyé : il n'a pas été enregistré une seconde fois. "
    "Voici où son premier envoi vous a mené."
)
# Tags the message so that the browser forgets the draft of the form (static/js/drafts.js):
# the first sending was saved.
DRAFT_SAVED = "draft-saved"


def new_token() -> uuid.UUID:
    return uuid.uuid4()


def replay_to(request, url: str) -> None:
    """Where a second sending of this form should lead (default: where this answer redirects)."""
    request.submission_replay_to = url


def _token(request) -> uuid.UUID | None:
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def _user_id(request):
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _claim(token, request) -> bool:
    """Record the token as being processed; False when it was already recorded."""
    table = SubmissionToken._meta.db_table
    with connection.cursor() as cursor:
        # One statement, no savepoint: the request's own queries stay few.
        cursor.execute(
            f"INSERT INTO {table} (token, user_id, path, created_at, redirect_to) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, '') ON CONFLICT (token) DO NOTHING RETURNING token",
            [token, _user_id(request), request.path[:500], timezone.now()],
        )
        if cursor.fetchone() is not None:
            return True
    # Taken over only when its first sending died (no answer recorded for a long time).
    return bool(
        SubmissionToken.objects.filter(
            token=token,
            user_id=_user_id(request),
            completed_at__isnull=True,
            created_at__lt=timezone.now() - ABANDONED_AFTER,
        ).update(created_at=timezone.now())
    )


def _finished(token, request):
    """The first sending's record once it is finished (waiting for it a little), else None."""
    deadline = time.monotonic() + WAIT_FOR_FIRST
    while True:
        first = SubmissionToken.objects.filter(token=token).first()
        if first is None or first.completed_at is not None or time.monotonic() > deadline:
            return first
        time.sleep(POLL_EVERY)


def _replay(request, token):
    first = _finished(token, request)
    if first is None:
        # The first sending failed meanwhile and was forgotten: this one may go through.
        return None
    same_person = first.user_id == _user_id(request)
    if first.completed_at is not None and first.redirect_to and same_person:
        messages.info(request, ALREADY_SENT, extra_tags=DRAFT_SAVED)
        return redirect(first.redirect_to)
    return _already_sent_page(request, in_progress=first.completed_at is None)


def _already_sent_page(request, *, in_progress: bool):
    return render(
        request,
        "kernel/already_sent.html",
        {"in_progress": in_progress, "form_url": request.path},
        status=409,
    )


def _record(token, request, response) -> None:
    try:
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            target = getattr(request, "submission_replay_to", None) or response["Location"]
            SubmissionToken.objects.filter(token=token).update(
                completed_at=timezone.now(), redirect_to=target[:2000]
            )
        else:
            SubmissionToken.objects.filter(token=token, completed_at__isnull=True).delete()
    except DatabaseError:
        # The database went away during the request (its 503 is the answer): the token stays
        # unfinished and is taken over by the next sending after ABANDONED_AFTER.
        pass


class SubmissionTokenMiddleware:
    """Processes each POST carrying a submission token once (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _token(request)
        if token is None:
            return self.get_response(request)
        if not _claim(token, request):
            replayed = _replay(request, token)
            if replayed is not None:
                return replayed
            if not _claim(token, request):
                return _already_sent_page(request, in_progress=True)
        response = self.get_response(request)
        _record(token, request, response)
        return response


def purge(*, now=None) -> int:
    limit = (now or timezone.now()) - datetime.timedelta(days=TOKEN_DAYS)
    return SubmissionToken.objects.filter(created_at__lt=limit).delete()[0]
