"""External indicators (CAF, France Travail, CPAM…) by quartier and month, imported from files."""

from django.conf import settings
from django.db import models


class IndicatorImport(models.Model):
    """One imported file: who brought which figures in, and when."""

    file_name = models.CharField("fichier", max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="importé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="indicator_imports",
    )
    imported_at = models.DateTimeField("importé le", auto_now_add=True)
    row_count = models.PositiveIntegerField("lignes importées", default=0)
    skipped_count = models.PositiveIntegerField("lignes écartées", default=0)

    class Meta:
        verbose_name = "import d'indicateurs"
        verbose_name_plural = "imports d'indicateurs"
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%d/%m/%Y})"


class ExternalIndicatorQuerySet(models.QuerySet):
    def names(self) -> list[str]:
        return list(self.order_by("indicateur").values_list("indicateur", flat=True).distinct())


class ExternalIndicator(models.Model):
    """The value of one indicator in one quartier for one month (the month's first day)."""

    indicateur = models.CharField("indicateur", max_length=120)
    quartier = models.ForeignKey(
        "reseau.Quartier",
        verbose_name="quartier",
        on_delete=models.CASCADE,
        related_name="external_indicators",
    )
    mois = models.DateField("mois", help_text="Premier jour du mois.")
    valeur = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    source = models.ForeignKey(
        IndicatorImport,
        verbose_name="import",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="values",
    )

    objects = ExternalIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur externe"
        verbose_name_plural = "indicateurs externes"
        ordering = ["indicateur", "quartier__nom", "mois"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "quartier", "mois"], name="one_value_per_indicator_month"
            ),
            models.CheckConstraint(
                condition=models.Q(mois__day=1),
                name="indicator_month_is_first_day",
                violation_error_message="Le mois est enregistré à son premier jour.",
            ),
        ]

    def __str__(self):
        return f"{self.indicateur} — {self.quartier} — {self.mois:%m/%Y}"


class FiguresSnapshot(models.Model):
    """A citywide dashboard view's sections, stored because they were long to compute."""

    key = models.CharField("clé", max_length=64, unique=True)
    filters = models.JSONField("filtres")
    payload = models.BinaryField("sections")
    computed_at = models.DateTimeField("calculé le")
    duration_ms = models.PositiveIntegerField("durée du calcul (ms)")
    last_used_at = models.DateTimeField("dernière consultation")

    class Meta:
        verbose_name = "instantané de chiffres"
        verbose_name_plural = "instantanés de chiffres"

    def __str__(self):
        return f"{self.filters} ({self.computed_at:%d/%m/%Y %H:%M})"


def new_share_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class VuePartagee(models.Model):
    """A dashboard view anyone with the link may read (the city council, partners, the State):
    aggregated figures only, until its expiry date or until it is revoked."""

    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    titre = models.CharField("titre affiché", max_length=150)
    filtres = models.JSONField("filtres du tableau de bord", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="vues_partagees",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    expires_on = models.DateField("valable jusqu'au")
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    class Meta:
        verbose_name = "vue partagée"
        verbose_name_plural = "vues partagées"
        ordering = ["-created_at"]

    def __str__(self):
        return self.titre

    def is_active(self, today) -> bool:
        return self.revoked_at is None and self.expires_on >= today
