"""Forms to manage the referential: structures, lieux, contacts, quartiers."""

from django import forms
from django.urls import reverse
from django.utils.text import format_lazy

from poitiers_inclusion.attachments import check_attachment, max_size_lazy
from poitiers_inclusion.concurrency import VersionedFormMixin
from poitiers_inclusion.enums import Role
from poitiers_inclusion.forms import EMPTY_CHOICE, Form, ModelForm
from poitiers_inclusion.widgets import (
    LargeModelChoiceField,
    LargeModelMultipleChoiceField,
    LargeSelect,
)

from .enums import PreferenceContact, Reponse, Service, typologie_choices
from .models import (
    Campagne,
    Contact,
    Lieu,
    OffreInternetSociale,
    Orientation,
    Quartier,
    Reunion,
    Structure,
)


def _group_typologies(form, name: str) -> None:
    """data·inclusion's list is long: the network's usual typologies first, then the others;
    a code outside the list, kept from an import, stays offered (and checked)."""
    if name in form.fields:
        form.fields[name].choices = typologie_choices(getattr(form.instance, name, None) or [])


class StructureForm(VersionedFormMixin, ModelForm):
    class Meta:
        model = Structure
        fields = [
            "nom",
            "pivot",
            "typologies",
            "quartiers",
            "services",
            "publics",
            "adresse",
            "code_postal",
            "commune",
            "telephone",
            "courriel",
            "site_web",
            "horaires",
            "presentation",
        ]
        widgets = {
            "quartiers": forms.CheckboxSelectMultiple,
            "presentation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _group_typologies(self, "typologies")


class LieuForm(VersionedFormMixin, ModelForm):
    """A lieu edited in the app; its `date_maj` (national standard) becomes the day of the edit,
    so it is not a field here."""

    class Meta:
        model = Lieu
        fields = [
            "nom",
            "structure",
            "pivot",
            "adresse",
            "complement_adresse",
            "code_postal",
            "commune",
            "code_insee",
            "quartier",
            "latitude",
            "longitude",
            "typologie",
            "telephone",
            "courriels",
            "site_web",
            "horaires",
            "connexion_solidaire",
            "accessibilite",
            "presentation_resume",
            "presentation_detail",
            "services",
            "publics_specifiquement_adresses",
            "prise_en_charge_specifique",
            "frais_a_charge",
            "modalites_acces",
            "modalites_accompagnement",
            "dispositif_programmes_nationaux",
            "formations_labels",
            "autres_formations_labels",
            "itinerance",
            "structure_parente",
            "fiche_acces_libre",
            "prise_rdv",
            "source",
        ]
        widgets = {"presentation_detail": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"structure": LargeModelChoiceField, "quartier": LargeModelChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.active()
        _group_typologies(self, "typologie")

    def save(self, commit=True):
        self.instance.mark_updated()
        return super().save(commit=commit)

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error("longitude", "Renseignez la latitude et la longitude ensemble.")
        if lat is not None and not -90 <= lat <= 90:
            self.add_error("latitude", "La latitude est comprise entre -90 et 90.")
        if lon is not None and not -180 <= lon <= 180:
            self.add_error("longitude", "La longitude est comprise entre -180 et 180.")
        return data


class ContactForm(ModelForm):
    class Meta:
        model = Contact
        fields = [
            "structure",
            "prenom",
            "nom",
            "fonction",
            "courriel",
            "telephone",
            "referent_numerique",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"structure": LargeModelChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.active()


class OffreInternetSocialeForm(ModelForm):
    class Meta:
        model = OffreInternetSociale
        fields = ["offre", "fournisseur", "prix", "conditions", "lien", "structures"]
        localized_fields = ["prix"]  # "15,99", as people write it in French
        error_messages = {"prix": {"invalid": "Indiquez le prix en euros, par exemple 15,99."}}
        widgets = {
            "prix": forms.TextInput(attrs={"inputmode": "decimal"}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"structures": LargeModelMultipleChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structures"].queryset = Structure.objects.active()


class QuartierForm(ModelForm):
    class Meta:
        model = Quartier
        fields = ["nom", "code", "qpv", "commune", "latitude", "longitude"]


# --- Update campaigns ---------------------------------------------------------------------


class CampagneForm(ModelForm):
    class Meta:
        model = Campagne
        fields = ["titre", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}


class ComparedWithRecordMixin:
    """has_changed() compares with the record. Array fields with a callable default ask for a
    hidden copy of the initial value (show_hidden_initial), which crispy does not render:
    without this, every non-empty list would count as changed, and an untouched form could
    never count as a confirmation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = False


class StructureUpdateForm(ComparedWithRecordMixin, ModelForm):
    """What a structure's contact may correct through the campaign link."""

    class Meta:
        model = Structure
        fields = [
            "nom",
            "adresse",
            "code_postal",
            "commune",
            "telephone",
            "courriel",
            "site_web",
            "horaires",
            "services",
            "publics",
            "quartiers",
            "presentation",
        ]
        widgets = {
            "quartiers": forms.CheckboxSelectMultiple,
            "presentation": forms.Textarea(attrs={"rows": 3}),
        }


class LieuUpdateForm(ComparedWithRecordMixin, ModelForm):
    """What a structure's contact may correct of each of its lieux through the campaign link:
    the facts the public map, the coverage matrix and the open data show."""

    class Meta:
        model = Lieu
        fields = [
            "horaires",
            "services",
            "telephone",
            "courriels",
            "site_web",
            "connexion_solidaire",
            "accessibilite",
        ]


# edit_only: the link corrects the structure's existing lieux, it never creates one.
LieuUpdateFormSet = forms.modelformset_factory(
    Lieu, form=LieuUpdateForm, extra=0, can_delete=False, edit_only=True
)


# --- Network meetings ---------------------------------------------------------------------


class ReunionForm(ModelForm):
    class Meta:
        model = Reunion
        fields = ["type", "titre", "date", "lieu", "lieu_precision", "ordre_du_jour"]
        widgets = {
            "date": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ordre_du_jour": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"lieu": LargeModelChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lieu"].queryset = Lieu.objects.active()


class CompteRenduForm(ModelForm):
    class Meta:
        model = Reunion
        fields = ["compte_rendu", "rapport"]
        widgets = {"compte_rendu": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "rapport": format_lazy(
                "PDF, tableur ou document bureautique, {} au plus.", max_size_lazy()
            )
        }

    def clean_rapport(self):
        return check_attachment(
            self.cleaned_data.get("rapport"),
            ("pdf", "xlsx", "docx", "pptx", "odt", "ods", "odp"),
        )


class InvitationForm(Form):
    ALL, REFERENTS = "tous", "referents"
    destinataires = forms.ChoiceField(
        label="Qui inviter",
        choices=[
            (ALL, "Tous les contacts actifs du réseau"),
            (REFERENTS, "Les référents numériques de chaque structure"),
        ],
        widget=forms.RadioSelect,
        initial=ALL,
    )
    structures = forms.ModelMultipleChoiceField(
        label="Limiter à ces structures (facultatif)",
        queryset=Structure.objects.active(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def contacts(self):
        qs = Contact.objects.active().select_related("structure").exclude(courriel="")
        if self.cleaned_data["destinataires"] == self.REFERENTS:
            qs = qs.filter(referent_numerique=True)
        if self.cleaned_data["structures"]:
            qs = qs.filter(structure__in=self.cleaned_data["structures"])
        return qs


class RsvpForm(Form):
    reponse = forms.ChoiceField(
        label="Votre réponse",
        choices=[
            (Reponse.OUI, "Je serai présent(e)"),
            (Reponse.NON, "Je ne pourrai pas venir"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une réponse."},
    )


# --- Orientations -------------------------------------------------------------------------


class OrientationForm(ModelForm):
    # The person oriented: never kept in the browser's draft (DESIGN §9).
    not_in_drafts = (*Orientation.PERSONAL_FIELDS, "consentement")

    consentement = forms.BooleanField(
        label="La personne a donné son accord pour que ces informations soient transmises à la "
        "structure d'accueil.",
        error_messages={
            "required": "Sans l'accord de la personne, l'orientation ne peut pas être envoyée."
        },
    )

    class Meta:
        model = Orientation
        fields = [
            "structure_origine",
            "besoin",
            "structure_destination",
            "prenom",
            "nom",
            "telephone",
            "courriel",
            "preference_contact",
            "situation",
            "piece_jointe",
        ]
        widgets = {
            "situation": forms.Textarea(attrs={"rows": 4}),
            "structure_origine": LargeSelect,
            "structure_destination": LargeSelect,
        }
        field_classes = {
            "structure_origine": LargeModelChoiceField,
            "structure_destination": LargeModelChoiceField,
        }
        help_texts = {
            "piece_jointe": format_lazy("Facultatif. PDF, JPG ou PNG, {} au plus.", max_size_lazy())
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        structures = Structure.objects.active()
        self.fields["structure_destination"].queryset = structures
        if user.role == Role.PRESCRIPTEUR:
            # A prescripteur always sends from their own structure.
            del self.fields["structure_origine"]
            self.instance.structure_origine_id = user.structure_id
            self.fields["structure_destination"].queryset = structures.exclude(pk=user.structure_id)
        else:
            self.fields["structure_origine"].queryset = structures
        self._offer_matching_structures_first()

    def _need(self) -> str | None:
        need = self.data.get("besoin") if self.is_bound else self.initial.get("besoin")
        return need if need in Service.values else None

    def _offer_matching_structures_first(self) -> None:
        """The structures that declare the chosen need come first, in a group of their own:
        the others stay offered (a partner's list of services may be incomplete). Validation
        still goes through the field's queryset."""
        field = self.fields["structure_destination"]
        # With JavaScript, htmx swaps in the list sorted by the server (the person's details
        # stay out of the address); without it, the "Mettre à jour la liste" button does.
        self.fields["besoin"].widget.attrs.update(
            {
                "hx-get": reverse("reseau:orientation_create"),
                "hx-trigger": "change",
                "hx-target": "#div_id_structure_destination",
                "hx-swap": "outerHTML",
                "hx-include": "[name='structure_destination']",
            }
        )
        need = self._need()
        if need is None:
            field.help_text = (
                "Choisissez d'abord le besoin : les structures qui proposent ce service "
                "seront en tête de liste."
            )
            return
        structures = list(field.queryset.values_list("pk", "nom", "services"))
        offering = [(pk, nom) for pk, nom, services in structures if need in (services or [])]
        if not offering:
            field.help_text = (
                "Aucune structure ne déclare proposer ce service : toutes sont listées."
            )
            return
        others = [(pk, nom) for pk, nom, services in structures if need not in (services or [])]
        field.choices = [
            ("", EMPTY_CHOICE),
            (f"Proposent « {Service(need).label} »", offering),
            *([("Autres structures", others)] if others else []),
        ]
        count = len(offering)
        field.help_text = (
            f"{count} structure{'s' if count > 1 else ''} "
            f"propose{'nt' if count > 1 else ''} ce service : en tête de liste."
        )

    def clean_piece_jointe(self):
        return check_attachment(
            self.cleaned_data.get("piece_jointe"), ("pdf", "jpg", "jpeg", "png")
        )

    def clean(self):
        data = super().clean()
        origin = data.get("structure_origine") or self.instance.structure_origine_id
        destination = data.get("structure_destination")
        origin_id = getattr(origin, "pk", origin)
        if destination and origin_id == destination.pk:
            self.add_error(
                "structure_destination", "Choisissez une autre structure que celle qui oriente."
            )
        preference = data.get("preference_contact")
        if preference in (PreferenceContact.TELEPHONE, PreferenceContact.SMS) and not data.get(
            "telephone"
        ):
            self.add_error("telephone", "Indiquez un téléphone pour être recontacté ainsi.")
        if preference == PreferenceContact.COURRIEL and not data.get("courriel"):
            self.add_error("courriel", "Indiquez une adresse e-mail pour être recontacté ainsi.")
        return data


class ReponseOrientationForm(Form):
    ACCEPT, REFUSE = "valider", "refuser"
    decision = forms.ChoiceField(
        label="Décision",
        choices=[(ACCEPT, "Accepter l'orientation"), (REFUSE, "Refuser l'orientation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez d'accepter ou de refuser."},
    )
    motif = forms.CharField(
        label="Motif du refus",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire en cas de refus ; il sera lu par la structure qui oriente.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REFUSE and not data.get("motif", "").strip():
            self.add_error("motif", "Indiquez pourquoi vous refusez cette orientation.")
        return data
