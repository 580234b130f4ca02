"""Demo referential for a Poitiers-like city: quartiers, 13 drop-in places, ~40 structures, ~80 contacts.

Names of places echo the city's programme; every person, phone number and e-mail is invented.
Idempotent: records are looked up by a stable key before being created.
"""

import datetime
import io
import random

from django.conf import settings
from django.utils import timezone

from poitiers_inclusion import demo as kernel_demo

from .enums import (
    EtatOrientation,
    EtatVerification,
    Frais,
    ModaliteAcces,
    ModaliteAccompagnement,
    PreferenceContact,
    Reponse,
    Service,
    TypeReunion,
)
from .models import (
    Campagne,
    Contact,
    Invitation,
    Lieu,
    Orientation,
    Quartier,
    Reunion,
    Structure,
    Verification,
)

COMMUNE, CODE_POSTAL, CODE_INSEE = "Poitiers", "86000", "86194"

# (code, nom, QPV, latitude, longitude)
QUARTIERS = [
    ("86194-CV", "Centre-ville", False, 46.5802, 0.3404),
    ("86194-CO", "Les Couronneries", True, 46.5934, 0.3629),
    ("86194-SE", "Saint-Éloi", True, 46.5969, 0.3806),
    ("86194-BE", "Beaulieu", True, 46.5876, 0.3704),
    ("86194-TC", "Trois-Cités", True, 46.5642, 0.3518),
    ("86194-BA", "Bel-Air", True, 46.5793, 0.3201),
    ("86194-SA", "Les Sables", False, 46.5573, 0.3749),
    ("86194-GI", "La Gibauderie", False, 46.5645, 0.3826),
    ("86194-MM", "Montmidi", False, 46.5749, 0.3301),
    ("86194-PN", "Pont-Neuf", False, 46.5827, 0.3553),
    ("86194-PO", "Poitiers Ouest", False, 46.5856, 0.3007),
    ("86194-MB", "Montbernage", False, 46.5775, 0.3615),
    ("86194-SC", "Saint-Cyprien", False, 46.5701, 0.3530),
]

# The 13 drop-in places: (identifiant, nom, structure, typologie, quartier code, adresse, lat, lon, wifi)
LIEUX = [
    (
        "poitiers-lieu-01",
        "Médiathèque François-Mitterrand",
        "Médiathèques de Poitiers",
        "BIB",
        "86194-CV",
        "4 rue de l'Université",
        46.5815,
        0.3390,
        True,
    ),
    (
        "poitiers-lieu-02",
        "Mairie de quartier des Couronneries",
        "Ville de Poitiers",
        "MUNI",
        "86194-CO",
        "37 boulevard Pierre-et-Marie-Curie",
        46.5930,
        0.3640,
        True,
    ),
    (
        "poitiers-lieu-03",
        "Mairie de quartier des Trois-Cités",
        "Ville de Poitiers",
        "MUNI",
        "86194-TC",
        "5 place des Trois-Cités",
        46.5650,
        0.3505,
        True,
    ),
    (
        "poitiers-lieu-04",
        "Mairie de quartier de Saint-Éloi",
        "Ville de Poitiers",
        "MUNI",
        "86194-SE",
        "10 rue de la Vallée-Monnaie",
        46.5960,
        0.3790,
        True,
    ),
    (
        "poitiers-lieu-05",
        "Mairie de quartier de Beaulieu",
        "Ville de Poitiers",
        "MUNI",
        "86194-BE",
        "2 place de France",
        46.5880,
        0.3710,
        True,
    ),
    (
        "poitiers-lieu-06",
        "Maison de quartier SEVE",
        "Maison de quartier SEVE",
        "MQ",
        "86194-TC",
        "18 place de France",
        46.5638,
        0.3530,
        True,
    ),
    (
        "poitiers-lieu-07",
        "Maison des Trois Quartiers",
        "Maison des Trois Quartiers",
        "MQ",
        "86194-MB",
        "25 rue du Général-Sarrail",
        46.5770,
        0.3620,
        True,
    ),
    (
        "poitiers-lieu-08",
        "Centre d'animation de Beaulieu",
        "Centre d'animation de Beaulieu",
        "CSC",
        "86194-BE",
        "10 boulevard Savari",
        46.5868,
        0.3722,
        False,
    ),
    (
        "poitiers-lieu-09",
        "Épicerie solidaire des Couronneries",
        "Épicerie solidaire Le Panier",
        "ASSO",
        "86194-CO",
        "8 rue de Nimègue",
        46.5941,
        0.3611,
        False,
    ),
    (
        "poitiers-lieu-10",
        "Épicerie solidaire de Bel-Air",
        "Épicerie solidaire Bel-Air Partage",
        "ASSO",
        "86194-BA",
        "14 rue de Bel-Air",
        46.5790,
        0.3210,
        False,
    ),
    (
        "poitiers-lieu-11",
        "Association Cap Sud",
        "Association Cap Sud",
        "ASSO",
        "86194-SA",
        "3 rue des Sables",
        46.5580,
        0.3740,
        False,
    ),
    (
        "poitiers-lieu-12",
        "Maison de quartier de Saint-Éloi",
        "Maison de quartier de Saint-Éloi",
        "MQ",
        "86194-SE",
        "1 rue Léon-Blum",
        46.5975,
        0.3815,
        True,
    ),
    (
        "poitiers-lieu-13",
        "Le Local, tiers-lieu associatif",
        "Le Local",
        "TIERS_LIEUX",
        "86194-PN",
        "16 rue Saint-Pierre-le-Puellier",
        46.5830,
        0.3480,
        True,
    ),
]

