"""The usager: a resident helped, identified or anonymous, searched by name, number or phone."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from .. import phones
from ..enums import (
    AGE_BAND_LOWER_BOUNDS,
    Genre,
    Role,
    StatutSocial,
    TrancheAge,
)
from ..fields import PhoneNumberField
from ..text import fold, folded


def age_band_expression(reference_year: int | None = None, prefix: str = ""):
    """SQL expression giving a usager's age band: from the birth year when known, else stored."""
    year = reference_year or timezone.localdate().year
    birth = f"{prefix}birth_year"
    whens = [
        When(**{f"{birth}__lte": year - lower}, then=Value(band.value))
        for lower, band in AGE_BAND_LOWER_BOUNDS
    ]
    return Case(
        When(**{f"{birth}__isnull": True}, then=Coalesce(f"{prefix}tranche_age", Value(""))),
        *whens,
        default=Value(TrancheAge.NON_COMMUNIQUE.value),
        output_field=models.CharField(),
    )


SEARCH_MIN_LENGTH = 2
SEARCH_MAX_WORDS = 6
SEARCH_RECORD_NUMBER = re.compile(r"(?:n[°º]|no\.?|#)?\s*(\d{1,9})", flags=re.IGNORECASE)
# Digits with the separators people type, at least four digits (shorter is a record number).
SEARCH_PHONE_NUMBER = re.compile(r"\+?(?:[\s.\-()]*\d){4,}[\s.\-()]*")


ALL_OF_THEM = 2**62
# Who an identified, kept record is (consent given, not anonymised, not merged into another).
IDENTIFIED_KEPT = Q(consent_at__isnull=False, anonymised_at__isnull=True, merged_into__isnull=True)


def folded_full_name():
    """SQL near enough to `fold(first_name + " " + last_name)` to find the candidates of a name
    (an import's people); the exact comparison is made in Python afterwards. Indexed
    (`usager_folded_name`): the same expression, so that PostgreSQL reads the index instead of
    folding every name of a national programme."""
    return folded(Concat("first_name", Value(" "), "last_name", output_field=models.CharField()))


