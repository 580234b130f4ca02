"""Orientations: a professional refers a resident from one structure to another, with consent."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from poitiers_inclusion import phones
from poitiers_inclusion.enums import Role
from poitiers_inclusion.fields import PhoneNumberField

from ..enums import EtatOrientation, PreferenceContact, Service
from .campagnes import new_token


def expiry_delay() -> datetime.timedelta:
    return datetime.timedelta(days=settings.ORIENTATION_EXPIRY_DAYS)


def retention_months() -> int:
    return settings.ORIENTATION_RETENTION_MONTHS


class OrientationQuerySet(models.QuerySet):
    def visible_for(self, user):
        """Coordinator and admin see all; a prescripteur their structure's (sent or received);
        a conseiller the ones they sent."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_city:
            return self
        if user.role == Role.PRESCRIPTEUR and user.structure_id:
            return self.filter(
                Q(structure_origine_id=user.structure_id)
                | Q(structure_destination_id=user.structure_id)
            )
        if user.role == Role.CONSEILLER:
            return self.filter(created_by=user)
        return self.none()

    def for_figures(self, user):
        """The orientations whose figures `user` reads: those they see; all of them for a view
        without a viewer (`user` None: shared views)."""
        return self if user is None else self.visible_for(user)

    def answerable_by(self, user):
        """Open orientations this user may validate or refuse: the receiving side's, before
        their expiry date (whether or not the daily job has marked them expired yet)."""
        open_ = self.visible_for(user).pending()
        if user.sees_whole_city:
            return open_
        if user.role == Role.PRESCRIPTEUR:
            return open_.filter(structure_destination_id=user.structure_id)
        return open_.none()

    def pending(self, now=None):
        """Open and still within the answer delay."""
        now = now or timezone.now()
        return self.filter(etat=EtatOrientation.OUVERTE, created_at__gt=now - expiry_delay())

    def overdue(self, now=None):
        """Open but past the answer delay: expired, even before the daily job records it."""
        now = now or timezone.now()
        return self.filter(etat=EtatOrientation.OUVERTE, created_at__lte=now - expiry_delay())

    def with_state(self, etat: str, now=None):
        """Filter on the state people see: an overdue open orientation counts as expired."""
        if etat == EtatOrientation.OUVERTE:
            return self.pending(now)
        if etat == EtatOrientation.EXPIREE:
            return self.filter(etat=EtatOrientation.EXPIREE) | self.overdue(now)
        return self.filter(etat=etat)

    def annotate_state(self, now=None):
        """`etat_vu`: the state people see (see with_state), for counts by state."""
        now = now or timezone.now()
        overdue = Q(etat=EtatOrientation.OUVERTE, created_at__lte=now - expiry_delay())
        return self.annotate(
            etat_vu=Case(
                When(overdue, then=Value(EtatOrientation.EXPIREE.value)),
                default=F("etat"),
                output_field=models.CharField(),
            )
        )

    def to_anonymise(self, now=None):
        now = now or timezone.now()
        limit = now - datetime.timedelta(days=round(retention_months() * 30.44))
        return self.filter(anonymised_at__isnull=True).filter(
            Q(closed_at__lte=limit) | Q(closed_at__isnull=True, created_at__lte=limit)
        )


