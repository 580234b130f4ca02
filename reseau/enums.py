"""Reference lists of the territory: data·inclusion typologies and the national places standard.

Values are the exact strings of the national standard v1.0.2 (schema.json), so exports validate.
"""

from django.db import models


class Typologie(models.TextChoices):
    MUNI = "MUNI", "Mairie, services municipaux"
    CCAS = "CCAS", "Centre communal d'action sociale"
    CIAS = "CIAS", "Centre intercommunal d'action sociale"
    BIB = "BIB", "Bibliothèque, médiathèque"
    EPN = "EPN", "Espace public numérique"
    CS = "CS", "Centre social"
    CSC = "CSC", "Centre socioculturel"
    MQ = "MQ", "Maison de quartier"
    MJC = "MJC", "Maison des jeunes et de la culture"
    ML = "ML", "Mission locale"
    FT = "FT", "France Travail"
    CAF = "CAF", "Caisse d'allocations familiales"
    CPAM = "CPAM", "Caisse primaire d'assurance maladie"
    MSA = "MSA", "Mutualité sociale agricole"
    MDS = "MDS", "Maison départementale des solidarités"
    MSAP = "MSAP", "France Services"
    CD = "CD", "Conseil départemental"
    EPCI = "EPCI", "Intercommunalité"
    PREF = "PREF", "Préfecture"
    LA_POSTE = "LA_POSTE", "La Poste"
    CIDFF = "CIDFF", "Centre d'information sur les droits des femmes et des familles"
    CHRS = "CHRS", "Centre d'hébergement et de réinsertion sociale"
    ACI = "ACI", "Atelier chantier d'insertion"
    EI = "EI", "Entreprise d'insertion"
    PIJ_BIJ = "PIJ_BIJ", "Point ou bureau information jeunesse"
    RESSOURCERIE = "RESSOURCERIE", "Ressourcerie"
    TIERS_LIEUX = "TIERS_LIEUX", "Tiers-lieu"
    ASSO = "ASSO", "Association"
    AUTRE = "Autre", "Autre"


class Service(models.TextChoices):
    DEMARCHES = "Aide aux démarches administratives", "Aide aux démarches administratives"
    OUTILS_QUOTIDIEN = (
        "Maîtrise des outils numériques du quotidien",
        "Maîtrise des outils numériques du quotidien",
    )
    INSERTION_PRO = (
        "Insertion professionnelle via le numérique",
        "Insertion professionnelle via le numérique",
    )
    SECURITE = "Utilisation sécurisée du numérique", "Utilisation sécurisée du numérique"
    PARENTALITE = (
        "Parentalité et éducation avec le numérique",
        "Parentalité et éducation avec le numérique",
    )
    LOISIRS = "Loisirs et créations numériques", "Loisirs et créations numériques"
    COMPREHENSION = "Compréhension du monde numérique", "Compréhension du monde numérique"
    ACCES_INTERNET = (
        "Accès internet et matériel informatique",
        "Accès internet et matériel informatique",
    )
    MATERIEL_SOLIDAIRE = (
        "Acquisition de matériel informatique à prix solidaire",
        "Acquisition de matériel informatique à prix solidaire",
    )


class Public(models.TextChoices):
    JEUNES = "Jeunes", "Jeunes"
    ETUDIANTS = "Étudiants", "Étudiants"
    FAMILLES = "Familles et/ou enfants", "Familles et/ou enfants"
    SENIORS = "Seniors", "Seniors"
    FEMMES = "Femmes", "Femmes"


class PriseEnCharge(models.TextChoices):
    SURDITE = "Surdité", "Surdité"
    HANDICAP_MOTEUR = "Handicaps moteurs", "Handicaps moteurs"
    HANDICAP_MENTAL = "Handicaps mentaux", "Handicaps mentaux"
    ILLETTRISME = "Illettrisme", "Illettrisme"
    LANGUES_ANGLAIS = "Langues étrangères (anglais)", "Langues étrangères (anglais)"
    LANGUES_AUTRES = "Langues étrangères (autres)", "Langues étrangères (autres)"
    DEFICIENCE_VISUELLE = "Déficience visuelle", "Déficience visuelle"


class Frais(models.TextChoices):
    GRATUIT = "Gratuit", "Gratuit"
    GRATUIT_SOUS_CONDITION = "Gratuit sous condition", "Gratuit sous condition"
    PAYANT = "Payant", "Payant"


