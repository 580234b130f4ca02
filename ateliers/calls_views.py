"""The workshops' « À appeler » page: people registered without an e-mail or a mobile reached
by text message, to phone about a freed place, a reminder or a cancelled session."""

from django.views.decorators.http import require_POST

from poitiers_inclusion.calls import call_done, calls_page
from poitiers_inclusion.perms import role_required

from .models import Inscription
from .perms import CALLERS


@role_required(*CALLERS)
def call_list(request):
    return calls_page(
        request,
        targets=Inscription.objects.visible_for(request.user),
        app="ateliers",
        title="Ateliers : personnes à appeler",
        done_url="ateliers:call_done",
        back_url="ateliers:seance_list",
    )


@require_POST
@role_required(*CALLERS)
def call_mark_done(request, pk):
    return call_done(
        request,
        pk,
        targets=Inscription.objects.visible_for(request.user),
        app="ateliers",
        next_url="ateliers:call_list",
    )
