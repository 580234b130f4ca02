"""The e-mails that could not be sent, for the admin and the coordinator: what, to whom, why,
and a button to try again."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import mail
from .audit import log_event
from .models import OutgoingEmail, OutgoingEmailAttachment
from .paging import paginate
from .perms import STAFF, role_required


@role_required(*STAFF)
def outbox_list(request):
    # The files' names only: their bytes stay in the database until the message is sent.
    files = Prefetch("attachments", OutgoingEmailAttachment.objects.defer("content"))
    undelivered = OutgoingEmail.objects.undelivered().prefetch_related(files)
    page, querystring = paginate(request, undelivered, 50)
    return render(
        request,
        "kernel/outbox_list.html",
        {"page": page, "querystring": querystring, "max_attempts": mail.MAX_ATTEMPTS},
    )


@require_POST
@role_required(*STAFF)
def outbox_retry(request, pk):
    message = get_object_or_404(OutgoingEmail.objects.undelivered(), pk=pk)
    counts = mail.retry(message)
    log_event(actor=request.user, action="kernel.email.retried", target=message)
    if counts["envoyes"]:
        messages.success(request, f"L'e-mail « {message.subject} » est parti.")
    else:
        message.refresh_from_db()
        messages.error(
            request,
            f"L'e-mail « {message.subject} » n'a toujours pas pu partir : {message.last_error}",
        )
    return redirect("kernel:outbox_list")
