"""Forms of the workshop pages: the inventory's filters, receiving a batch, a device's state,
its storage, the evidence of erasure, the functional checklist and its description."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.text import format_lazy

from poitiers_inclusion.attachments import check_attachment, max_size_lazy
from poitiers_inclusion.concurrency import VersionedFormMixin
from poitiers_inclusion.filters import StyledFilterSet
from poitiers_inclusion.forms import Form, ModelForm
from poitiers_inclusion.widgets import LargeModelChoiceField

from .enums import (
    REQUIRED,
    Etat,
    MethodeEffacement,
    StatutDon,
    TypeAppareil,
    TypeStockage,
    checklist_for,
    not_applicable_for,
)
from .models import Don, Effacement, Ordinateur, Stockage

# What erasure tools write (nwipe and ShredOS: PDF or text logs; Blancco: PDF or XML), and photos.
REPORT_FORMATS = ("pdf", "txt", "log", "xml", "json", "csv", "html", "jpg", "jpeg", "png")
ATTACHMENT_FORMATS = ("pdf", "jpg", "jpeg", "png")

# Leaving the normal path: the note says why (the breakdown, the cause of a loss…).
EXITS_WITH_REASON = (Etat.EN_REPARATION, Etat.NON_REEMPLOYABLE, Etat.PERDU, Etat.RETOURNE)
# Overwriting methods: the number of passes is part of the evidence.
OVERWRITE_METHODS = (MethodeEffacement.NIST_CLEAR, MethodeEffacement.REECRITURE)


# --- The inventory ------------------------------------------------------------------------------


def don_label(donateur: str, offered_on: datetime.date) -> str:
    return f"{donateur} — {offered_on:%d/%m/%Y}"


class DonChoiceField(LargeModelChoiceField):
    """A batch among the programme's thousands: its donor and the day it was offered."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_fields", ("donateur__nom", "offered_on"))
        kwargs.setdefault("row_label", don_label)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return don_label(obj.donateur.nom, obj.offered_on)


def search_devices(queryset, text: str):
    """Devices whose number, brand, model or serial number (or a disk's) contains every word."""
    for word in text.split()[:4]:
        disk = Stockage.objects.filter(ordinateur=OuterRef("pk"), numero_serie__icontains=word)
        queryset = queryset.filter(
            Q(numero__icontains=word)
            | Q(marque__icontains=word)
            | Q(modele__icontains=word)
            | Q(numero_serie__icontains=word)
            | Exists(disk)
        )
    return queryset


