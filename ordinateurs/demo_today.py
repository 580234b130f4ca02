"""Demo of Ordinateurs solidaires this year, up to today: the workshop's to-do lists are not
empty (devices at every stage of their path), households wait, a ceremony is coming.

A batch collected three weeks ago is in the workshop, device by device at each stage; one
collected four months ago is settled (its donor already received the erasure certificate) and
equipped two households at a past ceremony; a donation is offered online, another one's
collection is planned. Requests of households wait at each open status; one is proposed the
reserved device. Dates are relative to the day of loading, never in 2022 (the published
figures, demo_2022.py). Does nothing when this year's demo donor exists.
"""

import datetime
import random

from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User
from reseau.models import Lieu, Quartier, Structure

from .demo_2022 import MODELS, REFERRERS
from .enums import (
    PATH,
    Etat,
    MethodeEffacement,
    ResultatEffacement,
    StatutDemande,
    StatutDon,
    TrancheRevenus,
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
)

SEED = 2026
# (nom, SIRET, statut of their donation, days since it was offered)
DONORS = [
    ("Cabinet d'architectes Montierneuf", "51234567800011", StatutDon.COLLECTE, 30),
    ("Caisse d'épargne, agence de Poitiers Gare", "38245678900021", StatutDon.CONFIRME, 135),
    ("Pharmacie des Couronneries", "84512369700018", StatutDon.PROPOSE, 2),
    ("Association Vienne Solidaire", "79845612300014", StatutDon.COLLECTE_PREVUE, 9),
]
# Where the devices of the batch in the workshop stand (the technician's to-do lists).
IN_WORKSHOP = [
    (Etat.RECU, 2),
    (Etat.DIAGNOSTIQUE, 2),
    (Etat.EFFACE, 2),
    (Etat.RECONDITIONNE, 1),
    (Etat.CONTROLE, 1),
    (Etat.EN_REPARATION, 1),
    (Etat.DISPONIBLE, 2),
    (Etat.RESERVE, 1),
    (Etat.NON_REEMPLOYABLE, 1),
]
SETTLED = [(Etat.DISPONIBLE, 3), (Etat.REMIS, 2), (Etat.RECYCLE, 1)]
# Requests of households: (statut, days since referred)
REQUESTS = [
    (StatutDemande.SOUMISE, 1),
    (StatutDemande.SOUMISE, 4),
    (StatutDemande.INCOMPLETE, 12),
    (StatutDemande.LISTE_ATTENTE, 40),
    (StatutDemande.LISTE_ATTENTE, 25),
    (StatutDemande.LISTE_ATTENTE, 8),
    (StatutDemande.PROPOSEE, 70),
    (StatutDemande.EQUIPEE, 110),
    (StatutDemande.EQUIPEE, 100),
]
SIDE_PATHS = {
    Etat.EN_REPARATION: [Etat.RECU, Etat.DIAGNOSTIQUE, Etat.EN_REPARATION],
    Etat.NON_REEMPLOYABLE: [Etat.RECU, Etat.DIAGNOSTIQUE, Etat.NON_REEMPLOYABLE],
    Etat.RECYCLE: [Etat.RECU, Etat.DIAGNOSTIQUE, Etat.NON_REEMPLOYABLE, Etat.RECYCLE],
}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _path(etat) -> list:
    return SIDE_PATHS.get(etat) or list(PATH[: PATH.index(etat) + 1])