class Orientation(models.Model):
    structure_origine = models.ForeignKey(
        "reseau.Structure",
        verbose_name="structure qui oriente",
        on_delete=models.PROTECT,
        related_name="orientations_envoyees",
    )
    structure_destination = models.ForeignKey(
        "reseau.Structure",
        verbose_name="structure vers laquelle orienter",
        on_delete=models.PROTECT,
        related_name="orientations_recues",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="orientée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orientations_creees",
    )
    created_at = models.DateTimeField("envoyée le", default=timezone.now, db_index=True)
    # Statistical fields, kept after anonymisation.
    besoin = models.CharField("besoin", max_length=80, choices=Service.choices)
    preference_contact = models.CharField(
        "préférence de contact",
        max_length=20,
        choices=PreferenceContact.choices,
        default=PreferenceContact.TELEPHONE,
    )
    etat = models.CharField(
        "état", max_length=10, choices=EtatOrientation.choices, default=EtatOrientation.OUVERTE
    )
    # Personal fields: emptied by anonymisation (see PERSONAL_FIELDS).
    prenom = models.CharField("prénom de la personne", max_length=100)
    nom = models.CharField("nom de la personne", max_length=100)
    telephone = PhoneNumberField("téléphone", max_length=30, blank=True)
    courriel = models.EmailField("e-mail", blank=True)
    situation = models.TextField(
        "situation",
        help_text="Ce que la structure d'accueil doit savoir ; rien de plus que nécessaire.",
    )
    consent_at = models.DateTimeField("consentement recueilli le", null=True, blank=True)
    piece_jointe = models.FileField(
        "pièce jointe", upload_to="reseau/orientations/%Y/", blank=True, max_length=200
    )
    # The answer.
    motif_refus = models.TextField("motif du refus", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="réponse de",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    reminded_at = models.DateTimeField("relance envoyée le", null=True, blank=True)
    # The key of the answer link e-mailed to a receiving structure that has no account; it
    # opens the answer page only while the orientation waits for an answer.
    answer_token = models.CharField(
        "clé du lien de réponse", max_length=64, unique=True, default=new_token, editable=False
    )
    anonymised_at = models.DateTimeField("anonymisée le", null=True, blank=True)

    objects = OrientationQuerySet.as_manager()

    PERSONAL_FIELDS = (
        "prenom",
        "nom",
        "telephone",
        "courriel",
        "situation",
        "motif_refus",
        "piece_jointe",
        "consent_at",
    )

    class Meta:
        verbose_name = "orientation"
        verbose_name_plural = "orientations"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(structure_origine=models.F("structure_destination")),
                name="orientation_between_two_structures",
                violation_error_message="Une orientation relie deux structures différentes.",
            ),
        ]

    def __str__(self):
        return f"Orientation n°{self.pk} vers {self.structure_destination}"

    @property
    def personne(self) -> str:
        if self.anonymised_at:
            return "Personne anonymisée"
        return f"{self.prenom} {self.nom}".strip()

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + expiry_delay()

    @property
    def is_open(self) -> bool:
        """No answer recorded and not marked expired (it may be overdue: see is_answerable)."""
        return self.etat == EtatOrientation.OUVERTE

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() >= self.expires_at

    @property
    def is_answerable(self) -> bool:
        return self.is_open and not self.is_overdue

    @property
    def state(self) -> EtatOrientation:
        """The state people see: an overdue open orientation is expired, job run or not."""
        return EtatOrientation.EXPIREE if self.is_overdue else EtatOrientation(self.etat)

    def get_etat_display(self) -> str:
        return self.state.label

    def shared_contact_details(self) -> list[tuple[str, str]]:
        """The person's contact details the receiving side needs, as the chosen way of being
        contacted allows: the phone for a call or a text, the address for an e-mail, none when
        the person is to be contacted through the structure that orients."""
        if self.anonymised_at:
            return []
        if self.preference_contact in (PreferenceContact.TELEPHONE, PreferenceContact.SMS):
            return [("Téléphone", phones.display(self.telephone))] if self.telephone else []
        if self.preference_contact == PreferenceContact.COURRIEL:
            return [("E-mail", self.courriel)] if self.courriel else []
        return []

    def accept(self, *, by):
        self._answer(EtatOrientation.VALIDEE, by=by)

    def refuse(self, *, by, motif: str):
        self._answer(EtatOrientation.REFUSEE, by=by)
        self.motif_refus = motif

    def _answer(self, etat, *, by):
        if self.is_overdue:
            raise ValueError("Le délai de réponse est dépassé : cette orientation a expiré.")
        self._close(etat, by=by)

    def expire(self):
        self._close(EtatOrientation.EXPIREE, by=None)

    def _close(self, etat, *, by):
        if not self.is_open:
            raise ValueError("Cette orientation a déjà reçu une réponse.")
        self.etat = etat
        self.answered_by = by
        self.closed_at = timezone.now()

    def anonymise(self):
        """Empty the personal fields (the attached file is deleted); keep the statistical ones."""
        if self.piece_jointe:
            self.piece_jointe.delete(save=False)
        for name in self.PERSONAL_FIELDS:
            field = self._meta.get_field(name)
            setattr(self, name, None if field.null else "")
        self.anonymised_at = timezone.now()
