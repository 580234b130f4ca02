"""The devices of a donation on their path: each *Ordinateur*, its storage (*Stockage*) and the
evidence, written once, of its erasures (*Effacement*), checks (*Controle*) and events
(*Evenement*)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from poitiers_inclusion.concurrency import Versioned
from poitiers_inclusion.models import AppendOnlyModel

from ..enums import (
    CHECKLIST,
    REQUIRED,
    Etat,
    MethodeEffacement,
    ResultatEffacement,
    TypeAppareil,
    TypeStockage,
    checklist_for,
)
from .dons import Don, StaffOnlyQuerySet


class Evidence(AppendOnlyModel):
    """Records that are evidence (events, erasures, checks): written once, never changed."""

    CHANGE_REFUSED = "Cet enregistrement est une preuve : il ne se modifie pas."
    DELETE_REFUSED = "Cet enregistrement est une preuve : il ne se supprime pas."

    class Meta:
        abstract = True


class OrdinateurQuerySet(StaffOnlyQuerySet):
    def in_state(self, *etats):
        return self.filter(etat__in=etats)


class Ordinateur(Versioned):
    """One device received. `etat` mirrors its latest event (for lists); the events decide."""

    numero = models.CharField("numéro d'inventaire", max_length=20, unique=True)
    don = models.ForeignKey(
        Don,
        verbose_name="don",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ordinateurs",
    )
    type = models.CharField("type", max_length=12, choices=TypeAppareil.choices)
    marque = models.CharField("marque", max_length=60, blank=True)
    modele = models.CharField("modèle", max_length=100, blank=True)
    numero_serie = models.CharField("numéro de série", max_length=100, blank=True)
    processeur = models.CharField("processeur", max_length=100, blank=True)
    memoire_go = models.PositiveSmallIntegerField("mémoire vive (Go)", null=True, blank=True)
    systeme = models.CharField("système installé", max_length=100, blank=True)
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.RECU)
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    objects = OrdinateurQuerySet.as_manager()

    class Meta:
        verbose_name = "ordinateur"
        verbose_name_plural = "ordinateurs"
        ordering = ["numero"]
        indexes = [models.Index(fields=["etat"])]

    def __str__(self):
        label = " ".join(part for part in (self.marque, self.modele) if part)
        return f"{self.numero} — {label or self.get_type_display()}"

    @property
    def needs_storage(self) -> bool:
        """Devices that hold data must have their storage recorded (and erased)."""
        return self.type in (
            TypeAppareil.PORTABLE,
            TypeAppareil.FIXE,
            TypeAppareil.TOUT_EN_UN,
            TypeAppareil.TABLETTE,
            TypeAppareil.TELEPHONE,
        )


class Stockage(models.Model):
    """A storage device inside a computer: each one must be erased."""

    ordinateur = models.ForeignKey(
        Ordinateur, verbose_name="ordinateur", on_delete=models.PROTECT, related_name="stockages"
    )
    type = models.CharField("type", max_length=10, choices=TypeStockage.choices)
    capacite_go = models.PositiveIntegerField("capacité (Go)", null=True, blank=True)
    numero_serie = models.CharField("numéro de série", max_length=100, blank=True)

    class Meta:
        verbose_name = "support de stockage"
        verbose_name_plural = "supports de stockage"
        ordering = ["pk"]

    def __str__(self):
        size = f" {self.capacite_go} Go" if self.capacite_go else ""
        serial = f" n° {self.numero_serie}" if self.numero_serie else ""
        return f"{self.get_type_display()}{size}{serial}"


class Effacement(Evidence):
    """The record of one erasure of one storage device (the evidence kept for the certificate)."""

    stockage = models.ForeignKey(
        Stockage, verbose_name="support", on_delete=models.PROTECT, related_name="effacements"
    )
    methode = models.CharField("méthode", max_length=20, choices=MethodeEffacement.choices)
    outil = models.CharField("outil", max_length=100)
    version_outil = models.CharField("version de l'outil", max_length=50)
    passes = models.PositiveSmallIntegerField("nombre de passes", null=True, blank=True)
    resultat = models.CharField("résultat", max_length=10, choices=ResultatEffacement.choices)
    done_at = models.DateTimeField("effectué le", default=timezone.now)
    operateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="opérateur",
        on_delete=models.PROTECT,
        related_name="effacements",
    )
    preuve = models.FileField("rapport de l'outil", upload_to="ordinateurs/preuves/", blank=True)
    preuve_sha256 = models.CharField("empreinte SHA-256 du rapport", max_length=64, blank=True)
    note = models.CharField("note", max_length=250, blank=True)

    class Meta:
        verbose_name = "effacement"
        verbose_name_plural = "effacements"
        ordering = ["done_at", "pk"]

    def __str__(self):
        return f"{self.get_methode_display()} — {self.get_resultat_display()}"

    @property
    def reussi(self) -> bool:
        return self.resultat == ResultatEffacement.REUSSI


class Controle(Evidence):
    """A functional check of a reconditioned device: each item of the checklist tested."""

    ordinateur = models.ForeignKey(
        Ordinateur, verbose_name="ordinateur", on_delete=models.PROTECT, related_name="controles"
    )
    # {item: True (fonctionne) | False (défaut) | None (sans objet)}: see CHECKLIST_BY_TYPE.
    resultats = models.JSONField("résultats", default=dict)
    reussi = models.BooleanField("contrôle réussi")
    done_at = models.DateTimeField("effectué le", default=timezone.now)
    operateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="opérateur",
        on_delete=models.PROTECT,
        related_name="controles",
    )
    note = models.CharField("note", max_length=250, blank=True)

    class Meta:
        verbose_name = "contrôle fonctionnel"
        verbose_name_plural = "contrôles fonctionnels"
        ordering = ["done_at", "pk"]

    def __str__(self):
        return f"Contrôle du {self.done_at:%d/%m/%Y} : {'réussi' if self.reussi else 'échoué'}"

    NOT_APPLICABLE = "sans objet"
    RESULT_WORDS = {True: "fonctionne", False: "ne fonctionne pas", None: NOT_APPLICABLE}

    def items(self) -> list[dict]:
        """Every item of the checklist with its result: "ok", "defaut" or "sans_objet"."""
        kinds = {True: "ok", False: "defaut", None: "sans_objet"}
        return [
            {
                "key": key,
                "label": label,
                "result": kinds[self.resultats.get(key)],
                "text": self.RESULT_WORDS[self.resultats.get(key)],
            }
            for key, label in CHECKLIST
            if key in self.resultats
        ]

    def labels_of(self, result: str) -> list[str]:
        """The labels of the items with that result ("ok", "defaut" or "sans_objet")."""
        return [item["label"] for item in self.items() if item["result"] == result]

    @property
    def working(self) -> list[str]:
        return self.labels_of("ok")

    @property
    def not_applicable(self) -> list[str]:
        return self.labels_of("sans_objet")

    def passes_for(self, type_appareil: str) -> bool:
        """Passed, and still valid for that kind of device: its description may have changed
        since, and an item now required must then have been tested."""
        return self.reussi and all(
            self.resultats.get(key) is True
            for key, _label, need in checklist_for(type_appareil)
            if need == REQUIRED
        )


class Evenement(Evidence):
    """One change of a device's state: who, when, why (note), with an optional attachment."""

    ordinateur = models.ForeignKey(
        Ordinateur, verbose_name="ordinateur", on_delete=models.PROTECT, related_name="evenements"
    )
    de = models.CharField("état précédent", max_length=20, choices=Etat.choices, blank=True)
    vers = models.CharField("nouvel état", max_length=20, choices=Etat.choices)
    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evenements_ordinateurs",
    )
    note = models.CharField("note", max_length=250, blank=True)
    piece_jointe = models.FileField("pièce jointe", upload_to="ordinateurs/pieces/", blank=True)
    piece_sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["vers", "at"]),
            # The figures' devices per state reached: read in this order, each state's devices
            # come sorted (a distinct count without sorting or hashing the events).
            models.Index(fields=["vers", "ordinateur", "at"], name="evenement_vers_device_at"),
        ]

    def __str__(self):
        return f"{self.ordinateur.numero} : {self.get_vers_display()} ({self.at:%d/%m/%Y})"
