"""The residents' form to book a time at a drop-in desk."""

import datetime

from django import forms

from poitiers_inclusion.fields import PhoneField
from poitiers_inclusion.forms import Form
from poitiers_inclusion.public_forms import HoneypotMixin

from .models import BesoinRendezVous


class BookingForm(HoneypotMixin, Form):
    """A resident books a time on a bookable slot: the least personal data needed."""

    heure = forms.TypedChoiceField(
        label="Horaire",
        widget=forms.RadioSelect,
        coerce=lambda value: datetime.time.fromisoformat(value),
        error_messages={
            "required": "Choisissez un horaire.",
            "invalid_choice": "Cet horaire n'est plus libre : choisissez-en un autre.",
        },
    )
    nom = forms.CharField(
        label="Votre nom",
        max_length=100,
        help_text="Nom ou prénom : pour vous accueillir.",
        error_messages={"required": "Indiquez votre nom pour que nous puissions vous accueillir."},
    )
    telephone = PhoneField(help_text="Un téléphone ou un e-mail, au moins l'un des deux.")
    email = forms.EmailField(
        label="E-mail",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Pour recevoir la confirmation et un rappel.",
        error_messages={"invalid": "Cette adresse e-mail n'est pas valide (ex. : nom@exemple.fr)."},
    )
    besoin = forms.ChoiceField(
        label="Pour quoi avez-vous besoin d'aide ?",
        choices=BesoinRendezVous.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Dites-nous pour quoi vous avez besoin d'aide."},
    )
    precision = forms.CharField(
        label="Précision (facultatif)",
        max_length=200,
        required=False,
        help_text="N'écrivez ni mot de passe, ni numéro de dossier.",
    )
    consent = forms.BooleanField(
        label="J'accepte d'être contacté(e) au sujet de ce rendez-vous. Mes coordonnées sont "
        "effacées 30 jours après.",
        error_messages={"required": "Cochez cette case pour que nous puissions vous contacter."},
    )

    def __init__(self, *args, times=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_times(times)

    def set_times(self, times):
        self.fields["heure"].choices = [(t.strftime("%H:%M"), t.strftime("%Hh%M")) for t in times]

    def clean_nom(self):
        return " ".join(self.cleaned_data["nom"].split())

    def clean(self):
        data = super().clean()
        if (
            not data.get("telephone")
            and not data.get("email")
            and "telephone" not in self.errors
            and "email" not in self.errors
        ):
            self.add_error(
                "telephone",
                "Indiquez un téléphone ou un e-mail pour que nous puissions vous joindre.",
            )
        return data
