"""Choices of Ordinateurs solidaires: device states and kinds, erasure methods, donation and
request statuses, households' situation."""

from django.db import models


class Etat(models.TextChoices):
    """A device's state. The normal path: reçu → diagnostiqué → effacé → reconditionné →
    contrôlé → disponible → réservé → remis; side exits below."""

    RECU = "recu", "Reçu"
    DIAGNOSTIQUE = "diagnostique", "Diagnostiqué"
    EFFACE = "efface", "Effacé"
    RECONDITIONNE = "reconditionne", "Reconditionné"
    CONTROLE = "controle", "Contrôlé"
    DISPONIBLE = "disponible", "Disponible"
    RESERVE = "reserve", "Réservé"
    REMIS = "remis", "Remis"
    EN_REPARATION = "en_reparation", "En réparation"
    NON_REEMPLOYABLE = "non_reemployable", "Non réemployable"
    DEMANTELE = "demantele", "Démantelé"
    RECYCLE = "recycle", "Recyclé (DEEE)"
    RETOURNE = "retourne", "Retourné"
    PERDU = "perdu", "Perdu"


# The normal path of a device, in order (the workshop's pages and the figures' funnel).
PATH = (
    Etat.RECU,
    Etat.DIAGNOSTIQUE,
    Etat.EFFACE,
    Etat.RECONDITIONNE,
    Etat.CONTROLE,
    Etat.DISPONIBLE,
    Etat.RESERVE,
    Etat.REMIS,
)

# Which state may follow which (the workshop's rules; anything else is refused).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Etat.RECU: (Etat.DIAGNOSTIQUE, Etat.NON_REEMPLOYABLE, Etat.PERDU),
    Etat.DIAGNOSTIQUE: (Etat.EFFACE, Etat.EN_REPARATION, Etat.NON_REEMPLOYABLE, Etat.PERDU),
    Etat.EFFACE: (Etat.RECONDITIONNE, Etat.EN_REPARATION, Etat.NON_REEMPLOYABLE, Etat.PERDU),
    Etat.RECONDITIONNE: (Etat.CONTROLE, Etat.EN_REPARATION, Etat.NON_REEMPLOYABLE, Etat.PERDU),
    Etat.CONTROLE: (Etat.DISPONIBLE, Etat.EN_REPARATION, Etat.NON_REEMPLOYABLE, Etat.PERDU),
    Etat.DISPONIBLE: (Etat.RESERVE, Etat.EN_REPARATION, Etat.PERDU),
    Etat.RESERVE: (Etat.REMIS, Etat.DISPONIBLE, Etat.PERDU),
    Etat.REMIS: (Etat.RETOURNE,),
    Etat.EN_REPARATION: (Etat.DIAGNOSTIQUE, Etat.NON_REEMPLOYABLE, Etat.PERDU),
    Etat.NON_REEMPLOYABLE: (Etat.DEMANTELE, Etat.RECYCLE),
    Etat.DEMANTELE: (Etat.RECYCLE,),
    Etat.RECYCLE: (),
    Etat.RETOURNE: (Etat.DIAGNOSTIQUE, Etat.NON_REEMPLOYABLE),
    Etat.PERDU: (),
}


class TypeAppareil(models.TextChoices):
    PORTABLE = "portable", "Ordinateur portable"
    FIXE = "fixe", "Ordinateur fixe (unité centrale)"
    TOUT_EN_UN = "tout_en_un", "Tout-en-un"
    TABLETTE = "tablette", "Tablette"
    ECRAN = "ecran", "Écran"
    TELEPHONE = "telephone", "Téléphone"
    AUTRE = "autre", "Autre"


class TypeStockage(models.TextChoices):
    HDD = "hdd", "Disque dur (HDD)"
    SSD = "ssd", "SSD SATA"
    NVME = "nvme", "SSD NVMe"
    EMMC = "emmc", "Mémoire eMMC"
    AUTRE = "autre", "Autre"


