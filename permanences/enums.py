"""The national vocabulary of the médiation log (La Coop de la médiation numérique), DESIGN §4.

Values are the Coop's API codes; labels are shown exactly as the national tool shows them.
"""

from django.db import models


class TypeActivite(models.TextChoices):
    INDIVIDUEL = "individuel", "Accompagnement individuel"
    COLLECTIF = "collectif", "Atelier collectif"


class TypeLieu(models.TextChoices):
    LIEU_ACTIVITE = "lieu_activite", "Lieu d’activité"
    AUTRE = "autre", "Autre lieu"
    DOMICILE = "domicile", "À domicile"
    A_DISTANCE = "a_distance", "À distance"


DURATION_PRESETS = (15, 30, 45, 60, 90, 120)


class TrancheDuree(models.TextChoices):
    MOINS_30 = "moins_30", "Moins de 30 min"
    DE_30_A_60 = "30_60", "30min à 1 h"
    DE_60_A_120 = "60_120", "1 h à 2 h"
    PLUS_120 = "plus_120", "2 h et plus"

    @classmethod
    def for_minutes(cls, minutes: int) -> "TrancheDuree":
        if minutes < 30:
            return cls.MOINS_30
        if minutes < 60:
            return cls.DE_30_A_60
        if minutes < 120:
            return cls.DE_60_A_120
        return cls.PLUS_120


class Materiel(models.TextChoices):
    ORDINATEUR = "ordinateur", "Ordinateur"
    TELEPHONE = "telephone", "Téléphone"
    TABLETTE = "tablette", "Tablette"
    AUTRE = "autre", "Autre"
    AUCUN = "aucun", "Pas de matériel"


class Thematique(models.TextChoices):
    DIAGNOSTIC_NUMERIQUE = "diagnostic_numerique", "Diagnostic numérique"
    PRENDRE_EN_MAIN_DU_MATERIEL = "prendre_en_main_du_materiel", "Prendre en main du matériel"
    MAINTENANCE_DE_MATERIEL = "maintenance_de_materiel", "Maintenance de matériel"
    GERE_SES_CONTENUS_NUMERIQUES = "gere_ses_contenus_numeriques", "Gérer ses contenus numériques"
    NAVIGATION_SUR_INTERNET = "navigation_sur_internet", "Navigation sur internet"
    EMAIL = "email", "E-mail"
    BUREAUTIQUE = "bureautique", "Bureautique"
    RESEAUX_SOCIAUX = "reseaux_sociaux", "Réseaux sociaux communication"
    SANTE = "sante", "Santé"
    BANQUE_ET_ACHATS_EN_LIGNE = "banque_et_achats_en_ligne", "Banque et achats en ligne"
    ENTREPRENEURIAT = "entrepreneuriat", "Accompagner un professionnel"
    INSERTION_PROFESSIONNELLE = "insertion_professionnelle", "Insertion professionnelle"
    SECURITE_NUMERIQUE = "securite_numerique", "Prévention en sécurité numérique"
    PARENTALITE = "parentalite", "Parentalité"
    SCOLARITE_ET_NUMERIQUE = "scolarite_et_numerique", "Scolarité et numérique"
    CREER_AVEC_LE_NUMERIQUE = "creer_avec_le_numerique", "Créer avec le numérique"
    CULTURE_NUMERIQUE = "culture_numerique", "Culture numérique"
    INTELLIGENCE_ARTIFICIELLE = "intelligence_artificielle", "Intelligence artificielle (IA)"
    AIDE_AUX_DEMARCHES_ADMINISTRATIVES = (
        "aide_aux_demarches_administratives",
        "Aide aux démarches administratives",
    )


class ThematiqueDemarche(models.TextChoices):
    PAPIERS_ELECTIONS_CITOYENNETE = (
        "papiers_elections_citoyennete",
        "Papiers - Élections - Citoyenneté",
    )
    FAMILLE_SCOLARITE = "famille_scolarite", "Famille - Scolarité"
    SOCIAL_SANTE = "social_sante", "Social - Santé"
    TRAVAIL_FORMATION = "travail_formation", "Travail - Formation - Entreprise"
    LOGEMENT = "logement", "Logement"
    TRANSPORTS_MOBILITE = "transports_mobilite", "Transports - Mobilité"
    ARGENT_IMPOTS = "argent_impots", "Argent - Impôts"
    JUSTICE = "justice", "Justice"
    ETRANGERS_EUROPE = "etrangers_europe", "Étrangers - Europe"
    LOISIRS_SPORTS_CULTURE = "loisirs_sports_culture", "Loisirs - Sports - Culture"
    ASSOCIATIONS = "associations", "Associations"


class Autonomie(models.TextChoices):
    ENTIEREMENT_ACCOMPAGNE = "entierement_accompagne", "Avec guidage"
    PARTIELLEMENT_AUTONOME = "partiellement_autonome", "Autonome avec guidage en cas de besoin"
    AUTONOME = "autonome", "Autonome"


class NiveauAtelier(models.TextChoices):
    DEBUTANT = "debutant", "Débutant"
    INTERMEDIAIRE = "intermediaire", "Intermédiaire"
    AVANCE = "avance", "Avancé"