# Partner structures beyond those running a place: (nom, typologie, quartiers served)
PARTNERS = [
    ("CCAS de Poitiers", "CCAS", ["86194-CV"]),
    ("Mission locale d'insertion du Poitou", "ML", ["86194-CV", "86194-CO"]),
    ("CAF de la Vienne", "CAF", []),
    ("France Travail Poitiers Couronneries", "FT", ["86194-CO", "86194-SE"]),
    ("France Travail Poitiers Sud", "FT", ["86194-TC", "86194-SA"]),
    ("CPAM de la Vienne", "CPAM", []),
    ("Maison départementale des solidarités Poitiers Nord", "MDS", ["86194-CO", "86194-BE"]),
    ("Maison départementale des solidarités Poitiers Sud", "MDS", ["86194-TC", "86194-SA"]),
    ("France Services Poitiers", "MSAP", ["86194-CV"]),
    ("Direction de l'Éducation, Ville de Poitiers", "MUNI", []),
    ("Direction de l'Emploi, Ville de Poitiers", "MUNI", []),
    ("Centre socioculturel de la Blaiserie", "CSC", ["86194-PO"]),
    ("MJC Aliénor d'Aquitaine", "MJC", ["86194-CV"]),
    ("Centre d'animation des Couronneries", "CSC", ["86194-CO"]),
    ("Espace public numérique de Poitiers Ouest", "EPN", ["86194-PO"]),
    ("Association étudiante Connect'Vienne", "ASSO", ["86194-CV"]),
    ("Emmaüs Connect Poitiers", "ASSO", ["86194-CV"]),
    ("Secours populaire de la Vienne", "ASSO", ["86194-MM"]),
    ("Restos du cœur de Poitiers", "ASSO", ["86194-MM"]),
    ("Croix-Rouge, unité locale de Poitiers", "ASSO", ["86194-CV"]),
    ("Toit du monde", "ASSO", ["86194-CV"]),
    ("CIDFF de la Vienne", "CIDFF", []),
    ("La Poste, bureau de Poitiers Couronneries", "LA_POSTE", ["86194-CO"]),
    ("Point information jeunesse de Poitiers", "PIJ_BIJ", ["86194-CV"]),
    ("Ressourcerie Audacie", "RESSOURCERIE", ["86194-GI"]),
    ("Atelier chantier d'insertion Ordi'Vienne", "ACI", ["86194-SA"]),
    ("Centre social des Trois-Cités", "CS", ["86194-TC"]),
    ("Les Petits Débrouillards de la Vienne", "ASSO", ["86194-BE", "86194-SE"]),
    ("Service de la vie étudiante, Université de Poitiers", "Autre", ["86194-CV"]),
    ("Maison de quartier de Bellejouanne", "MQ", ["86194-GI"]),
]

SERVICES_BY_TYPOLOGY = {
    "BIB": [
        Service.OUTILS_QUOTIDIEN,
        Service.ACCES_INTERNET,
        Service.LOISIRS,
        Service.COMPREHENSION,
    ],
    "MUNI": [Service.DEMARCHES, Service.OUTILS_QUOTIDIEN, Service.ACCES_INTERNET],
    "MQ": [Service.OUTILS_QUOTIDIEN, Service.PARENTALITE, Service.DEMARCHES],
    "CSC": [Service.OUTILS_QUOTIDIEN, Service.PARENTALITE],
    "ASSO": [Service.DEMARCHES, Service.OUTILS_QUOTIDIEN],
    "TIERS_LIEUX": [Service.LOISIRS, Service.SECURITE, Service.ACCES_INTERNET],
    "CCAS": [Service.DEMARCHES],
    "ML": [Service.INSERTION_PRO],
    "FT": [Service.INSERTION_PRO, Service.DEMARCHES],
    "EPN": [Service.OUTILS_QUOTIDIEN, Service.ACCES_INTERNET, Service.SECURITE],
    "ACI": [Service.MATERIEL_SOLIDAIRE],
    "RESSOURCERIE": [Service.MATERIEL_SOLIDAIRE],
}

