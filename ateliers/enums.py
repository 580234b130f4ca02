"""Choices of the workshop path: levels, PIX competences, registration statuses, attendance."""

from django.db import models


class Niveau(models.TextChoices):
    DEBUTANT = "debutant", "Débutant"
    INTERMEDIAIRE = "intermediaire", "Intermédiaire"
    AVANCE = "avance", "Avancé"


class CompetencePix(models.TextChoices):
    """The 16 competences of the PIX framework (référentiel CRCN), by domain."""

    C1_1 = "1.1", "1.1 Mener une recherche et une veille d'information"
    C1_2 = "1.2", "1.2 Gérer des données"
    C1_3 = "1.3", "1.3 Traiter des données"
    C2_1 = "2.1", "2.1 Interagir"
    C2_2 = "2.2", "2.2 Partager et publier"
    C2_3 = "2.3", "2.3 Collaborer"
    C2_4 = "2.4", "2.4 S'insérer dans le monde numérique"
    C3_1 = "3.1", "3.1 Développer des documents textuels"
    C3_2 = "3.2", "3.2 Développer des documents multimédia"
    C3_3 = "3.3", "3.3 Adapter les documents à leur finalité"
    C3_4 = "3.4", "3.4 Programmer"
    C4_1 = "4.1", "4.1 Sécuriser l'environnement numérique"
    C4_2 = "4.2", "4.2 Protéger les données personnelles et la vie privée"
    C4_3 = "4.3", "4.3 Protéger la santé, le bien-être et l'environnement"
    C5_1 = "5.1", "5.1 Résoudre des problèmes techniques"
    C5_2 = "5.2", "5.2 Construire un environnement numérique"


class StatutInscription(models.TextChoices):
    INSCRIT = "inscrit", "Inscrit"
    ATTENTE = "attente", "Liste d'attente"
    ANNULE = "annule", "Annulé"


class Presence(models.TextChoices):
    PRESENT = "present", "Présent"
    ABSENT = "absent", "Absent"


class Origine(models.TextChoices):
    PUBLIC = "public", "Inscription en ligne"
    EQUIPE = "equipe", "Inscrit par l'équipe"
    SUR_PLACE = "sur_place", "Venu sans inscription"