class _Batch:
    """The rows of the devices written at once (bulk), with their evidence."""

    def __init__(self, rng, technicien, year):
        self.rng, self.technicien = rng, technicien
        prefix = f"PC-{year}-"
        self.prefix = prefix
        self.next = Ordinateur.objects.filter(numero__startswith=prefix).count() + 1
        self.created = 0
        self.events, self.erasures, self.checks = [], [], []

    def devices(self, don, plan, *, until: datetime.date) -> dict:
        """Create the devices of `don` in the states of `plan`, their path spread from the
        collection to `until`; returns {state: [devices]}."""
        made = {}
        for etat, count in plan:
            for _ in range(count):
                made.setdefault(etat, []).append(self._device(don, etat, until))
        return made

    def _device(self, don, etat, until):
        kind, marque, modele, storage_kind, size = self.rng.choice(MODELS)
        device = Ordinateur.objects.create(
            numero=f"{self.prefix}{self.next:04d}",
            don=don,
            type=kind,
            marque=marque,
            modele=modele,
            numero_serie=f"SN{self.rng.randint(10**7, 10**8 - 1)}",
            memoire_go=self.rng.choice([4, 8, 16]),
            systeme="Linux Mint 22 / Emmabuntüs",
            etat=etat,
        )
        self.next += 1
        self.created += 1
        storage = Stockage.objects.create(
            ordinateur=device, type=storage_kind, capacite_go=size, numero_serie=device.numero[-4:]
        )
        path = _path(etat)
        span = max((until - don.collected_on).days, len(path))
        previous = ""
        for step, state in enumerate(path):
            day = don.collected_on + datetime.timedelta(days=span * step // len(path))
            if state in (Etat.EFFACE, Etat.RECYCLE):
                self._erasure(storage, day, destroyed=state == Etat.RECYCLE)
            if state == Etat.CONTROLE:
                self.checks.append(
                    Controle(
                        ordinateur=device,
                        resultats=all_working(device.type),
                        reussi=True,
                        done_at=_at(day, 11),
                        operateur=self.technicien,
                    )
                )
            if state in (Etat.RESERVE, Etat.REMIS):
                continue  # written with the household's allocation
            self.events.append(
                Evenement(
                    ordinateur=device,
                    de=previous,
                    vers=state,
                    at=_at(day, 9 + step),
                    auteur=self.technicien,
                )
            )
            previous = state
        return device

    def _erasure(self, storage, day, *, destroyed):
        hdd = storage.type == TypeStockage.HDD
        method = MethodeEffacement.NIST_CLEAR if hdd else MethodeEffacement.NIST_PURGE
        self.erasures.append(
            Effacement(
                stockage=storage,
                methode=MethodeEffacement.DESTRUCTION if destroyed else method,
                outil="Broyeur (prestataire DEEE)" if destroyed else "nwipe",
                version_outil="—" if destroyed else "0.37",
                resultat=ResultatEffacement.REUSSI,
                done_at=_at(day, 8),
                operateur=self.technicien,
                preuve_sha256="" if destroyed else f"{self.rng.getrandbits(256):064x}",
            )
        )


def _donations(today):
    dons = {}
    for nom, siret, statut, days in DONORS:
        donateur = Donateur.objects.create(
            nom=nom,
            siret=siret,
            contact_nom="Service des moyens généraux",
            email=f"dons@{siret}.example",
            commune="Poitiers",
            code_postal="86000",
        )
        offered = today - datetime.timedelta(days=days)
        collected = offered + datetime.timedelta(days=10) if days > 10 else None
        dons[statut] = Don.objects.create(
            donateur=donateur,
            statut=statut,
            offered_on=offered,
            nb_annonce=13 if statut == StatutDon.COLLECTE else 6,
            description="Postes de travail renouvelés",
            collection_planned_on=collected or today + datetime.timedelta(days=5),
            collected_on=collected,
            en_ligne=statut == StatutDon.PROPOSE,
        )
    return dons


def _households(rng, today, structures):
    prefix = f"F-{today.year}-"
    first = Foyer.objects.filter(code__startswith=prefix).count() + 1
    quartiers = list(Quartier.objects.filter(qpv=True).order_by("pk"))
    demandes = []
    for n, (statut, days) in enumerate(REQUESTS):
        created = _at(today - datetime.timedelta(days=days), 11)
        children = rng.choice([1, 2, 3])
        foyer = Foyer.objects.create(
            code=f"{prefix}{first + n:04d}",
            structure=structures[n % len(structures)],
            adultes=rng.choice([1, 2]),
            enfants=children,
            enfants_scolarises=children,
            demandeur_emploi=rng.random() < 0.5,
            tranche_revenus=rng.choice([TrancheRevenus.MINIMA, TrancheRevenus.MOINS_SMIC]),
            quartier=quartiers[n % len(quartiers)] if quartiers else None,
            consent_at=created,
            created_at=created,
        )
        waiting = statut in (
            StatutDemande.LISTE_ATTENTE,
            StatutDemande.PROPOSEE,
            StatutDemande.EQUIPEE,
        )
        demandes.append(
            Demande.objects.create(
                foyer=foyer,
                statut=statut,
                besoin=rng.choice(["Devoirs des enfants", "Recherche d'emploi", "Démarches"]),
                priorite=rng.choice([1, 2, 2, 3]),
                motif="Justificatif de ressources manquant."
                if statut == StatutDemande.INCOMPLETE
                else "",
                created_at=created,
                waitlisted_at=created + datetime.timedelta(days=5) if waiting else None,
            )
        )
    return demandes


def load(stdout, today=None):
    if Donateur.objects.filter(nom=DONORS[0][0]).exists():
        stdout.write("Ordinateurs solidaires de l'année en cours : déjà présents.")
        return
    today = today or timezone.localdate()
    technicien = User.objects.filter(role=Role.TECHNICIEN, email__endswith="@demo.example").first()
    coordination = User.objects.filter(
        role=Role.COORDINATEUR, email__endswith="@demo.example"
    ).first()
    structures = list(Structure.objects.filter(nom__in=REFERRERS).order_by("nom"))
    lieu = Lieu.objects.filter(identifiant="poitiers-lieu-01").first()
    if not technicien or not coordination or not structures or not lieu:
        stdout.write("Ordinateurs solidaires de l'année en cours : référentiel absent.")
        return
    rng = random.Random(SEED)
    dons = _donations(today)
    batch = _Batch(rng, technicien, today.year)
    recent, settled = dons[StatutDon.COLLECTE], dons[StatutDon.CONFIRME]
    yesterday = today - datetime.timedelta(days=1)
    in_workshop = batch.devices(recent, IN_WORKSHOP, until=yesterday)
    past_ceremony_day = settled.collected_on + datetime.timedelta(days=50)
    done = batch.devices(settled, SETTLED, until=past_ceremony_day - datetime.timedelta(days=7))
    for don, plan in ((recent, IN_WORKSHOP), (settled, SETTLED)):
        don.nb_recus = sum(count for _etat, count in plan)
        don.poids_kg = round(don.nb_recus * 3.4, 1)
    settled.confirmed_at = _at(settled.collected_on + datetime.timedelta(days=2))
    # Its donor received the batch's certificate once it was settled (donor_certificates.py).
    settled.certificate_sent_at = _at(past_ceremony_day - datetime.timedelta(days=6), 7)
    Don.objects.bulk_update(
        [recent, settled], ["nb_recus", "poids_kg", "confirmed_at", "certificate_sent_at"]
    )

    past = Ceremonie.objects.create(
        titre="Remise d'ordinateurs de la saison", date=_at(past_ceremony_day, 17), lieu=lieu
    )
    coming = Ceremonie.objects.create(
        titre="Prochaine remise d'ordinateurs",
        date=_at(today + datetime.timedelta(days=12), 17),
        lieu=lieu,
    )
    past.donateurs.set([settled.donateur])
    coming.donateurs.set([settled.donateur, recent.donateur])

    demandes = _households(rng, today, structures)
    allocations = [(d, StatutDemande.EQUIPEE) for d in done[Etat.REMIS]]
    allocations.append((in_workshop[Etat.RESERVE][0], StatutDemande.PROPOSEE))
    wanting = {
        statut: [d for d in demandes if d.statut == statut]
        for statut in (StatutDemande.EQUIPEE, StatutDemande.PROPOSEE)
    }
    for device, statut in allocations:
        demande = wanting[statut].pop()
        equipped = statut == StatutDemande.EQUIPEE
        proposed = (past_ceremony_day if equipped else today) - datetime.timedelta(days=6)
        batch.events.append(
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
        if equipped:
            attribution.handed_over_at, attribution.remise_par = past.date, coordination
            attribution.ceremonie = past
            batch.events.append(
                Evenement(
                    ordinateur=device,
                    de=Etat.RESERVE,
                    vers=Etat.REMIS,
                    at=past.date,
                    auteur=coordination,
                )
            )
            Demande.objects.filter(pk=demande.pk).update(closed_at=past.date)
        attribution.save()
    Evenement.objects.bulk_create(batch.events)
    Effacement.objects.bulk_create(batch.erasures)
    Controle.objects.bulk_create(batch.checks)
    stdout.write(
        f"Ordinateurs solidaires de l'année en cours : {len(DONORS)} dons, "
        f"{batch.created} appareils à toutes les étapes, {len(demandes)} demandes de foyers, "
        f"une remise le {coming.date:%d/%m/%Y}."
    )