class MethodeEffacement(models.TextChoices):
    NIST_CLEAR = "nist_clear", "NIST SP 800-88 Clear (réécriture)"
    NIST_PURGE = "nist_purge", "NIST SP 800-88 Purge"
    ATA_SECURE_ERASE = "ata_secure_erase", "ATA Secure Erase"
    NVME_SECURE_ERASE = "nvme_secure_erase", "NVMe Format / Sanitize"
    REECRITURE = "reecriture", "Réécriture en plusieurs passes"
    DESTRUCTION = "destruction", "Destruction physique"


class ResultatEffacement(models.TextChoices):
    REUSSI = "reussi", "Réussi"
    ECHEC = "echec", "Échec"


# The functional checklist of the decree on "reconditionné" devices: every function tested.
CHECKLIST = [
    ("demarrage", "Démarrage et système installé"),
    ("ecran", "Écran (pixels, rétroéclairage)"),
    ("clavier", "Clavier"),
    ("pave_tactile_souris", "Pavé tactile ou souris"),
    ("ports_usb", "Ports USB"),
    ("son", "Haut-parleurs et prise casque"),
    ("camera_micro", "Caméra et micro"),
    ("wifi", "Wi-Fi"),
    ("batterie_alimentation", "Batterie ou alimentation"),
    ("donnees_absentes", "Aucune donnée d'un précédent utilisateur"),
]
CHECKLIST_LABELS = dict(CHECKLIST)

# Which items apply to which kind of device. REQUIRED: the function is part of every such device
# and must work for the check to pass. OPTIONAL: present on some devices of that kind only (a
# tower's Wi-Fi card, the keyboard given with it): tested when present, else "sans objet". An
# item not listed does not apply (a tower has no screen nor battery): recorded "sans objet".
# A check stores {item: True (fonctionne) | False (défaut) | None (sans objet)}; the checks
# recorded before this table have every item True or False and keep that meaning.
REQUIRED, OPTIONAL = "requis", "facultatif"
_ALL = [key for key, _label in CHECKLIST]
CHECKLIST_BY_TYPE: dict[str, dict[str, str]] = {
    TypeAppareil.PORTABLE: dict.fromkeys(_ALL, REQUIRED),
    TypeAppareil.FIXE: {
        "demarrage": REQUIRED,
        "clavier": OPTIONAL,
        "pave_tactile_souris": OPTIONAL,
        "ports_usb": REQUIRED,
        "son": REQUIRED,
        "camera_micro": OPTIONAL,
        "wifi": OPTIONAL,
        "donnees_absentes": REQUIRED,
    },
    TypeAppareil.TOUT_EN_UN: {
        "demarrage": REQUIRED,
        "ecran": REQUIRED,
        "clavier": OPTIONAL,
        "pave_tactile_souris": OPTIONAL,
        "ports_usb": REQUIRED,
        "son": REQUIRED,
        "camera_micro": OPTIONAL,
        "wifi": OPTIONAL,
        "donnees_absentes": REQUIRED,
    },
    TypeAppareil.TABLETTE: {
        "demarrage": REQUIRED,
        "ecran": REQUIRED,
        "clavier": OPTIONAL,
        "ports_usb": OPTIONAL,
        "son": REQUIRED,
        "camera_micro": REQUIRED,
        "wifi": REQUIRED,
        "batterie_alimentation": REQUIRED,
        "donnees_absentes": REQUIRED,
    },
    TypeAppareil.TELEPHONE: {
        "demarrage": REQUIRED,
        "ecran": REQUIRED,
        "ports_usb": OPTIONAL,
        "son": REQUIRED,
        "camera_micro": REQUIRED,
        "wifi": REQUIRED,
        "batterie_alimentation": REQUIRED,
        "donnees_absentes": REQUIRED,
    },
    TypeAppareil.ECRAN: {"ecran": REQUIRED, "ports_usb": OPTIONAL, "son": OPTIONAL},
    # Anything else: the technician says what the device has (at least one function tested).
    TypeAppareil.AUTRE: dict.fromkeys(_ALL, OPTIONAL),
}


