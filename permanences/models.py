"""Drop-in schedules (permanences) and the médiation log: activities and the people helped in them.

Vocabulary: a *Mediation* is one activity report (a "CRA" in La Coop's words: individual help or a
collective workshop session); an *Accompagnement* is one person helped in one activity. The
national figure "médiations" counts accompagnements; unique usagers count distinct usagers.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion.concurrency import Versioned
from poitiers_inclusion.enums import Role
from poitiers_inclusion.fields import ChoiceArrayField
from poitiers_inclusion.perms import conseillers_own_or_citywide

from .enums import (
    Autonomie,
    Materiel,
    ModePermanence,
    NiveauAtelier,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    SyncOutcome,
    Thematique,
    ThematiqueDemarche,
    TypeActivite,
    TypeLieu,
    Weekday,
    permanence_label,
)


class PermanenceQuerySet(models.QuerySet):
    def visible_for(self, user):
        """Schedules are public information."""
        return self

    def for_figures(self, user):
        """The desks whose attendance `user` reads (a conseiller's own)."""
        return conseillers_own_or_citywide(self, user, "conseillers")

    def active_on(self, day):
        return self.filter(
            Q(valid_from__lte=day), Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )

    def conseiller_slots(self, user, day=None):
        """The conseiller's drop-in slots of the day (today by default), earliest first."""
        day = day or timezone.localdate()
        return (
            self.active_on(day)
            .filter(weekday=day.weekday(), conseillers=user)
            .select_related("lieu", "lieu__quartier")
            .order_by("start_time")
        )

    def current_slot(self, user, now=None):
        """The slot the conseiller is at now: the one running, else the next one today, else the
        last one of the day (a report typed after closing time)."""
        now = timezone.localtime(now)
        slots = list(self.conseiller_slots(user, now.date()))
        clock = now.time()
        for slot in slots:
            if slot.start_time <= clock < slot.end_time:
                return slot
        upcoming = [slot for slot in slots if slot.start_time > clock]
        if upcoming:
            return upcoming[0]
        return slots[-1] if slots else None


class Permanence(Versioned):
    """A recurring drop-in slot at a Lieu: weekday and hours, valid between two dates."""

    lieu = models.ForeignKey(
        "reseau.Lieu", verbose_name="lieu", on_delete=models.PROTECT, related_name="permanences"
    )
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    start_time = models.TimeField("début")
    end_time = models.TimeField("fin")
    conseillers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="conseillers", blank=True, related_name="permanences"
    )
    valid_from = models.DateField("en place depuis le")
    valid_until = models.DateField("jusqu'au", null=True, blank=True)
    mode = models.CharField(
        "accueil", max_length=10, choices=ModePermanence.choices, default=ModePermanence.SANS_RDV
    )
    capacity = models.PositiveSmallIntegerField(
        "places sur rendez-vous",
        null=True,
        blank=True,
        help_text="Nombre de rendez-vous possibles sur le créneau (permanence sur rendez-vous).",
    )
    # A one-off extra slot is a Permanence valid on a single day: bookings, the agenda, the log
    # form and attendance then treat it like any other slot.
    is_one_off = models.BooleanField("créneau ponctuel", default=False)
    # A permanence moved elsewhere goes on as a new one (moves.move_permanence): the old one keeps
    # its history and figures, the new one points back to it.
    moved_from = models.OneToOneField(
        "self",
        verbose_name="déménagée depuis",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moved_to",
    )

    objects = PermanenceQuerySet.as_manager()

    class Meta:
        verbose_name = "permanence"
        verbose_name_plural = "permanences"
        ordering = ["lieu__nom", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="permanence_ends_after_start",
                violation_error_message="L'heure de fin doit suivre l'heure de début.",
            ),
        ]

    def __str__(self):
        return permanence_label(
            self.lieu, self.weekday, f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        )