FIRST_NAMES = [
    "Claire",
    "Julien",
    "Amina",
    "Thomas",
    "Léa",
    "Karim",
    "Élodie",
    "Mathieu",
    "Fatou",
    "Nicolas",
    "Chloé",
    "Romain",
    "Sarah",
    "Antoine",
    "Aïcha",
    "Pierre",
    "Manon",
    "Hugo",
    "Laura",
    "Mehdi",
]
LAST_NAMES = [
    "Roux",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefebvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Francois",
]
FUNCTIONS = [
    "Directrice",
    "Directeur",
    "Animatrice numérique",
    "Conseiller en insertion",
    "Travailleuse sociale",
    "Chargé d'accueil",
    "Coordinatrice",
    "Bénévole référent",
]


def _fake_siret(n: int) -> str:
    return f"2186019400{n:04d}"


def _fake_phone(n: int) -> str:
    return f"+3354900{n:04d}"


def load(stdout):
    rng = random.Random(2022)
    quartiers = {}
    for code, nom, qpv, lat, lon in QUARTIERS:
        quartiers[code], _ = Quartier.objects.get_or_create(
            code=code,
            defaults={
                "nom": nom,
                "qpv": qpv,
                "commune": COMMUNE,
                "latitude": lat,
                "longitude": lon,
            },
        )

    structures = {}
    specs = [(s, t, [q]) for (_, _, s, t, q, *_rest) in LIEUX] + PARTNERS
    for n, (nom, typo, served) in enumerate(specs, start=1):
        if nom in structures:
            continue
        structure, created = Structure.objects.get_or_create(
            nom=nom,
            defaults={
                "pivot": _fake_siret(n),
                "typologies": [typo],
                "services": [s.value for s in SERVICES_BY_TYPOLOGY.get(typo, [Service.DEMARCHES])],
                "adresse": f"{n} rue de la Démo",
                "code_postal": CODE_POSTAL,
                "commune": COMMUNE,
                "telephone": _fake_phone(n),
                "courriel": f"contact{n}@structures.demo.example",
            },
        )
        if created:
            structure.quartiers.set([quartiers[c] for c in served])
        structures[nom] = structure

    for n, (ident, nom, structure_nom, typo, qcode, adresse, lat, lon, wifi) in enumerate(LIEUX, 1):
        structure = structures[structure_nom]
        Lieu.objects.get_or_create(
            identifiant=ident,
            defaults={
                "nom": nom,
                "structure": structure,
                "pivot": structure.pivot,
                "quartier": quartiers[qcode],
                "adresse": adresse,
                "code_postal": CODE_POSTAL,
                "commune": COMMUNE,
                "code_insee": CODE_INSEE,
                "latitude": lat,
                "longitude": lon,
                "typologie": [typo],
                "telephone": _fake_phone(100 + n),
                "courriels": [f"lieu{n}@lieux.demo.example"],
                "horaires": "Mo-Fr 09:00-12:00,14:00-17:30"
                if typo != "BIB"
                else "Tu-Sa 10:00-18:00",
                "connexion_solidaire": wifi,
                "accessibilite": "Accès de plain-pied" if n % 3 else "Ascenseur, boucle magnétique",
                "presentation_resume": f"Permanences numériques gratuites à {nom}.",
                "services": [s.value for s in SERVICES_BY_TYPOLOGY.get(typo, [Service.DEMARCHES])],
                "frais_a_charge": [Frais.GRATUIT.value],
                "modalites_acces": [
                    ModaliteAcces.SE_PRESENTER.value,
                    ModaliteAcces.TELEPHONER.value,
                ],
                "modalites_accompagnement": [ModaliteAccompagnement.INDIVIDUEL.value],
                "dispositif_programmes_nationaux": ["Conseillers numériques"],
                "itinerance": ["Fixe"],
                "source": f"Ville de {COMMUNE}",
                "date_maj": datetime.date(2022, 9, 1),
            },
        )

    for n, structure in enumerate(sorted(structures.values(), key=lambda s: s.nom)):
        for k in range(2):
            first = FIRST_NAMES[(n * 2 + k) % len(FIRST_NAMES)]
            last = LAST_NAMES[(n * 7 + k * 3) % len(LAST_NAMES)]
            email = f"{first.lower()}.{last.lower()}.{n}{k}@contacts.demo.example"
            email = email.replace("é", "e").replace("ï", "i").replace("è", "e")
            Contact.objects.get_or_create(
                courriel=email,
                defaults={
                    "structure": structure,
                    "prenom": first,
                    "nom": last,
                    "fonction": rng.choice(FUNCTIONS),
                    "telephone": _fake_phone(500 + n * 2 + k),
                    "referent_numerique": k == 0,
                },
            )
    stdout.write(
        f"Référentiel : {Quartier.objects.count()} quartiers, {Structure.objects.count()} structures, "
        f"{Lieu.objects.count()} lieux, {Contact.objects.count()} contacts."
    )
    # The demo accounts, one per role: the prescripteur belongs to one of the structures above.
    kernel_demo.load_accounts(stdout)
    load_activity(stdout)