def checklist_for(type_appareil: str) -> list[tuple[str, str, str]]:
    """(item, label, REQUIRED or OPTIONAL) of the items that apply to that kind of device."""
    applies = CHECKLIST_BY_TYPE.get(type_appareil, CHECKLIST_BY_TYPE[TypeAppareil.AUTRE])
    return [(key, label, applies[key]) for key, label in CHECKLIST if key in applies]


def all_working(type_appareil: str) -> dict:
    """The results of a device of that kind whose every function works (the demo's)."""
    applies = {key for key, _label, _need in checklist_for(type_appareil)}
    return {key: True if key in applies else None for key, _label in CHECKLIST}


def not_applicable_for(type_appareil: str) -> list[str]:
    """The labels of the items that never apply to that kind of device."""
    applies = {key for key, _label, _need in checklist_for(type_appareil)}
    return [label for key, label in CHECKLIST if key not in applies]


class StatutDon(models.TextChoices):
    PROPOSE = "propose", "Proposé"
    COLLECTE_PREVUE = "collecte_prevue", "Collecte prévue"
    COLLECTE = "collecte", "Collecté"
    CONFIRME = "confirme", "Réception confirmée par le donateur"
    ANNULE = "annule", "Annulé"


class StatutDemande(models.TextChoices):
    """soumise → éligible / incomplète / refusée → liste d'attente → proposée → équipée;
    abandon, expirée."""

    SOUMISE = "soumise", "Soumise"
    INCOMPLETE = "incomplete", "Incomplète"
    ELIGIBLE = "eligible", "Éligible"
    REFUSEE = "refusee", "Refusée"
    LISTE_ATTENTE = "liste_attente", "Liste d'attente"
    PROPOSEE = "proposee", "Ordinateur proposé"
    EQUIPEE = "equipee", "Équipée"
    ABANDON = "abandon", "Abandon"
    EXPIREE = "expiree", "Expirée"


DEMANDE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    StatutDemande.SOUMISE: (
        StatutDemande.ELIGIBLE,
        StatutDemande.INCOMPLETE,
        StatutDemande.REFUSEE,
        StatutDemande.ABANDON,
    ),
    StatutDemande.INCOMPLETE: (
        StatutDemande.SOUMISE,
        StatutDemande.ABANDON,
        StatutDemande.EXPIREE,
    ),
    StatutDemande.ELIGIBLE: (StatutDemande.LISTE_ATTENTE, StatutDemande.ABANDON),
    StatutDemande.LISTE_ATTENTE: (
        StatutDemande.PROPOSEE,
        StatutDemande.ABANDON,
        StatutDemande.EXPIREE,
    ),
    StatutDemande.PROPOSEE: (
        StatutDemande.EQUIPEE,
        StatutDemande.LISTE_ATTENTE,
        StatutDemande.ABANDON,
    ),
    StatutDemande.REFUSEE: (),
    StatutDemande.EQUIPEE: (),
    StatutDemande.ABANDON: (),
    StatutDemande.EXPIREE: (),
}
OPEN_DEMANDES = (
    StatutDemande.SOUMISE,
    StatutDemande.INCOMPLETE,
    StatutDemande.ELIGIBLE,
    StatutDemande.LISTE_ATTENTE,
    StatutDemande.PROPOSEE,
)


class TrancheRevenus(models.TextChoices):
    MINIMA = "minima", "Minima sociaux"
    MOINS_SMIC = "moins_smic", "Moins d'un SMIC"
    SMIC_1_5 = "smic_1_5", "Entre 1 et 1,5 SMIC"
    PLUS = "plus", "Plus de 1,5 SMIC"
    NON_COMMUNIQUE = "non_communique", "Non communiqué"


class ReponseInvitation(models.TextChoices):
    """A donor's answer to the invitation to a ceremony."""

    VIENT = "vient", "Vient"
    NE_VIENT_PAS = "ne_vient_pas", "Ne vient pas"
