"""The coordinator's list of the lieux an import created: each is confirmed as a new lieu (then
published) or merged into the lieu it duplicates."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from poitiers_inclusion.errors import ServiceError
from poitiers_inclusion.forms import Form
from poitiers_inclusion.perms import STAFF, role_required

from .. import referentiel
from ..models import Lieu


class MergeForm(Form):
    into = forms.ModelChoiceField(
        label="C'est le même lieu que", queryset=Lieu.objects.none(), empty_label="Choisir un lieu"
    )

    def __init__(self, *args, lieu, **kwargs):
        super().__init__(*args, prefix=f"lieu-{lieu.pk}", **kwargs)
        self.fields["into"].queryset = Lieu.objects.published().order_by("nom")
        if lieu.suggested_match_id and not self.is_bound:
            self.initial["into"] = lieu.suggested_match_id


def _awaiting():
    return Lieu.objects.awaiting().select_related("suggested_match").order_by("nom", "pk")


@role_required(*STAFF)
def lieux_a_confirmer(request, forms_by_pk=None):
    lieux = list(_awaiting())
    forms_by_pk = forms_by_pk or {}
    rows = [(lieu, forms_by_pk.get(lieu.pk) or MergeForm(lieu=lieu)) for lieu in lieux]
    return render(request, "reseau/lieux_a_confirmer.html", {"rows": rows})


@require_POST
@role_required(*STAFF)
def lieu_confirm(request, pk):
    lieu = get_object_or_404(_awaiting(), pk=pk)
    referentiel.confirm_lieu(lieu=lieu, actor=request.user)
    messages.success(request, f"« {lieu} » est confirmé : il est publié sur la carte et l'export.")
    return redirect("reseau:lieux_a_confirmer")


@require_POST
@role_required(*STAFF)
def lieu_merge(request, pk):
    lieu = get_object_or_404(_awaiting(), pk=pk)
    form = MergeForm(data=request.POST, lieu=lieu)
    if form.is_valid():
        into = form.cleaned_data["into"]
        try:
            moved = referentiel.merge_lieu(lieu=lieu, into=into, actor=request.user)
        except ServiceError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                f"« {lieu} » est fusionné dans « {into} » : {moved} enregistrement(s) rattaché(s).",
            )
            return redirect("reseau:lieux_a_confirmer")
    return lieux_a_confirmer(request, forms_by_pk={lieu.pk: form})