class OrdinateurFilter(StyledFilterSet):
    q = django_filters.CharFilter(label="Recherche", method="filter_text")
    etat = django_filters.ChoiceFilter(
        label="État", choices=Etat.choices, empty_label="Tous les états"
    )
    type = django_filters.ChoiceFilter(
        label="Type", choices=TypeAppareil.choices, empty_label="Tous les types"
    )
    don = django_filters.ModelChoiceFilter(
        label="Don",
        queryset=Don.objects.select_related("donateur").order_by("-offered_on", "-pk"),
        empty_label="Tous les dons",
    )

    class Meta:
        model = Ordinateur
        fields = ["q", "etat", "type", "don"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["don"].field_class = DonChoiceField
        search = self.form.fields["q"].widget
        search.input_type = "search"
        search.attrs["placeholder"] = "Numéro, marque, modèle, n° de série"

    def filter_text(self, queryset, name, value):
        return search_devices(queryset, value)


# --- Receiving a batch --------------------------------------------------------------------------


class ReceptionForm(Form):
    don = DonChoiceField(
        label="Don",
        queryset=Don.objects.none(),
        required=False,
        empty_label="Sans don (appareil reçu hors lot)",
        help_text="Le lot dont viennent ces appareils, s'il a été enregistré dans « Dons ».",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["don"].queryset = (
            Don.objects.visible_for(user)
            .exclude(statut=StatutDon.ANNULE)
            .select_related("donateur")
            .order_by("-offered_on", "-pk")
        )
        self.fields["don"].error_messages["invalid_choice"] = (
            "Ce don n'est plus proposé : choisissez-en un autre."
        )


class DeviceForm(Form):
    """One line of a batch: the device and its storage (more storages are added on its page)."""

    type = forms.ChoiceField(label="Type", choices=TypeAppareil.choices, initial="portable")
    marque = forms.CharField(label="Marque", max_length=60, required=False)
    modele = forms.CharField(label="Modèle", max_length=100, required=False)
    numero_serie = forms.CharField(label="Numéro de série", max_length=100, required=False)
    processeur = forms.CharField(label="Processeur", max_length=100, required=False)
    memoire_go = forms.IntegerField(
        label="Mémoire vive (Go)",
        min_value=0,
        max_value=1024,
        required=False,
        error_messages={"invalid": "Indiquez la mémoire en Go, en chiffres."},
    )
    stockage_type = forms.ChoiceField(
        label="Stockage : type",
        choices=[("", "Aucun ou inconnu"), *TypeStockage.choices],
        required=False,
    )
    stockage_capacite_go = forms.IntegerField(
        label="Stockage : capacité (Go)",
        min_value=1,
        required=False,
        error_messages={"invalid": "Indiquez la capacité en Go, en chiffres."},
    )
    stockage_numero_serie = forms.CharField(
        label="Stockage : numéro de série", max_length=100, required=False
    )

    DESCRIPTIVE = (
        "marque",
        "modele",
        "numero_serie",
        "processeur",
        "memoire_go",
        "stockage_type",
        "stockage_capacite_go",
        "stockage_numero_serie",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("memoire_go", "stockage_capacite_go"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def has_changed(self):
        """A line counts when something is typed or another type chosen, whatever it showed
        before (a line kept from a previous round shows what was typed)."""
        if not self.is_bound:
            return False
        typed = any((self.data.get(self.add_prefix(n)) or "").strip() for n in self.DESCRIPTIVE)
        kind = self.data.get(self.add_prefix("type")) or self.fields["type"].initial
        return typed or kind != self.fields["type"].initial

    def clean(self):
        data = super().clean()
        if not data.get("stockage_type") and (
            data.get("stockage_capacite_go") or data.get("stockage_numero_serie")
        ):
            self.add_error("stockage_type", "Choisissez le type du support de stockage.")
        return data

    def device(self) -> dict:
        """The values receive_devices takes."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in ("type", "marque", "modele", "numero_serie", "processeur", "memoire_go")
        }
        values["marque"], values["modele"] = values["marque"].strip(), values["modele"].strip()
        if data.get("stockage_type"):
            values["stockages"] = [
                {
                    "type": data["stockage_type"],
                    "capacite_go": data["stockage_capacite_go"],
                    "numero_serie": data["stockage_numero_serie"],
                }
            ]
        return values


MAX_LINES = 50


class BaseDeviceFormSet(BaseFormSet):
    """The lines of a batch. `rows` refill the lines when one more is asked for (without JS)."""

    def __init__(self, *args, rows=(), **kwargs):
        self.rows = list(rows)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.rows):
            kwargs["initial"] = self.rows[index]
        return kwargs

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.cleaned_data for form in self.forms):
            raise forms.ValidationError("Décrivez au moins un appareil.")
        serials = [
            form.cleaned_data["numero_serie"].strip().upper()
            for form in self.forms
            if form.cleaned_data and form.cleaned_data["numero_serie"].strip()
        ]
        twice = sorted({s for s in serials if serials.count(s) > 1})
        if twice:
            raise forms.ValidationError(
                f"Ce numéro de série figure sur deux lignes : {', '.join(twice)}."
            )

    def devices(self) -> list[dict]:
        return [form.device() for form in self.forms if form.cleaned_data]


def device_formset(*, data=None, lines=3, rows=()):
    lines = max(1, min(lines, MAX_LINES))
    formset_class = formset_factory(
        DeviceForm,
        formset=BaseDeviceFormSet,
        extra=lines,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES,
        validate_max=True,
    )
    return formset_class(data=data, prefix="appareils", rows=rows)


def typed_rows(data, prefix="appareils") -> list[dict]:
    """The values typed on each line of a submitted batch, to show them again."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    names = ("type", *DeviceForm.DESCRIPTIVE)
    return [
        {name: data.get(f"{prefix}-{i}-{name}", "") for name in names}
        for i in range(min(total, MAX_LINES))
    ]


# --- A device's page ----------------------------------------------------------------------------


class MoveForm(Form):
    # Every state but those a household's request sets: the service says which may follow.
    vers = forms.ChoiceField(
        label="Nouvel état",
        choices=[(e.value, e.label) for e in Etat if e not in (Etat.RESERVE, Etat.REMIS)],
        error_messages={
            "required": "Choisissez le nouvel état.",
            "invalid_choice": "Un ordinateur se réserve et se remet depuis la demande d'un "
            "foyer, pas depuis l'atelier.",
        },
    )
    note = forms.CharField(
        label="Note",
        max_length=250,
        required=False,
        help_text="Ce qui a été fait ou constaté. Obligatoire pour une réparation, une mise au "
        "rebut, un retour ou une perte.",
        error_messages={
            "max_length": "250 caractères au plus (vous en avez saisi %(show_value)d)."
        },
    )
    piece_jointe = forms.FileField(
        label="Pièce jointe",
        required=False,
        help_text=format_lazy(
            "Facultatif : photo ou PDF (diagnostic, bon de réparation…), {} au plus.",
            max_size_lazy(),
        ),
    )

    def clean_piece_jointe(self):
        return check_attachment(self.cleaned_data.get("piece_jointe"), ATTACHMENT_FORMATS)

    def clean(self):
        data = super().clean()
        if data.get("vers") in EXITS_WITH_REASON and not (data.get("note") or "").strip():
            self.add_error(
                "note",
                f"Indiquez pourquoi l'ordinateur passe à « {Etat(data['vers']).label.lower()} ».",
            )
        return data


class StockageForm(ModelForm):
    class Meta:
        model = Stockage
        fields = ["type", "capacite_go", "numero_serie"]
        labels = {"type": "Type de support"}
        error_messages = {
            "type": {"required": "Choisissez le type du support."},
            "capacite_go": {"invalid": "Indiquez la capacité en Go, en chiffres."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Choisir le type"), *TypeStockage.choices]
        self.fields["capacite_go"].widget.attrs["inputmode"] = "numeric"
        self.fields[
            "numero_serie"
        ].help_text = "Celui de l'étiquette du disque : il figure sur le certificat."


class EffacementForm(ModelForm):
    """The evidence of one erasure (operator and storage come from the page, not the form)."""

    class Meta:
        model = Effacement
        fields = [
            "methode",
            "outil",
            "version_outil",
            "passes",
            "resultat",
            "done_at",
            "preuve",
            "note",
        ]
        labels = {"preuve": "Rapport de l'outil", "done_at": "Effectué le"}
        widgets = {
            "resultat": forms.RadioSelect,
            "done_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "outil": "Par exemple : nwipe, ShredOS, Blancco, hdparm, nvme-cli, broyeur.",
            "version_outil": "Celle qu'affiche l'outil (pour une destruction physique : la "
            "référence du procédé ou du bordereau).",
            "passes": "Pour une réécriture : le nombre de passes effectuées.",
            "preuve": format_lazy(
                "Le rapport produit par l'outil (PDF, texte, XML…, {} au plus) : son empreinte "
                "SHA-256 figure sur le certificat.",
                max_size_lazy(),
            ),
        }
        error_messages = {
            "methode": {"required": "Choisissez la méthode d'effacement."},
            "outil": {"required": "Indiquez l'outil utilisé."},
            "version_outil": {"required": "Indiquez la version de l'outil."},
            "resultat": {"required": "Indiquez si l'effacement a réussi."},
            "done_at": {
                "required": "Indiquez la date et l'heure de l'effacement.",
                "invalid": "Saisissez une date et une heure valides.",
            },
            "passes": {"invalid": "Indiquez le nombre de passes en chiffres."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methode"].choices = [("", "Choisir la méthode"), *MethodeEffacement.choices]
        self.fields["resultat"].choices = [c for c in self.fields["resultat"].choices if c[0] != ""]
        self.fields["passes"].widget.attrs.update({"inputmode": "numeric", "min": 1})

    def clean_done_at(self):
        moment = self.cleaned_data["done_at"]
        if moment and moment > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError("L'effacement ne peut pas être daté dans le futur.")
        return moment

    def clean_preuve(self):
        return check_attachment(self.cleaned_data.get("preuve"), REPORT_FORMATS)

    def clean(self):
        data = super().clean()
        if data.get("methode") in OVERWRITE_METHODS and not data.get("passes"):
            self.add_error("passes", "Indiquez le nombre de passes de la réécriture.")
        if data.get("passes") == 0:
            self.add_error("passes", "Une réécriture compte au moins une passe.")
        return data


class ControleForm(Form):
    """The functional checklist of one kind of device: a box per function it always has (ticked:
    it works), three answers for a function it may lack (fonctionne, défaut, sans objet); the
    functions it never has are not asked and are recorded "sans objet"."""

    PRESENT_CHOICES = [("ok", "Fonctionne"), ("defaut", "Ne fonctionne pas")]
    ABSENT = ("sans_objet", "Sans objet (l'appareil n'en a pas)")
    ANSWERS = {"ok": True, "defaut": False, "sans_objet": None}

    note = forms.CharField(
        label="Note",
        max_length=250,
        required=False,
        help_text="Ce qui ne fonctionne pas, ce qui a été changé…",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": "250 caractères au plus (vous en avez saisi %(show_value)d)."
        },
    )

    def __init__(self, *args, ordinateur, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = checklist_for(ordinateur.type)
        self.not_applicable = not_applicable_for(ordinateur.type)
        fields = {}
        for key, label, need in self.items:
            if need == REQUIRED:
                fields[key] = forms.BooleanField(label=label, required=False)
            else:
                fields[key] = forms.ChoiceField(
                    label=label,
                    choices=[*self.PRESENT_CHOICES, self.ABSENT],
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": f"Indiquez si « {label} » fonctionne, ou « sans objet » "
                        "si l'appareil n'en a pas.",
                        "invalid_choice": "Choisissez une des trois réponses.",
                    },
                )
        self.fields = {**fields, "note": self.fields["note"]}

    @property
    def always_present(self):
        return [self[key] for key, _label, need in self.items if need == REQUIRED]

    @property
    def maybe_present(self):
        return [self[key] for key, _label, need in self.items if need != REQUIRED]

    def clean(self):
        data = super().clean()
        answers = [self._answer(key, need) for key, _label, need in self.items]
        if self.items and not self.errors and all(a is None for a in answers):
            raise forms.ValidationError(
                "Testez au moins une fonction de l'appareil : toutes sont « sans objet »."
            )
        return data

    def _answer(self, key, need):
        value = self.cleaned_data.get(key)
        return bool(value) if need == REQUIRED else self.ANSWERS.get(value)

    def resultats(self) -> dict:
        return {key: self._answer(key, need) for key, _label, need in self.items}


class OrdinateurForm(VersionedFormMixin, ModelForm):
    """What describes the device; its number, batch and state are not edited here."""

    class Meta:
        model = Ordinateur
        fields = ["type", "marque", "modele", "numero_serie", "processeur", "memoire_go", "systeme"]
        help_texts = {"systeme": "Par exemple : Windows 11 Famille, Linux Mint 22, ChromeOS Flex."}
        error_messages = {
            "type": {"required": "Choisissez le type d'appareil."},
            "memoire_go": {"invalid": "Indiquez la mémoire en Go, en chiffres."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = TypeAppareil.choices
        self.fields["memoire_go"].widget.attrs["inputmode"] = "numeric"
