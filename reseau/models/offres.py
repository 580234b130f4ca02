"""Social internet offers: the access providers' social tariffs, and the partner structures that
help people subscribe (the article's « perspectives »)."""

from django.db import models

from .referentiel import Archivable, ArchivableQuerySet, Structure


class OffreInternetSocialeQuerySet(ArchivableQuerySet):
    def visible_for(self, user):
        """Every professional may point a person to an offer."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class OffreInternetSociale(Archivable):
    offre = models.CharField("offre", max_length=200)
    fournisseur = models.CharField("fournisseur d'accès", max_length=120)
    prix = models.DecimalField(
        "prix par mois (€)", max_digits=6, decimal_places=2, help_text="Ex. : 15,99"
    )
    conditions = models.TextField(
        "conditions",
        blank=True,
        help_text="Qui y a droit et ce qu'il faut fournir (ex. : bénéficiaires du RSA, de "
        "l'ASS, de la CSS ; avis de droits de moins de 3 mois).",
    )
    lien = models.URLField("lien vers l'offre", blank=True)
    structures = models.ManyToManyField(
        Structure,
        verbose_name="structures qui aident à souscrire",
        blank=True,
        related_name="offres_internet_sociales",
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = OffreInternetSocialeQuerySet.as_manager()

    class Meta:
        verbose_name = "offre sociale internet"
        verbose_name_plural = "offres sociales internet"
        ordering = ["prix", "fournisseur"]

    def __str__(self):
        return f"{self.offre} ({self.fournisseur})"
