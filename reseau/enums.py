"""Reference lists of the territory: data·inclusion typologies and the national places standard.

Values are the exact strings of the national standard v1.0.2 (schema.json), so exports validate.
"""

from django.db import models


class Typologie(models.TextChoices):
    """data·inclusion's typologies of structures (the vocabulary the national standard's
    `typologie` column refers to). The schema puts no list on that column: an unknown code is
    imported with a warning and kept (see standard.py)."""

    # The ones met in the city's network, shown first in forms (see TYPOLOGIES_COURANTES).
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
    # The rest of data·inclusion's list.
    ACIPHC = "ACIPHC", "Atelier chantier d'insertion premières heures en chantier"
    AFPA = "AFPA", "Agence nationale pour la formation professionnelle des adultes (AFPA)"
    AI = "AI", "Association intermédiaire"
    ASE = "ASE", "Aide sociale à l'enfance"
    ASSO_CHOMEUR = "ASSO_CHOMEUR", "Association de chômeurs"
    AVIP = "AVIP", "Crèche à vocation d'insertion professionnelle (AVIP)"
    CAARUD = (
        "CAARUD",
        "Centre d'accueil et d'accompagnement à la réduction des risques pour usagers de drogues",
    )
    CADA = "CADA", "Centre d'accueil de demandeurs d'asile"
    CAP_EMPLOI = "CAP_EMPLOI", "Cap emploi"
    CAVA = "CAVA", "Centre d'adaptation à la vie active"
    CC = "CC", "Communauté de communes"
    CCONS = "CCONS", "Chambre consulaire (CCI, CMA, chambre d'agriculture)"
    CDAS = "CDAS", "Centre départemental d'action sociale"
    CFP = "CFP", "Centre des finances publiques"
    CHU = "CHU", "Centre d'hébergement d'urgence"
    CITMET = "CITMET", "Cité des métiers"
    CMP = "CMP", "Centre médico-psychologique"
    CMS = "CMS", "Centre médico-social"
    CPH = "CPH", "Centre provisoire d'hébergement"
    CSAPA = "CSAPA", "Centre de soins, d'accompagnement et de prévention en addictologie"
    DEETS = "DEETS", "Direction de l'économie, de l'emploi, du travail et des solidarités"
    DEPT = "DEPT", "Services sociaux du conseil départemental"
    DIPLP = (
        "DIPLP",
        "Délégation interministérielle à la prévention et à la lutte contre la pauvreté",
    )
    E2C = "E2C", "École de la deuxième chance"
    EA = "EA", "Entreprise adaptée"
    EATT = "EATT", "Entreprise adaptée de travail temporaire"
    EITI = "EITI", "Entreprise d'insertion par le travail indépendant"
    ENM = "ENM", "Espace numérique mobile"
    EPI = "EPI", "Espace public internet"
    EPIDE = "EPIDE", "Établissement pour l'insertion dans l'emploi (EPIDE)"
    ES = "ES", "Épicerie solidaire"
    ESS = "ESS", "Entreprise de l'économie sociale et solidaire"
    ETABL_PRI = "ETABL_PRI", "Établissement privé"
    ETABL_PUB = "ETABL_PUB", "Établissement public"
    ETAT = "ETAT", "Service de l'État"
    ETTI = "ETTI", "Entreprise de travail temporaire d'insertion"
    EVS = "EVS", "Espace de vie sociale"
    FABLAB = "FABLAB", "Fablab, atelier partagé"
    FAIS = "FAIS", "Fédération d'acteurs de l'insertion et de la solidarité"
    GEIQ = "GEIQ", "Groupement d'employeurs pour l'insertion et la qualification"
    HUDA = "HUDA", "Hébergement d'urgence pour demandeurs d'asile"
    MDE = "MDE", "Maison de l'emploi"
    MDEF = "MDEF", "Maison de l'emploi et de la formation"
    MDPH = "MDPH", "Maison départementale des personnes handicapées"
    OACAS = "OACAS", "Organisme d'accueil communautaire et d'activité solidaire (OACAS)"
    ODC = "ODC", "Organisation délégataire d'un conseil départemental"
    OF = "OF", "Organisme de formation"
    OIL = "OIL", "Opérateur d'intermédiation locative"
    OPCS = "OPCS", "Organisation porteuse de la clause sociale"
    PAD = "PAD", "Point d'accès au droit"
    PE = "PE", "Pôle emploi (ancien code, devenu France Travail)"
    PENSION = "PENSION", "Pension de famille, résidence accueil"
    PI = "PI", "Point information"
    PIMMS = "PIMMS", "Point information médiation multi-services (PIMMS)"
    PJJ = "PJJ", "Protection judiciaire de la jeunesse"
    PLIE = "PLIE", "Plan local pour l'insertion et l'emploi"
    PREVENTION = "PREVENTION", "Service ou club de prévention"
    REG = "REG", "Région"
    RFS = "RFS", "Réseau France Services"
    RS_FJT = "RS_FJT", "Résidence sociale, foyer de jeunes travailleurs"
    SCP = "SCP", "Services et clubs de prévention"
    SPIP = "SPIP", "Service pénitentiaire d'insertion et de probation"
    UDAF = "UDAF", "Union départementale des associations familiales"


# The typologies met in the city's network: listed first, the rest of the national list after.
TYPOLOGIES_COURANTES = [
    "MUNI",
    "CCAS",
    "CIAS",
    "BIB",
    "EPN",
    "CS",
    "CSC",
    "MQ",
    "MJC",
    "ML",
    "FT",
    "CAF",
    "CPAM",
    "MSA",
    "MDS",
    "MSAP",
    "CD",
    "EPCI",
    "PREF",
    "LA_POSTE",
    "CIDFF",
    "CHRS",
    "ACI",
    "EI",
    "PIJ_BIJ",
    "RESSOURCERIE",
    "TIERS_LIEUX",
    "ASSO",
    "Autre",
]


def typologie_choices(extra_codes=()) -> list:
    """Grouped choices for forms and filters: the network's usual typologies, then the rest of
    data·inclusion's list in alphabetical order; codes outside the list (kept from an import)
    are offered too, so that saving a form does not silently drop them."""
    labels = dict(Typologie.choices)
    common = [(code, labels[code]) for code in TYPOLOGIES_COURANTES]
    others = sorted(
        ((code, label) for code, label in Typologie.choices if code not in TYPOLOGIES_COURANTES),
        key=lambda choice: choice[1].lower(),
    )
    groups = [
        ("Typologies courantes du réseau", common),
        ("Autres typologies (liste nationale data·inclusion)", others),
    ]
    unknown = sorted({code for code in extra_codes if code not in labels})
    if unknown:
        groups.append(
            (
                "Codes hors liste (importés)",
                [(code, f"{code} (code hors liste)") for code in unknown],
            )
        )
    return groups


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