class MediationQuerySet(models.QuerySet):
    def visible_for(self, user):
        """A conseiller sees their own activity; coordinator and admin see everyone's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_city:
            return self
        if user.role == Role.CONSEILLER:
            return self.filter(conseiller=user)
        return self.none()

    def for_figures(self, user):
        """The médiations whose figures `user` reads: those they see; all of them for a view
        without a viewer (`user` None: shared views)."""
        return self if user is None else self.visible_for(user)


class Mediation(models.Model):
    """One activity report: individual help, or one collective workshop session."""

    date = models.DateField("date")
    conseiller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="conseiller",
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    type_activite = models.CharField(
        "type", max_length=12, choices=TypeActivite.choices, default=TypeActivite.INDIVIDUEL
    )
    type_lieu = models.CharField(
        "canal d’accompagnement",
        max_length=15,
        choices=TypeLieu.choices,
        default=TypeLieu.LIEU_ACTIVITE,
    )
    lieu = models.ForeignKey(
        "reseau.Lieu",
        verbose_name="lieu",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    permanence = models.ForeignKey(
        Permanence,
        verbose_name="permanence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediations",
    )
    duree_minutes = models.PositiveSmallIntegerField(
        "durée (min)", validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    thematiques = ChoiceArrayField(
        models.CharField(max_length=40, choices=Thematique.choices),
        verbose_name="thématiques",
        default=list,
    )
    thematiques_demarche = ChoiceArrayField(
        models.CharField(max_length=40, choices=ThematiqueDemarche.choices),
        verbose_name="démarches administratives",
        default=list,
        blank=True,
    )
    nom_demarche = models.CharField("nom de la démarche", max_length=200, blank=True)
    materiel = ChoiceArrayField(
        models.CharField(max_length=12, choices=Materiel.choices),
        verbose_name="matériel numérique utilisé",
        default=list,
        blank=True,
    )
    autonomie = models.CharField(
        "niveau d’autonomie", max_length=25, choices=Autonomie.choices, blank=True
    )
    titre_atelier = models.CharField("nom de l’atelier", max_length=200, blank=True)
    niveau_atelier = models.CharField(
        "niveau de l’atelier", max_length=15, choices=NiveauAtelier.choices, blank=True
    )
    redirige = models.BooleanField("bénéficiaire réorienté", default=False)
    structure_redirection = models.CharField(
        "structure de redirection", max_length=40, choices=StructureRedirection.choices, blank=True
    )
    satisfaction = models.CharField(
        "satisfaction", max_length=25, choices=Satisfaction.choices, blank=True
    )
    source_connaissance = models.CharField(
        "comment avez-vous connu ce service ?",
        max_length=20,
        choices=SourceConnaissance.choices,
        blank=True,
    )
    premiere_visite = models.BooleanField("première visite", null=True, blank=True)
    notes = models.TextField("notes", blank=True)
    tags = ArrayField(
        models.CharField(max_length=60), verbose_name="tags", default=list, blank=True
    )
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)
    updated_at = models.DateTimeField("dernière modification le", auto_now=True)
    # Keys that make writes idempotent: the Coop's "ID CRA" on import, a per-form token on entry.
    coop_id = models.CharField("ID CRA (Coop)", max_length=64, null=True, blank=True, unique=True)
    source_donnee = models.CharField("source de la donnée", max_length=100, blank=True)
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = MediationQuerySet.as_manager()

    class Meta:
        verbose_name = "médiation"
        verbose_name_plural = "médiations"
        ordering = ["-date", "-created_at"]
        indexes = [
            # The lists' order (Meta.ordering), with the key: a page far down the list reads its
            # keys from the index alone (poitiers_inclusion/paging.py, by_key).
            models.Index(fields=["date", "created_at", "id"], name="mediation_list_order"),
            models.Index(
                fields=["conseiller", "date", "created_at", "id"], name="mediation_own_list_order"
            ),
            # The log form's "last duration of this type" (log_initial.remembered_durations).
            models.Index(
                fields=["conseiller", "type_activite", "date", "id"], name="mediation_last_of_type"
            ),
            models.Index(fields=["lieu", "date"]),
            models.Index(fields=["permanence", "date"]),
        ]

    def __str__(self):
        return f"{self.get_type_activite_display()} du {self.date:%d/%m/%Y}"


class Accompagnement(models.Model):
    """One person helped in one activity: the unit counted as a "médiation" in the figures."""

    mediation = models.ForeignKey(
        Mediation, on_delete=models.CASCADE, related_name="accompagnements"
    )
    usager = models.ForeignKey(
        "kernel.Usager", on_delete=models.PROTECT, related_name="accompagnements"
    )

    class Meta:
        verbose_name = "accompagnement"
        verbose_name_plural = "accompagnements"
        constraints = [
            models.UniqueConstraint(
                fields=["mediation", "usager"], name="one_accompagnement_per_usager"
            ),
        ]

    def __str__(self):
        return f"{self.usager} — {self.mediation}"


# --- Schedule: closures, slot occurrences and bookings -------------------------------------------


class FermetureQuerySet(models.QuerySet):
    def visible_for(self, user):
        """Closures and their message are public information."""
        return self

    def overlapping(self, start, end):
        return self.filter(start_date__lte=end, end_date__gte=start)


class Fermeture(models.Model):
    """A temporary closure of a whole lieu or of one permanence, with a message for the public."""

    lieu = models.ForeignKey(
        "reseau.Lieu",
        verbose_name="lieu entier",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fermetures",
    )
    permanence = models.ForeignKey(
        Permanence,
        verbose_name="permanence seulement",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fermetures",
    )
    start_date = models.DateField("fermé du")
    end_date = models.DateField("au (inclus)")
    message = models.CharField(
        "message au public",
        max_length=300,
        help_text="Affiché sur la page publique. Ex. : « Fermé pour travaux, rendez-vous à la "
        "médiathèque ».",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = FermetureQuerySet.as_manager()

    class Meta:
        verbose_name = "fermeture temporaire"
        verbose_name_plural = "fermetures temporaires"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="fermeture_ends_after_start",
                violation_error_message="La date de fin doit suivre la date de début.",
            ),
            models.CheckConstraint(
                condition=Q(lieu__isnull=True, permanence__isnull=False)
                | Q(lieu__isnull=False, permanence__isnull=True),
                name="fermeture_targets_lieu_or_permanence",
                violation_error_message="Choisissez un lieu entier ou une permanence.",
            ),
        ]

    def __str__(self):
        target = self.permanence or self.lieu
        return f"{target} fermé du {self.start_date:%d/%m/%Y} au {self.end_date:%d/%m/%Y}"

    def covers(self, permanence, day) -> bool:
        if not self.start_date <= day <= self.end_date:
            return False
        if self.permanence_id:
            return self.permanence_id == permanence.pk
        return self.lieu_id == permanence.lieu_id


class CoopSync(models.Model):
    """Where the synchronisation with La Coop's API stands (one row), and its last run's report.

    A pass asks for the activities modified since `watermark`, page by page; `cursor` and
    `pass_since` let a pass stopped by the page limit or a failure resume where it was, and
    `pass_latest` becomes the watermark when the pass ends.
    """

    watermark = models.DateTimeField("synchronisé jusqu’à", null=True, blank=True)
    cursor = models.CharField("curseur de la page suivante", max_length=1000, blank=True)
    pass_since = models.DateTimeField(null=True, blank=True)
    pass_latest = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField("dernier passage", null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField("résultat", max_length=10, choices=SyncOutcome.choices, blank=True)
    error = models.TextField("erreur", blank=True)
    counts = models.JSONField(default=dict)  # created/updated/unchanged/deleted/refused
    refused = models.JSONField(default=list)  # [{"id", "date", "mediateur", "motif"}]

    class Meta:
        verbose_name = "synchronisation avec La Coop"
        verbose_name_plural = "synchronisations avec La Coop"

    def __str__(self):
        return "Synchronisation avec La Coop"

    @classmethod
    def current(cls, *, for_update: bool = False) -> "CoopSync":
        queryset = cls.objects.select_for_update() if for_update else cls.objects
        return queryset.get_or_create(pk=1)[0]


# Re-exported: the booking models (booking_models.py) and their enums were imported from here.
from .booking_models import (  # noqa: E402, F401
    Creneau,
    RendezVous,
    RendezVousQuerySet,
    new_booking_token,
)
from .enums import STATUTS_ACTIFS, BesoinRendezVous, StatutRendezVous  # noqa: E402, F401