class UsagerQuerySet(models.QuerySet):
    def visible_for(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        active = self.filter(merged_into__isnull=True)
        if user.sees_whole_city:
            return active
        if user.role == Role.CONSEILLER:
            # Their people read first, from the conseillers' index, then filtered and ordered:
            # the LIMIT (never reached) keeps PostgreSQL from walking instead the name index of
            # every person of a national programme and probing each one (2 s for a page of a
            # conseiller's 4,668 people among 8 M; 35 ms this way).
            theirs = self.model.conseillers.through.objects.filter(user=user)
            return active.filter(pk__in=theirs.values("usager_id")[:ALL_OF_THEM])
        return self.none()

    def identified(self):
        return self.filter(consent_at__isnull=False, anonymised_at__isnull=True)

    def search(self, text: str, user):
        """The usagers this user may see that match what was typed, by name unless the caller
        ordered them otherwise:

        - a record number ("n°12", "no 12", "#12", "12"): that record, or the phone numbers
          holding those digits;
        - a phone number however written ("06 12 34 56 78", "+33 6 12 34 56 78"): the phone
          numbers holding its digits;
        - words: each one in the first name, last name, e-mail or phone number, whatever the case
          and the accents, so that first and last names come in any order.

        A single letter finds nothing: nearly everyone would match."""
        text = " ".join((text or "").split())
        found = self.visible_for(user).alias(
            search_first_name=folded("first_name"),
            search_last_name=folded("last_name"),
            search_phone=phones.sql_key("phone"),
        )
        if not found.ordered:
            found = found.order_by("last_name", "first_name", "pk")
        number = SEARCH_RECORD_NUMBER.fullmatch(text)
        if number:
            return found.filter(Q(pk=int(number[1])) | Q(search_phone__contains=number[1]))
        if SEARCH_PHONE_NUMBER.fullmatch(text):
            return found.filter(search_phone__contains=phones.key(text))
        if len(text) < SEARCH_MIN_LENGTH:
            return found.none()
        for word in text.split()[:SEARCH_MAX_WORDS]:
            matches = (
                Q(search_first_name__contains=fold(word))
                | Q(search_last_name__contains=fold(word))
                | Q(email__icontains=word)
            )
            if word.isdigit():
                matches |= Q(search_phone__contains=word)
            found = found.filter(matches)
        return found


class Usager(models.Model):
    """A resident helped. Anonymous by default; identified only with a recorded consent."""

    # Identity: filled only when the person consented to be identified.
    first_name = models.CharField("prénom", max_length=100, blank=True)
    last_name = models.CharField("nom", max_length=100, blank=True)
    phone = PhoneNumberField("téléphone", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    birth_year = models.PositiveSmallIntegerField("année de naissance", null=True, blank=True)
    consent_at = models.DateTimeField("consentement recueilli le", null=True, blank=True)
    # Statistical fields: kept after anonymisation.
    genre = models.CharField(
        "genre", max_length=20, choices=Genre.choices, default=Genre.NON_COMMUNIQUE
    )
    tranche_age = models.CharField(
        "tranche d'âge",
        max_length=20,
        choices=TrancheAge.choices,
        default=TrancheAge.NON_COMMUNIQUE,
    )
    statut_social = models.CharField(
        "statut social",
        max_length=40,
        choices=StatutSocial.choices,
        default=StatutSocial.NON_COMMUNIQUE,
    )
    quartier = models.ForeignKey(
        "reseau.Quartier",
        verbose_name="quartier de résidence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="usagers",
    )
    commune = models.CharField("commune de résidence", max_length=100, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    code_insee = models.CharField("code INSEE", max_length=5, blank=True)
    conseillers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="conseillers qui l'ont accompagné",
        blank=True,
        related_name="usagers_suivis",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_seen_on = models.DateField("dernière venue", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name="fusionné dans",
    )

    objects = UsagerQuerySet.as_manager()

    # Every field is classified (a guard test fails on a field missing from these lists).
    # Personal data: emptied by anonymisation.
    PERSONAL_FIELDS = ("first_name", "last_name", "phone", "email", "birth_year", "consent_at")
    # Statistical fields: kept after anonymisation (coarse enough not to identify a person).
    STATISTICAL_FIELDS = (
        "genre",
        "tranche_age",
        "statut_social",
        "quartier",
        "commune",
        "code_postal",
        "code_insee",
    )
    # Bookkeeping of the record itself.
    RECORD_FIELDS = (
        "id",
        "conseillers",
        "created_at",
        "last_seen_on",
        "anonymised_at",
        "merged_into",
    )

    class Meta:
        verbose_name = "usager"
        verbose_name_plural = "usagers"
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            # The few merged records: figures resolve a record to the one kept by reading
            # these, not the whole table (the planner reads no IS NOT NULL from merged_into's index).
            models.Index(
                fields=["id"],
                name="usager_merged",
                include=["merged_into"],
                condition=Q(merged_into__isnull=False),
            ),
            # The list of identified people, in its order: paged and counted without reading
            # the anonymous records (most of the table at scale).
            models.Index(
                fields=["last_name", "first_name", "-id"],
                name="usager_identified_by_name",
                condition=IDENTIFIED_KEPT,
            ),
            # An import's people found by their folded name (a scan of every name otherwise:
            # 22 s at ten million people, twice per import). On every record, not only the
            # identified ones: PostgreSQL estimates from a partial index's statistics nothing,
            # and took a few thousand names for the whole table.
            models.Index(folded_full_name(), name="usager_folded_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_at__isnull=False)
                | (
                    Q(first_name="")
                    & Q(last_name="")
                    & Q(phone="")
                    & Q(email="")
                    & Q(birth_year__isnull=True)
                ),
                name="usager_identity_requires_consent",
                violation_error_message="Identifier un usager demande son consentement.",
            ),
        ]

    def __str__(self):
        if self.is_identified:
            return self.full_name or f"Usager n°{self.pk}"
        return f"Usager anonyme n°{self.pk}"

    @property
    def is_identified(self) -> bool:
        return self.consent_at is not None and self.anonymised_at is None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def age_band(self) -> str:
        """The age band: derived from the birth year when known (so it moves with time)."""
        if self.birth_year:
            return TrancheAge.for_age(timezone.localdate().year - self.birth_year).value
        return self.tranche_age

    def get_age_band_display(self) -> str:
        return TrancheAge(self.age_band).label

    def anonymise(self):
        """Empty every personal field, keeping the statistical ones (age band frozen)."""
        self.tranche_age = self.age_band
        for name in self.PERSONAL_FIELDS:
            field = self._meta.get_field(name)
            setattr(self, name, None if field.null else "")
        self.anonymised_at = timezone.now()
