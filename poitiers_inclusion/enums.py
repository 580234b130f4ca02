"""Choices shared by every app: roles and the national vocabulary that describes a usager."""

from django.db import models


class Role(models.TextChoices):
    CONSEILLER = "conseiller", "Conseiller numérique"
    COORDINATEUR = "coordinateur", "Coordinateur"
    TECHNICIEN = "technicien", "Technicien"
    PRESCRIPTEUR = "prescripteur", "Prescripteur"
    ADMIN = "admin", "Administrateur"


class Genre(models.TextChoices):
    MASCULIN = "masculin", "Masculin"
    FEMININ = "feminin", "Féminin"
    NON_COMMUNIQUE = "non_communique", "Non communiqué"


class TrancheAge(models.TextChoices):
    MOINS_DE_12 = "moins_de_12_ans", "Moins de 12 ans"
    DE_12_A_17 = "12_17_ans", "12 - 17 ans"
    DE_18_A_24 = "18_24_ans", "18 - 24 ans"
    DE_25_A_39 = "25_39_ans", "25 - 39 ans"
    DE_40_A_59 = "40_59_ans", "40 - 59 ans"
    DE_60_A_69 = "60_69_ans", "60 - 69 ans"
    PLUS_DE_70 = "70_ans_et_plus", "70 ans et plus"
    NON_COMMUNIQUE = "non_communique", "Non communiqué"

    @classmethod
    def for_age(cls, age: int) -> "TrancheAge":
        for upper, band in (
            (12, cls.MOINS_DE_12),
            (18, cls.DE_12_A_17),
            (25, cls.DE_18_A_24),
            (40, cls.DE_25_A_39),
            (60, cls.DE_40_A_59),
            (70, cls.DE_60_A_69),
        ):
            if age < upper:
                return band
        return cls.PLUS_DE_70


# Lower age bound of each band, in order: used to turn a birth year into a band in SQL.
AGE_BAND_LOWER_BOUNDS = (
    (70, TrancheAge.PLUS_DE_70),
    (60, TrancheAge.DE_60_A_69),
    (40, TrancheAge.DE_40_A_59),
    (25, TrancheAge.DE_25_A_39),
    (18, TrancheAge.DE_18_A_24),
    (12, TrancheAge.DE_12_A_17),
    (0, TrancheAge.MOINS_DE_12),
)


class StatutSocial(models.TextChoices):
    RETRAITE = "retraite", "Retraité"
    SANS_EMPLOI = "sans_emploi", "Sans emploi"
    EN_EMPLOI = "en_emploi", "En emploi"
    SCOLARISE = "scolarise", "Scolarisé"
    NON_COMMUNIQUE = "non_communique_ou_heterogene", "Non communiqué ou hétérogène"


class JobOutcome(models.TextChoices):
    """How a run of a scheduled job ended (poitiers_inclusion/scheduler.py)."""

    RUNNING = "en_cours", "En cours"
    SUCCEEDED = "reussie", "Réussie"
    FAILED = "echec", "Échec"


class EmailStatus(models.TextChoices):
    """Where an e-mail of the outbox stands."""

    PENDING = "a_envoyer", "À envoyer"
    SENT = "envoye", "Envoyé"
    FAILED = "abandonne", "Non envoyé (abandonné)"