class StructureRedirection(models.TextChoices):
    ADMINISTRATION = "administration", "Administration (mairie, préfecture…)"
    MEDIATION_NUMERIQUE = "mediation_numerique", "Autre structure de médiation numérique"
    OPERATEUR = (
        "operateur_ou_organisme_en_charge",
        "Opérateur ou organisme en charge de la démarche administrative",
    )
    AIDE_SOCIALE = (
        "aide_sociale",
        "Structure d’aide sociale (maison des solidarités, centre social…)",
    )
    INSERTION_PROFESSIONNELLE = (
        "insertion_professionnelle",
        "Structure d’insertion professionnelle (France Travail, mission locale, chambre de commerce…)",
    )
    AIDE_AUX_DEMARCHES = (
        "aide_aux_demarches_administratives",
        "Structure d’aide aux démarches administratives (France Services…)",
    )
    # Not in La Coop's list: the city's own follow-up of the social internet offers.
    OFFRE_SOCIALE_INTERNET = (
        "offre_sociale_internet",
        "Offre sociale internet (fournisseur d’accès)",
    )
    AUTRE = "autre", "Autre"


class Satisfaction(models.TextChoices):
    TRES_SATISFAIT = "tres_satisfait", "Très satisfait"
    SATISFAIT = "satisfait", "Satisfait"
    PEU_SATISFAIT = "peu_satisfait", "Peu satisfait"
    PAS_DU_TOUT_SATISFAIT = "pas_du_tout_satisfait", "Pas du tout satisfait"


class SourceConnaissance(models.TextChoices):
    BOUCHE_A_OREILLE = "bouche_a_oreille", "Bouche-à-oreille"
    PARTENAIRE = "partenaire", "Partenaire / structure"
    AFFICHE = "affiche", "Affiche ou flyer"
    SITE_VILLE = "site_ville", "Site ou réseaux sociaux de la ville"
    MEDIATHEQUE = "mediatheque", "Médiathèque"
    AUTRE = "autre", "Autre"


class UsagerMode(models.TextChoices):
    """Who an individual report names (log form): nobody, a usager already known, a new one."""

    ANONYME = "anonyme", "Anonyme"
    EXISTANT = "existant", "Déjà accompagné"
    NOUVEAU = "nouveau", "Nouvel usager identifié"


class OuiNon(models.TextChoices):
    """A yes/no question of the log form, asked with two buttons."""

    OUI = "oui", "Oui"
    NON = "non", "Non"

    @classmethod
    def of(cls, value: bool | None) -> str:
        """The answer to show for a stored boolean ("" when it was not given)."""
        return {True: cls.OUI, False: cls.NON}.get(value, "")

    @classmethod
    def to_bool(cls, answer: str) -> bool | None:
        """The boolean to store for an answer (None when it was not given)."""
        return {cls.OUI: True, cls.NON: False}.get(answer)


class ModePermanence(models.TextChoices):
    SANS_RDV = "sans_rdv", "Sans rendez-vous"
    SUR_RDV = "sur_rdv", "Sur rendez-vous"


class Weekday(models.IntegerChoices):
    LUNDI = 0, "Lundi"
    MARDI = 1, "Mardi"
    MERCREDI = 2, "Mercredi"
    JEUDI = 3, "Jeudi"
    VENDREDI = 4, "Vendredi"
    SAMEDI = 5, "Samedi"
    DIMANCHE = 6, "Dimanche"


WEEKDAY_NAMES = {day.value: day.label.lower() for day in Weekday}


def permanence_label(lieu, weekday: int, hours: str) -> str:
    """How a permanence reads everywhere (its str(), its choices, the figures' rows): « Maison
    des habitants — mardi 14:00–17:00 »; `hours`: « 14:00–17:00 »."""
    return f"{lieu} — {WEEKDAY_NAMES[weekday]} {hours}"


class SyncOutcome(models.TextChoices):
    """How the last synchronisation with La Coop's API ended (permanences/coop/sync.py)."""

    COMPLETE = "complete", "Terminée : tout ce qui a changé dans La Coop est à jour ici"
    PARTIAL = (
        "partielle",
        "Arrêtée après le nombre de pages permis : la suite viendra au prochain passage",
    )
    FAILED = "echec", "Échec : la synchronisation reprendra au même endroit"


class StatutRendezVous(models.TextChoices):
    CONFIRME = "confirme", "Confirmé"
    ARRIVE = "arrive", "Arrivé"
    VU = "vu", "Reçu"
    ABSENT = "absent", "Absent"
    ANNULE = "annule", "Annulé"


# Statuses that hold a place on the slot.
STATUTS_ACTIFS = (
    StatutRendezVous.CONFIRME,
    StatutRendezVous.ARRIVE,
    StatutRendezVous.VU,
    StatutRendezVous.ABSENT,
)


class BesoinRendezVous(models.TextChoices):
    DEMARCHES = "demarches", "Faire une démarche en ligne (CAF, impôts, santé…)"
    TELEPHONE = "telephone", "Utiliser mon téléphone ou ma tablette"
    ORDINATEUR = "ordinateur", "Utiliser un ordinateur"
    EMAIL = "email", "E-mail, internet, comptes en ligne"
    AUTRE = "autre", "Autre chose"
