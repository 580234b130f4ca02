"""The drop-ins' « À appeler » page: people who booked without an e-mail or a mobile reached by
text message, to phone about their appointment."""

from django.views.decorators.http import require_POST

from poitiers_inclusion.calls import call_done, calls_page
from poitiers_inclusion.perms import role_required

from .models import RendezVous
from .perms import CALLERS


@role_required(*CALLERS)
def call_list(request):
    return calls_page(
        request,
        targets=RendezVous.objects.visible_for(request.user),
        app="permanences",
        title="Rendez-vous : personnes à appeler",
        done_url="permanences:call_done",
        back_url="permanences:agenda",
    )


@require_POST
@role_required(*CALLERS)
def call_mark_done(request, pk):
    return call_done(
        request,
        pk,
        targets=RendezVous.objects.visible_for(request.user),
        app="permanences",
        next_url="permanences:call_list",
    )
