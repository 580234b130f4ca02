"""The « À appeler » pages: the residents that no e-mail or text message reaches (reach.py),
with their number and what to tell them. Each app has its page, listing the calls about the
records its user may see; this module holds what those pages share."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from . import reach
from .audit import log_event
from .models import CallToMake
from .paging import paginate

PER_PAGE = 50


def calls_page(request, *, targets, app: str, title: str, done_url: str, back_url: str):
    """The calls still to make about `targets` (a queryset scoped to the user)."""
    calls = CallToMake.objects.pending().filter(app=app).about(targets)
    page, querystring = paginate(request, calls, PER_PAGE)
    return render(
        request,
        "kernel/calls.html",
        {
            "page": page,
            "querystring": querystring,
            "title": title,
            "done_url": done_url,
            "back_url": back_url,
        },
    )


def call_done(request, pk, *, targets, app: str, next_url: str):
    """Mark a call made (POST): it leaves the list; the audit log keeps who called."""
    call = get_object_or_404(CallToMake.objects.filter(app=app).about(targets), pk=pk)
    reach.mark_called(call, actor=request.user)
    log_event(actor=request.user, action="kernel.call.done", target=call)
    messages.success(request, f"Appel noté comme fait : {call.reason}.")
    return redirect(next_url)