# --- The network's life: meetings, an update campaign, orientations --------------------------

MEETINGS = [
    # (month, day, hour, type, title)
    (3, 17, 14, TypeReunion.ASSEMBLEE, "Assemblée du réseau d'inclusion numérique"),
    (10, 13, 9, TypeReunion.COMITE, "Comité de pilotage de l'inclusion numérique"),
]
FIRST_MEETING_YEAR = 2022


def _meetings(rng, today):
    lieu = Lieu.objects.get(identifiant="poitiers-lieu-01")
    contacts = list(Contact.objects.active().order_by("pk"))
    for year in range(FIRST_MEETING_YEAR, today.year + 2):
        for month, day, hour, kind, title in MEETINGS:
            when = timezone.make_aware(datetime.datetime(year, month, day, hour, 0))
            if when.date() > today + datetime.timedelta(days=180):
                continue
            reunion, created = Reunion.objects.get_or_create(
                type=kind,
                date=when,
                defaults={
                    "titre": f"{title} — {year}",
                    "lieu": lieu,
                    "lieu_precision": "Auditorium",
                    "ordre_du_jour": "1. Bilan des permanences\n2. Ateliers à venir\n"
                    "3. Ordinateurs solidaires\n4. Questions diverses",
                },
            )
            if not created:
                continue
            past = when.date() < today
            for contact in contacts:
                answer = rng.random()
                present = past and answer < 0.45
                Invitation.objects.create(
                    reunion=reunion,
                    contact=contact,
                    sent_at=when - datetime.timedelta(days=21),
                    reponse=Reponse.OUI if answer < 0.5 else (Reponse.NON if answer < 0.7 else ""),
                    answered_at=when - datetime.timedelta(days=10) if answer < 0.7 else None,
                    present=present,
                )
            if past:
                reunion.compte_rendu = (
                    f"{title} du {when:%d/%m/%Y}. Présentation des chiffres de l'année, "
                    "échanges sur les quartiers sans permanence, calendrier des ateliers."
                )
                reunion.save(update_fields=["compte_rendu"])


def _campaign(rng, today):
    year = today.year
    season = "printemps" if today.month < 7 else "automne"
    opened = timezone.make_aware(datetime.datetime(year, 4 if season == "printemps" else 10, 1, 9))
    campagne, created = Campagne.objects.get_or_create(
        titre=f"Mise à jour de l'annuaire — {season} {year}",
        defaults={"opened_at": opened, "message": "Merci de vérifier vos horaires d'accueil."},
    )
    if not created:
        return
    for n, structure in enumerate(Structure.objects.active().order_by("nom")):
        address = (
            structure.contacts.filter(referent_numerique=True)
            .values_list("courriel", flat=True)
            .first()
            or structure.courriel
        )
        state = n % 5
        Verification.objects.create(
            campagne=campagne,
            structure=structure,
            destinataire=address or "",
            sent_at=opened,
            reminded_at=opened + datetime.timedelta(days=15) if state in (3, 4) else None,
            reminders=1 if state in (3, 4) else 0,
            answered_at=opened + datetime.timedelta(days=3 + n % 10)
            if state in (0, 1, 4)
            else None,
            resultat={
                0: EtatVerification.CONFIRMEE,
                1: EtatVerification.MISE_A_JOUR,
                4: EtatVerification.CONFIRMEE,
            }.get(state, ""),
            changed_fields=["horaires"] if state == 1 else [],
        )


