"""The coordinator's « Déplacer » action, reached from the attendance page: a permanence moves to
another lieu in one step (moves.move_permanence)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from poitiers_inclusion.perms import STAFF, role_required

from . import moves
from .models import Permanence
from .schedule_forms import MovePermanenceForm


def _told_message(result: moves.MoveResult) -> str:
    told = sum(result.told.values())
    if not told:
        return "Aucun rendez-vous n'était pris après cette date."
    message = f"{told} personne{'s' if told > 1 else ''} ayant rendez-vous {'sont' if told > 1 else 'est'} prévenue{'s' if told > 1 else ''}"
    if result.to_call:
        message += f", dont {result.to_call} à appeler (liste « À appeler »)"
    return message + "."


@role_required(*STAFF)
def permanence_move(request, pk):
    permanence = get_object_or_404(
        Permanence.objects.visible_for(request.user).select_related("lieu"), pk=pk
    )
    form = MovePermanenceForm(
        data=request.POST or None,
        permanence=permanence,
        initial={"day": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = moves.move_permanence(
                permanence=permanence,
                lieu=form.cleaned_data["lieu"],
                day=form.cleaned_data["day"],
                actor=request.user,
            )
        except moves.MoveError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                f"La permanence déménage le {result.permanence.valid_from:%d/%m/%Y} : désormais "
                f"à « {result.permanence.lieu} ». {_told_message(result)}",
            )
            return redirect("permanences:attendance")
    return render(
        request,
        "permanences/schedule/move.html",
        {"form": form, "permanence": permanence, "moved_to": getattr(permanence, "moved_to", None)},
    )
