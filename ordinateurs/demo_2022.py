"""Demo of Ordinateurs solidaires: the city's 2022 figures, 183 computers donated and received,
163 reconditioned, 78 households equipped; a few proposals under way, a stock, requests waiting.

Every device has its events (received, diagnosed, erased with a record per storage, reconditioned,
checked, available, reserved, handed over), its erasure and check evidence; 20 could not be
reused and went to dismantling and DEEE recycling. Households are referred by partner structures
under pseudonymous codes. Deterministic (seeded); does nothing when the demo donations exist.
"""

import datetime
import random

from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User
from reseau.models import Lieu, Quartier, Structure

from .enums import (
    Etat,
    MethodeEffacement,
    ResultatEffacement,
    StatutDemande,
    StatutDon,
    TrancheRevenus,
    TypeAppareil,
    TypeStockage,
    all_working,
)
from .models import (
    Attribution,
    Ceremonie,
    Controle,
    Demande,
    Don,
    Donateur,
    Effacement,
    Evenement,
    Foyer,
    Ordinateur,
    Stockage,
    Temoignage,
)

SEED = 2022
DONATED, RECONDITIONED, EQUIPPED, PROPOSED = 183, 163, 78, 5
DONORS = [
    ("Crédit Agricole Touraine Poitou", "77563313900015", 34),
    ("CHU de Poitiers", "26860003900013", 28),
    ("Grand Poitiers Communauté urbaine", "20006931100015", 25),
    ("Mutuelle de Poitiers Assurances", "78132346600017", 22),
    ("Université de Poitiers", "19860856400375", 20),
    ("Préfecture de la Vienne", "17860001700019", 18),
    ("Société Vienne Informatique", "41248596300027", 20),
    ("Cabinet comptable Aliénor", "52148963200019", 16),
]
REFERRERS = [
    "CCAS de Poitiers",
    "Mission locale d'insertion du Poitou",
    "Maison départementale des solidarités Poitiers Nord",
    "Centre socioculturel de la Blaiserie",
    "Direction de l'Éducation, Ville de Poitiers",
    "Centre social des Trois-Cités",
]
MODELS = [
    (TypeAppareil.PORTABLE, "Dell", "Latitude 5490", TypeStockage.SSD, 256),
    (TypeAppareil.PORTABLE, "Lenovo", "ThinkPad T470", TypeStockage.SSD, 240),
    (TypeAppareil.PORTABLE, "HP", "ProBook 640 G4", TypeStockage.NVME, 256),
    (TypeAppareil.FIXE, "HP", "EliteDesk 800 G3", TypeStockage.HDD, 500),
    (TypeAppareil.FIXE, "Dell", "OptiPlex 7050", TypeStockage.SSD, 256),
    (TypeAppareil.TOUT_EN_UN, "Lenovo", "ThinkCentre M810z", TypeStockage.HDD, 1000),
]
STATUS_PLAN = (
    [StatutDemande.EQUIPEE] * EQUIPPED
    + [StatutDemande.PROPOSEE] * PROPOSED
    + [StatutDemande.LISTE_ATTENTE] * 9
    + [StatutDemande.REFUSEE] * 4
    + [StatutDemande.INCOMPLETE] * 2
    + [StatutDemande.ABANDON] * 2
)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _collections(rng):
    """Donations collected from January to September 2022, 183 devices in all."""
    dons, day = [], datetime.date(2022, 1, 12)
    for nom, siret, units in DONORS:
        donateur = Donateur.objects.create(
            nom=nom,
            siret=siret,
            contact_nom="Service des moyens généraux",
            email=f"dons@{siret}.example",
            commune="Poitiers",
            code_postal="86000",
        )
        for part in (units // 2, units - units // 2):
            propose = day - datetime.timedelta(days=20)
            dons.append(
                Don.objects.create(
                    donateur=donateur,
                    statut=StatutDon.CONFIRME,
                    offered_on=propose,
                    nb_annonce=part,
                    description="Postes de bureau renouvelés",
                    collection_planned_on=day,
                    collected_on=day,
                    nb_recus=part,
                    poids_kg=round(part * rng.uniform(2.2, 6.5), 1),
                    confirmed_at=_at(day + datetime.timedelta(days=3)),
                )
            )
            day += datetime.timedelta(days=rng.choice([13, 15, 17]))
    return dons


def load(stdout):
    if Donateur.objects.filter(nom=DONORS[0][0]).exists():
        stdout.write("Ordinateurs solidaires de démonstration : déjà présents.")
        return
    technicien = User.objects.filter(role=Role.TECHNICIEN, email__endswith="@demo.example").first()
    coordination = User.objects.filter(
        role=Role.COORDINATEUR, email__endswith="@demo.example"
    ).first()
    structures = list(Structure.objects.filter(nom__in=REFERRERS).order_by("nom"))
    lieux = list(
        Lieu.objects.filter(identifiant__startswith="poitiers-lieu-").order_by("identifiant")
    )
    if not technicien or not structures or not lieux:
        stdout.write("Ordinateurs solidaires de démonstration : référentiel absent, rien à faire.")
        return
    rng = random.Random(SEED)
    dons = _collections(rng)

    # The devices, their storage and their path, event by event.
    devices, storages, events, erasures, checks = [], [], [], [], []
    numero = 0
    for don in dons:
        for _ in range(don.nb_recus):
            numero += 1
            kind, marque, modele, storage_kind, size = rng.choice(MODELS)
            devices.append(
                Ordinateur(
                    numero=f"PC-2022-{numero:04d}",
                    don=don,
                    type=kind,
                    marque=marque,
                    modele=modele,
                    numero_serie=f"SN{rng.randint(10**7, 10**8 - 1)}",
                    processeur=rng.choice(
                        ["Intel Core i5-7300U", "Intel Core i5-8350U", "Intel Core i3-7100"]
                    ),
                    memoire_go=rng.choice([4, 8, 8, 16]),
                    systeme="Linux Mint 21 / Emmabuntüs",
                )
            )
    Ordinateur.objects.bulk_create(devices)
    for device in devices:
        kind = next(m for m in MODELS if m[1] == device.marque and m[2] == device.modele)
        storages.append(
            Stockage(
                ordinateur=device,
                type=kind[3],
                capacite_go=kind[4],
                numero_serie=f"D{device.numero[-4:]}",
            )
        )
    Stockage.objects.bulk_create(storages)

    reusable = set(rng.sample(range(DONATED), RECONDITIONED))
    ready_days = {}
    for n, (device, storage) in enumerate(zip(devices, storages, strict=True)):
        day = device.don.collected_on
        path = [(Etat.RECU, day)]
        day += datetime.timedelta(days=rng.randint(2, 9))
        path.append((Etat.DIAGNOSTIQUE, day))
        if n not in reusable:
            path += [
                (Etat.NON_REEMPLOYABLE, day),
                (Etat.DEMANTELE, day + datetime.timedelta(days=7)),
                (Etat.RECYCLE, day + datetime.timedelta(days=30)),
            ]
            erasures.append(
                Effacement(
                    stockage=storage,
                    methode=MethodeEffacement.DESTRUCTION,
                    outil="Broyeur de disques (prestataire DEEE)",
                    version_outil="—",
                    resultat=ResultatEffacement.REUSSI,
                    done_at=_at(day + datetime.timedelta(days=7)),
                    operateur=technicien,
                )
            )
        else:
            erase_day = day + datetime.timedelta(days=rng.randint(1, 6))
            hdd = storage.type == TypeStockage.HDD
            erasures.append(
                Effacement(
                    stockage=storage,
                    methode=MethodeEffacement.NIST_CLEAR if hdd else MethodeEffacement.NIST_PURGE,
                    outil="nwipe" if hdd else "hdparm / nvme-cli",
                    version_outil="0.34" if hdd else "9.65",
                    passes=1 if hdd else None,
                    resultat=ResultatEffacement.REUSSI,
                    done_at=_at(erase_day, 11),
                    operateur=technicien,
                    preuve_sha256=f"{rng.getrandbits(256):064x}",
                )
            )
            recond = erase_day + datetime.timedelta(days=rng.randint(1, 8))
            checked = recond + datetime.timedelta(days=rng.randint(1, 4))
            checks.append(
                Controle(
                    ordinateur=device,
                    resultats=all_working(device.type),
                    reussi=True,
                    done_at=_at(checked, 15),
                    operateur=technicien,
                )
            )
            path += [
                (Etat.EFFACE, erase_day),
                (Etat.RECONDITIONNE, recond),
                (Etat.CONTROLE, checked),
                (Etat.DISPONIBLE, checked + datetime.timedelta(days=1)),
            ]
            ready_days[device.pk] = checked + datetime.timedelta(days=1)
        previous = ""
        for step, (etat, when) in enumerate(path):
            events.append(
                Evenement(
                    ordinateur=device,
                    de=previous,
                    vers=etat,
                    at=_at(when, 9 + step % 8),
                    auteur=technicien,
                )
            )
            previous = etat
        device.etat = previous

    # Households and their requests, from partner structures, January to November 2022.
    quartiers = list(Quartier.objects.order_by("pk"))
    qpv = [q for q in quartiers if q.qpv] or quartiers
    demandes = []
    for n, statut in enumerate(STATUS_PLAN):
        created = datetime.date(2022, 1, 20) + datetime.timedelta(days=int(n * 2.9))
        children = rng.choice([0, 1, 2, 2, 3, 4])
        foyer = Foyer.objects.create(
            code=f"F-2022-{n + 1:04d}",
            structure=structures[n % len(structures)],
            reference_interne=f"DOS-{rng.randint(1000, 9999)}",
            adultes=rng.choice([1, 1, 2]),
            enfants=children,
            enfants_scolarises=min(children, rng.choice([0, 1, 2, 3])),
            demandeur_emploi=rng.random() < 0.45,
            tranche_revenus=rng.choice(
                [
                    TrancheRevenus.MINIMA,
                    TrancheRevenus.MINIMA,
                    TrancheRevenus.MOINS_SMIC,
                    TrancheRevenus.SMIC_1_5,
                ]
            ),
            quartier=rng.choice(qpv if rng.random() < 0.75 else quartiers),
            consent_at=_at(created),
            created_at=_at(created),
        )
        waiting = _at(created + datetime.timedelta(days=rng.randint(3, 10)))
        demandes.append(
            Demande(
                foyer=foyer,
                statut=statut,
                besoin=rng.choice(
                    [
                        "Devoirs des enfants",
                        "Recherche d'emploi",
                        "Démarches en ligne",
                        "Formation à distance",
                    ]
                ),
                priorite=rng.choice([1, 2, 2, 2, 3]),
                motif={
                    StatutDemande.REFUSEE: "Foyer déjà équipé d'un ordinateur récent.",
                    StatutDemande.INCOMPLETE: "Justificatif de ressources manquant.",
                    StatutDemande.ABANDON: "La famille a déménagé.",
                }.get(statut, ""),
                created_at=_at(created),
                waitlisted_at=waiting
                if statut
                in (StatutDemande.EQUIPEE, StatutDemande.PROPOSEE, StatutDemande.LISTE_ATTENTE)
                else None,
                created_by=None,
            )
        )
    Demande.objects.bulk_create(demandes)

    # Ceremonies, then the allocations: each equipped household gets a device ready before.
    ceremonies = [
        Ceremonie.objects.create(titre=titre, date=_at(day, 17), lieu=lieux[k % len(lieux)])
        for k, (titre, day) in enumerate(
            [
                ("Remise d'ordinateurs du printemps", datetime.date(2022, 5, 18)),
                ("Remise d'ordinateurs de la rentrée", datetime.date(2022, 9, 21)),
                ("Remise d'ordinateurs de décembre", datetime.date(2022, 12, 14)),
            ]
        )
    ]
    for ceremonie in ceremonies:
        ceremonie.donateurs.set(Donateur.objects.order_by("pk")[:4])
    Temoignage.objects.create(
        ceremonie=ceremonies[0],
        texte="Mes deux enfants font enfin leurs devoirs à la maison, sans attendre la médiathèque.",
        auteur="Une mère de deux enfants, Couronneries",
        consent_at=ceremonies[0].date,
    )
    Temoignage.objects.create(
        ceremonie=ceremonies[1],
        texte="J'ai pu m'inscrire à France Travail et envoyer mes candidatures.",
        auteur="Un homme en recherche d'emploi, Trois-Cités",
        consent_at=ceremonies[1].date,
    )
    available = sorted(ready_days, key=lambda pk: ready_days[pk])
    attributions = []
    used = set()
    for demande in demandes:
        if demande.statut not in (StatutDemande.EQUIPEE, StatutDemande.PROPOSEE):
            continue
        ready_after = timezone.localtime(demande.waitlisted_at).date()
        pk = next(
            p
            for p in available
            if p not in used and ready_days[p] <= ready_after + datetime.timedelta(days=40)
        )
        used.add(pk)
        device = next(d for d in devices if d.pk == pk)
        proposed = max(ready_days[pk], ready_after) + datetime.timedelta(days=rng.randint(1, 10))
        events.append(
            Evenement(
                ordinateur=device,
                de=Etat.DISPONIBLE,
                vers=Etat.RESERVE,
                at=_at(proposed, 14),
                auteur=coordination,
            )
        )
        attribution = Attribution(
            demande=demande,
            ordinateur=device,
            proposed_at=_at(proposed, 14),
            proposee_par=coordination,
        )
        if demande.statut == StatutDemande.EQUIPEE:
            ceremonie = next((c for c in ceremonies if c.date.date() >= proposed), None)
            handed = ceremonie.date if ceremonie else _at(proposed + datetime.timedelta(days=5), 16)
            attribution.handed_over_at, attribution.remise_par, attribution.ceremonie = (
                handed,
                coordination,
                ceremonie,
            )
            events.append(
                Evenement(
                    ordinateur=device,
                    de=Etat.RESERVE,
                    vers=Etat.REMIS,
                    at=handed,
                    auteur=coordination,
                )
            )
            device.etat = Etat.REMIS
            Demande.objects.filter(pk=demande.pk).update(closed_at=handed)
        else:
            device.etat = Etat.RESERVE
        attributions.append(attribution)
    Attribution.objects.bulk_create(attributions)
    Evenement.objects.bulk_create(events)
    Effacement.objects.bulk_create(erasures)
    Controle.objects.bulk_create(checks)
    Ordinateur.objects.bulk_update(devices, ["etat"])
    stdout.write(
        f"Ordinateurs solidaires de démonstration : {len(dons)} dons, {DONATED} appareils, "
        f"{RECONDITIONED} reconditionnés, {EQUIPPED} foyers équipés."
    )