# (prénom, nom, from, to, besoin, state, days ago, refusal reason)
ORIENTATIONS = [
    (
        "Aline",
        "Démo-Morel",
        "CCAS de Poitiers",
        "Médiathèques de Poitiers",
        Service.OUTILS_QUOTIDIEN,
        EtatOrientation.OUVERTE,
        3,
        "",
    ),
    (
        "Bruno",
        "Démo-Perrin",
        "CCAS de Poitiers",
        "Maison de quartier SEVE",
        Service.DEMARCHES,
        EtatOrientation.OUVERTE,
        26,
        "",
    ),
    (
        "Céline",
        "Démo-Robin",
        "Mission locale d'insertion du Poitou",
        "CCAS de Poitiers",
        Service.DEMARCHES,
        EtatOrientation.OUVERTE,
        6,
        "",
    ),
    (
        "Driss",
        "Démo-Colin",
        "France Travail Poitiers Sud",
        "CCAS de Poitiers",
        Service.DEMARCHES,
        EtatOrientation.OUVERTE,
        24,
        "",
    ),
    (
        "Emma",
        "Démo-Gauthier",
        "CCAS de Poitiers",
        "Association Cap Sud",
        Service.DEMARCHES,
        EtatOrientation.VALIDEE,
        45,
        "",
    ),
    (
        "Farid",
        "Démo-Lucas",
        "CCAS de Poitiers",
        "Le Local",
        Service.SECURITE,
        EtatOrientation.VALIDEE,
        80,
        "",
    ),
    (
        "Gisèle",
        "Démo-Brun",
        "Maison départementale des solidarités Poitiers Nord",
        "Ville de Poitiers",
        Service.DEMARCHES,
        EtatOrientation.VALIDEE,
        20,
        "",
    ),
    (
        "Hugo",
        "Démo-Roy",
        "CCAS de Poitiers",
        "Atelier chantier d'insertion Ordi'Vienne",
        Service.MATERIEL_SOLIDAIRE,
        EtatOrientation.REFUSEE,
        60,
        "Liste d'attente complète jusqu'au printemps ; nous recontacterons la personne.",
    ),
    (
        "Inès",
        "Démo-Noël",
        "Mission locale d'insertion du Poitou",
        "CCAS de Poitiers",
        Service.INSERTION_PRO,
        EtatOrientation.REFUSEE,
        35,
        "Relève de la Mission locale elle-même : accompagnement emploi déjà en cours.",
    ),
    (
        "Jules",
        "Démo-Marie",
        "CCAS de Poitiers",
        "Centre social des Trois-Cités",
        Service.PARENTALITE,
        EtatOrientation.EXPIREE,
        50,
        "",
    ),
    (
        "Karine",
        "Démo-Henry",
        "Centre d'animation de Beaulieu",
        "Emmaüs Connect Poitiers",
        Service.ACCES_INTERNET,
        EtatOrientation.EXPIREE,
        70,
        "",
    ),
]


def _orientations(today):
    from poitiers_inclusion.models import User

    # The demo prescripteur sends the CCAS's orientations; the accounts are idempotent.
    kernel_demo.load_accounts(io.StringIO())
    sender = User.objects.filter(email="prescripteur@demo.example").first()
    now = timezone.now()
    for prenom, nom, origin, destination, besoin, etat, days, motif in ORIENTATIONS:
        origine = Structure.objects.get(nom=origin)
        created_at = now - datetime.timedelta(days=days)
        closed = etat != EtatOrientation.OUVERTE
        closed_at = created_at + datetime.timedelta(
            days=settings.ORIENTATION_EXPIRY_DAYS if etat == EtatOrientation.EXPIREE else 4
        )
        Orientation.objects.get_or_create(
            prenom=prenom,
            nom=nom,
            defaults={
                "structure_origine": origine,
                "structure_destination": Structure.objects.get(nom=destination),
                "created_by": sender if origin == "CCAS de Poitiers" else None,
                "created_at": created_at,
                "besoin": besoin,
                "preference_contact": PreferenceContact.TELEPHONE,
                "telephone": "+33600000000",
                "situation": "Personne orientée pour la démonstration (données inventées).",
                "consent_at": created_at,
                "etat": etat,
                "motif_refus": motif,
                "closed_at": closed_at if closed else None,
                "reminded_at": created_at + datetime.timedelta(days=23) if days > 23 else None,
            },
        )


def load_activity(stdout):
    rng = random.Random(2023)
    today = timezone.localdate()
    _meetings(rng, today)
    _campaign(rng, today)
    _orientations(today)
    stdout.write(
        f"Réseau : {Reunion.objects.count()} réunions, {Campagne.objects.count()} campagne(s), "
        f"{Orientation.objects.count()} orientations."
    )
