"""The donor's answer to the invitation to a ceremony (a public form, reached by the link of
the invitation e-mail)."""

from django import forms

from poitiers_inclusion.forms import Form
from poitiers_inclusion.public_forms import HoneypotMixin

from .enums import ReponseInvitation

MAX_PERSONNES = 20


class ReponseInvitationForm(HoneypotMixin, Form):
    reponse = forms.ChoiceField(
        label="Votre réponse",
        choices=[
            (ReponseInvitation.VIENT, "Oui, nous venons"),
            (ReponseInvitation.NE_VIENT_PAS, "Non, nous ne pourrons pas venir"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez si vous venez."},
    )
    nb_personnes = forms.IntegerField(
        label="Combien de personnes viendront ?",
        required=False,
        min_value=1,
        max_value=MAX_PERSONNES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Indiquez un nombre de personnes, par exemple 2.",
            "min_value": "Indiquez au moins 1 personne.",
            "max_value": f"Au-delà de {MAX_PERSONNES} personnes, répondez à l'e-mail reçu.",
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("reponse") == ReponseInvitation.VIENT and not data.get("nb_personnes"):
            self.add_error("nb_personnes", "Indiquez combien de personnes viendront.")
        return data
