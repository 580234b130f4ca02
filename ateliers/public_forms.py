"""Forms of the public workshop pages: the programme's filters and the registration form."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from poitiers_inclusion import phones
from poitiers_inclusion.fields import PhoneField
from poitiers_inclusion.filters import StyledFilterSet
from poitiers_inclusion.forms import Form
from poitiers_inclusion.public_forms import HoneypotMixin
from poitiers_inclusion.widgets import LargeModelChoiceFilter
from reseau.models import Lieu, Quartier

from .enums import Niveau
from .models import Inscription, Parcours, Seance

# One phone number or e-mail holds at most this many live registrations to upcoming sessions,
# so that nobody (nor any robot) can take every place of the programme.
MAX_UPCOMING_PER_CONTACT = 4


class ProgrammeFilter(StyledFilterSet):
    """The public programme's filters; the choices only list what the programme shows."""

    quartier = django_filters.ModelChoiceFilter(
        label="Quartier",
        field_name="lieu__quartier",
        queryset=Quartier.objects.none(),
        empty_label="Tous les quartiers",
    )
    lieu = LargeModelChoiceFilter(
        label="Lieu", queryset=Lieu.objects.none(), empty_label="Tous les lieux"
    )
    niveau = django_filters.ChoiceFilter(
        label="Niveau",
        field_name="module__niveau",
        choices=Niveau.choices,
        empty_label="Tous les niveaux",
    )
    parcours = django_filters.ModelChoiceFilter(
        label="Parcours",
        field_name="module__parcours",
        queryset=Parcours.objects.none(),
        empty_label="Tous les parcours",
    )

    class Meta:
        model = Seance
        fields = ["quartier", "lieu", "niveau", "parcours"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        # Only the places, neighbourhoods and paths of the period's sessions are offered. EXISTS
        # rather than a DISTINCT join: one probe of an index per choice, however many sessions.
        self.filters["quartier"].queryset = Quartier.objects.filter(
            Exists(queryset.filter(lieu__quartier=OuterRef("pk")))
        ).order_by("nom")
        self.filters["lieu"].queryset = Lieu.objects.filter(
            Exists(queryset.filter(lieu=OuterRef("pk")))
        ).order_by("nom")
        self.filters["parcours"].queryset = Parcours.objects.filter(
            Exists(queryset.filter(module__parcours=OuterRef("pk")))
        ).order_by("ordre", "nom")


def live_registrations_of(*, telephone: str, email: str, today, excluding: Seance | None = None):
    """Live registrations (place or waiting list) of this phone or e-mail to coming sessions."""
    same = Q()
    if telephone:
        same |= Q(phone_number=phones.key(telephone))
    if email:
        same |= Q(usager__email__iexact=email)
    if not same:
        return Inscription.objects.none()
    found = (
        Inscription.objects.actives()
        .filter(seance__date__gte=today, seance__cancelled_at__isnull=True)
        .alias(phone_number=phones.sql_key("usager__phone"))
        .filter(same)
    )
    if excluding is not None:
        found = found.exclude(seance=excluding)
    return found


class RegistrationForm(HoneypotMixin, Form):
    """A resident registers for one session: the least personal data needed to call them."""

    prenom = forms.CharField(
        label="Prénom",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Indiquez votre prénom."},
    )
    nom = forms.CharField(
        label="Nom",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Indiquez votre nom."},
    )
    telephone = PhoneField(
        help_text="Un téléphone ou un e-mail, au moins l'un des deux : pour vous prévenir "
        "d'un changement.",
    )
    email = forms.EmailField(
        label="E-mail",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Pour recevoir la confirmation et le lien d'annulation.",
        error_messages={"invalid": "Cette adresse e-mail n'est pas valide (ex. : nom@exemple.fr)."},
    )
    consent = forms.BooleanField(
        label="J'accepte que mes coordonnées soient enregistrées pour m'inscrire et être "
        "prévenu(e) ; elles sont effacées à ma demande.",
        error_messages={
            "required": "Cochez cette case : sans elle, nous ne pouvons pas vous inscrire."
        },
    )

    def __init__(self, *args, seance: Seance, **kwargs):
        super().__init__(*args, **kwargs)
        self.seance = seance

    def clean_prenom(self):
        return " ".join(self.cleaned_data["prenom"].split())

    def clean_nom(self):
        return " ".join(self.cleaned_data["nom"].split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if "telephone" in self.errors or "email" in self.errors:
            return data
        telephone, email = data.get("telephone", ""), data.get("email", "")
        if not telephone and not email:
            self.add_error(
                "telephone",
                "Indiquez un téléphone ou un e-mail pour que nous puissions vous prévenir.",
            )
            return data
        held = live_registrations_of(
            telephone=telephone,
            email=email,
            today=timezone.localdate(),
            excluding=self.seance,
        ).count()
        if held >= MAX_UPCOMING_PER_CONTACT:
            self.add_error(
                "telephone" if telephone else "email",
                f"Vous êtes déjà inscrit(e) à {held} séances à venir : venez à l'une d'elles, "
                "ou annulez-en une avec le lien reçu, avant de vous inscrire à une autre.",
            )
        return data
