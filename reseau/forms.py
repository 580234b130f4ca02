"""Forms to manage the referential: structures, lieux, contacts, quartiers."""

from django import forms

from .models import Contact, Lieu, Quartier, Structure


class StructureForm(forms.ModelForm):
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


class LieuForm(forms.ModelForm):
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
            "date_maj",
        ]
        widgets = {
            "presentation_detail": forms.Textarea(attrs={"rows": 3}),
            "date_maj": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.active()

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


class ContactForm(forms.ModelForm):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.active()


class QuartierForm(forms.ModelForm):
    class Meta:
        model = Quartier
        fields = ["nom", "code", "qpv", "commune", "latitude", "longitude"]