class Dispositif(models.TextChoices):
    AIDANTS_CONNECT = "Aidants Connect", "Aidants Connect"
    BNR = "Bibliothèques numérique de référence", "Bibliothèques numérique de référence"
    PIX = "Certification PIX", "Certification PIX"
    CONUM = "Conseillers numériques", "Conseillers numériques"
    EMMAUS = "Emmaüs Connect", "Emmaüs Connect"
    FRANCE_SERVICES = "France Services", "France Services"
    GEN = "Grande école du numérique", "Grande école du numérique"
    CROIX_ROUGE = "La Croix Rouge", "La Croix Rouge"
    CAF = "Point d'accès numérique CAF", "Point d'accès numérique CAF"
    PROMENEURS = "Promeneurs du net", "Promeneurs du net"
    RELAIS = "Relais numérique (Emmaüs Connect)", "Relais numérique (Emmaüs Connect)"


class FormationLabel(models.TextChoices):
    MON_ESPACE_SANTE = "Formé à « Mon Espace Santé »", "Formé à « Mon Espace Santé »"
    DUPLEX = "Formé à « DUPLEX » (illettrisme)", "Formé à « DUPLEX » (illettrisme)"
    ARNIA = (
        "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
        "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
    )
    REEMPLOI = (
        "Collectif ressources et acteurs réemploi (Normandie)",
        "Collectif ressources et acteurs réemploi (Normandie)",
    )
    ETAPES = "Étapes numériques(La Poste)", "Étapes numériques (La Poste)"
    FABRIQUES = "Fabriques de Territoire", "Fabriques de Territoire"
    ECLAIREURS = "Les Éclaireurs du numérique (Drôme)", "Les Éclaireurs du numérique (Drôme)"
    MES_PAPIERS = "Mes Papiers (Métropole de Lyon)", "Mes Papiers (Métropole de Lyon)"
    ORDI = "ORDI 3.0", "ORDI 3.0"
    SUD_LABS = "SUD LABS (PACA)", "SUD LABS (PACA)"


class ModaliteAcces(models.TextChoices):
    SE_PRESENTER = "Se présenter", "Se présenter"
    TELEPHONER = "Téléphoner", "Téléphoner"
    MAIL = "Contacter par mail", "Contacter par mail"
    RDV_EN_LIGNE = "Prendre un RDV en ligne", "Prendre un RDV en ligne"
    PAS_DE_PUBLIC = "Ce lieu n'accueille pas de public", "Ce lieu n'accueille pas de public"
    PRESCRIPTION = (
        "Envoyer un mail avec une fiche de prescription",
        "Envoyer un mail avec une fiche de prescription",
    )


class ModaliteAccompagnement(models.TextChoices):
    AUTONOMIE = "En autonomie", "En autonomie"
    INDIVIDUEL = "Accompagnement individuel", "Accompagnement individuel"
    ATELIER = "Dans un atelier collectif", "Dans un atelier collectif"
    DISTANCE = "À distance", "À distance"


class Itinerance(models.TextChoices):
    ITINERANT = "Itinérant", "Itinérant"
    FIXE = "Fixe", "Fixe"


# --- The network's life: update campaigns, meetings, orientations ---------------------------


class EtatVerification(models.TextChoices):
    """Where a structure stands in an update campaign."""

    A_FAIRE = "a_faire", "À faire"
    RELANCEE = "relancee", "Relancée"
    CONFIRMEE = "confirmee", "Confirmée sans changement"
    MISE_A_JOUR = "mise_a_jour", "Mise à jour"


class TypeReunion(models.TextChoices):
    ASSEMBLEE = "assemblee", "Assemblée"
    COMITE = "comite", "Comité technique/de pilotage"
    GROUPE_DE_TRAVAIL = "groupe_de_travail", "Groupe de travail"
    MOMENT_ECHANGE = "moment_d_echange", "Moment d'échange"
    COORDINATION = "reunion_de_coordination", "Réunion de coordination"
    WEBINAIRE = "webinaire", "Webinaire"
    AUTRE = "autre", "Autre"


class Reponse(models.TextChoices):
    """An invited person's answer (RSVP)."""

    OUI = "oui", "Présent(e)"
    NON = "non", "Excusé(e)"


class EtatOrientation(models.TextChoices):
    OUVERTE = "ouverte", "Ouverte"
    VALIDEE = "validee", "Validée"
    REFUSEE = "refusee", "Refusée"
    EXPIREE = "expiree", "Expirée"


class PreferenceContact(models.TextChoices):
    TELEPHONE = "telephone", "Par téléphone"
    SMS = "sms", "Par SMS"
    COURRIEL = "courriel", "Par e-mail"
    VIA_ORIENTEUR = "via_orienteur", "Par l'intermédiaire de la structure qui oriente"
