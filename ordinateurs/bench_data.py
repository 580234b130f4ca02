"""Bench data of Ordinateurs solidaires (`generate_bench_data`): about one device per 200
médiations, from company donors' batches (5 to 60 devices), at every stage of their path —
received, diagnosed, erased, reconditioned, checked, available, reserved, handed over, returned,
in repair, lost, not reusable, dismantled, recycled — each with its events, storage, erasure and
check evidence; households referred by the bench structures, their requests (equipped, offered a
device, waiting, refused, incomplete, abandoned) and the allocations.

Bench devices are numbered `B-…`, donors e-mailed `…@bench.example`: the command tops the devices
up to N / 200.
"""

import datetime
import json

import numpy as np

from poitiers_inclusion.bulkload import copy_columns, numbers, reserve_ids, text
from poitiers_inclusion.models import User
from reseau.bench_data import BENCH_EMAIL
from reseau.models import Quartier, Structure

from .demo_2022 import MODELS
from .enums import (
    PATH,
    Etat,
    MethodeEffacement,
    ResultatEffacement,
    StatutDemande,
    StatutDon,
    all_working,
)
from .models import (
    Attribution,
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

MEDIATIONS_PER_DEVICE = 200
DEVICES_PER_DONOR = 300
# Where the devices are now (share of devices).
FINAL = [
    (Etat.REMIS, 40), (Etat.RECYCLE, 8), (Etat.DEMANTELE, 3), (Etat.NON_REEMPLOYABLE, 2),
    (Etat.DISPONIBLE, 8), (Etat.RESERVE, 3), (Etat.CONTROLE, 3), (Etat.RECONDITIONNE, 4),
    (Etat.EFFACE, 5), (Etat.DIAGNOSTIQUE, 6), (Etat.RECU, 8), (Etat.EN_REPARATION, 5),
    (Etat.PERDU, 2), (Etat.RETOURNE, 3),
]  # fmt: skip
# Requests that never got a device, per device handed over.
OTHER_REQUESTS = [
    (StatutDemande.LISTE_ATTENTE, 0.3), (StatutDemande.REFUSEE, 0.08),
    (StatutDemande.INCOMPLETE, 0.05), (StatutDemande.ABANDON, 0.05), (StatutDemande.SOUMISE, 0.04),
]  # fmt: skip


def _path(final: str) -> list[str]:
    """The states a device went through to reach `final`."""
    if final in PATH:
        return list(PATH[: PATH.index(final) + 1])
    head = [Etat.RECU, Etat.DIAGNOSTIQUE]
    return {
        Etat.NON_REEMPLOYABLE: [*head, Etat.NON_REEMPLOYABLE],
        Etat.DEMANTELE: [*head, Etat.NON_REEMPLOYABLE, Etat.DEMANTELE],
        Etat.RECYCLE: [*head, Etat.NON_REEMPLOYABLE, Etat.DEMANTELE, Etat.RECYCLE],
        Etat.EN_REPARATION: [*head, Etat.EN_REPARATION],
        Etat.PERDU: [*head, Etat.PERDU],
        Etat.RETOURNE: [*PATH, Etat.RETOURNE],
    }[final]


def _at(day: datetime.date, hour: int = 10) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00+00"


def _donors(plan, wanted: int) -> list[int]:
    have = Donateur.objects.filter(email__endswith=BENCH_EMAIL).count()
    Donateur.objects.bulk_create(
        Donateur(
            nom=f"Entreprise n°{n} (banc d'essai)",
            siret=f"{80000000000000 + n:014d}",
            email=f"dons{n}{BENCH_EMAIL}",
            commune="Poitiers",
            code_postal="86000",
        )
        for n in range(have + 1, wanted + 1)
    )
    return list(Donateur.objects.filter(email__endswith=BENCH_EMAIL).values_list("pk", flat=True))


def load(plan) -> None:
    if not plan.national:
        return
    bench = Ordinateur.objects.filter(numero__startswith="B-")
    have = bench.count()
    todo = plan.mediations // MEDIATIONS_PER_DEVICE - have
    technicien = User.objects.filter(email=f"technicien{BENCH_EMAIL}").first()
    structures = list(
        Structure.objects.filter(nom__endswith="(banc d'essai)").values_list("pk", flat=True)
    )
    if todo <= 0 or technicien is None or not structures:
        return
    rng = plan.rng
    donors = _donors(plan, max(3, (have + todo) // DEVICES_PER_DONOR))
    quartiers = list(Quartier.objects.values_list("pk", flat=True))
    # The batches, collected over the period (the latest ones still on their way).
    sizes = []
    while sum(sizes) < todo:
        sizes.append(int(rng.integers(5, 61)))
    sizes[-1] -= sum(sizes) - todo
    dons = []
    for size in sizes:
        day = plan.first_day + datetime.timedelta(days=int(rng.integers(plan.days - 20)))
        dons.append(
            Don(
                donateur_id=int(rng.choice(donors)),
                statut=StatutDon.CONFIRME,
                offered_on=day - datetime.timedelta(days=20),
                nb_annonce=size,
                collection_planned_on=day,
                collected_on=day,
                nb_recus=size,
                poids_kg=round(size * 4.2, 1),
                confirmed_at=datetime.datetime.combine(day, datetime.time(12), datetime.UTC),
            )
        )
    Don.objects.bulk_create(dons)
    finals = [f for f, _w in FINAL]
    weights = np.array([w for _f, w in FINAL], dtype=float)
    devices, storages, erasures, checks, events, handed = [], [], [], [], [], []
    first = reserve_ids(Ordinateur, todo)
    first_storage = reserve_ids(Stockage, todo)
    n = 0
    for don in dons:
        for _ in range(don.nb_recus):
            pk, number = first + n, have + n + 1
            kind, marque, modele, storage_kind, size = MODELS[number % len(MODELS)]
            final = finals[rng.choice(len(finals), p=weights / weights.sum())]
            path = _path(final)
            day = don.collected_on
            dates = []
            for _step in path:
                dates.append(min(day, plan.last_day))
                day += datetime.timedelta(days=int(rng.integers(1, 12)))
            devices.append(
                [pk, f"B-{number:07d}", don.pk, kind, marque, modele, f"SN{number:09d}", final,
                 _at(dates[0], 9)]
            )  # fmt: skip
            storages.append([first_storage + n, pk, storage_kind, size])
            previous = ""
            for step, (etat, when) in enumerate(zip(path, dates, strict=True)):
                events.append([pk, previous, etat, _at(when, 9 + step % 8), technicien.pk])
                previous = etat
                if etat == Etat.EFFACE:
                    erasures.append(
                        [first_storage + n, MethodeEffacement.NIST_PURGE, _at(when, 11)]
                    )
                elif etat == Etat.DEMANTELE:
                    erasures.append(
                        [first_storage + n, MethodeEffacement.DESTRUCTION, _at(when, 11)]
                    )
                elif etat == Etat.CONTROLE:
                    checks.append([pk, json.dumps(all_working(kind)), _at(when, 15)])
                elif etat == Etat.RESERVE:
                    handed.append([pk, when, Etat.REMIS in path])
            n += 1
    columns = list(zip(*devices, strict=True))
    copy_columns(
        Ordinateur,
        {
            name: [text(v) for v in columns[k]]
            for k, name in enumerate(
                [
                    "id",
                    "numero",
                    "don_id",
                    "type",
                    "marque",
                    "modele",
                    "numero_serie",
                    "etat",
                    "created_at",
                ]
            )  # fmt: skip
        },
        plan,
    )
    _rows(plan, Stockage, ["id", "ordinateur_id", "type", "capacite_go"], storages)
    _rows(
        plan,
        Evenement,
        ["ordinateur_id", "de", "vers", "at", "auteur_id"],
        events,
    )
    _rows(
        plan,
        Effacement,
        ["stockage_id", "methode", "done_at"],
        erasures,
        outil="nwipe",
        version_outil="0.34",
        resultat=ResultatEffacement.REUSSI,
        operateur_id=technicien.pk,
    )
    _rows(
        plan,
        Controle,
        ["ordinateur_id", "resultats", "done_at"],
        checks,
        reussi=True,
        operateur_id=technicien.pk,
    )
    _households(plan, handed, structures, quartiers)
    plan.stdout.write(
        f"Ordinateurs solidaires : {todo} appareils, {len(dons)} dons, {len(handed)} attributions."
    )


def _rows(plan, model, names, rows, **constants) -> None:
    """COPY rows (lists in the order of names), ids reserved here unless given, constants added."""
    if not rows:
        return
    columns = {
        name: [text(v) for v in values]
        for name, values in zip(names, zip(*rows, strict=True), strict=True)
    }
    if "id" not in columns:
        columns["id"] = numbers(reserve_ids(model, len(rows)) + np.arange(len(rows)))
    for name, value in constants.items():
        columns[name] = [text(value)] * len(rows)
    copy_columns(model, columns, plan)


def _households(plan, handed, structures, quartiers) -> None:
    """A household and its request for each device reserved (offered) or handed over, and others
    still waiting or closed without a device."""
    rng = plan.rng
    statuses = [
        StatutDemande.EQUIPEE if done else StatutDemande.PROPOSEE for _pk, _d, done in handed
    ]
    for statut, share in OTHER_REQUESTS:
        statuses += [statut] * round(len(handed) * share)
    count = len(statuses)
    if not count:
        return
    start = Foyer.objects.filter(code__startswith="B-F").count()
    first_foyer = reserve_ids(Foyer, count)
    days = [
        (handed[k][1] if k < len(handed) else plan.last_day)
        - datetime.timedelta(days=int(rng.integers(20, 120)))
        for k in range(count)
    ]
    children = rng.integers(0, 4, size=count)
    _rows(
        plan,
        Foyer,
        ["id", "code", "structure_id", "adultes", "enfants", "enfants_scolarises", "quartier_id",
         "consent_at", "created_at"],
        [
            [first_foyer + k, f"B-F{start + k + 1:07d}", int(rng.choice(structures)),
             int(rng.integers(1, 3)), int(children[k]), int(children[k]),
             int(rng.choice(quartiers)) if quartiers else None, _at(days[k]), _at(days[k])]
            for k in range(count)
        ],
    )  # fmt: skip
    first_demande = reserve_ids(Demande, count)
    waiting = {StatutDemande.EQUIPEE, StatutDemande.PROPOSEE, StatutDemande.LISTE_ATTENTE}
    _rows(
        plan,
        Demande,
        ["id", "foyer_id", "statut", "created_at", "waitlisted_at", "closed_at"],
        [
            [first_demande + k, first_foyer + k, statut, _at(days[k]),
             _at(days[k] + datetime.timedelta(days=7)) if statut in waiting else None,
             _at(handed[k][1]) if statut == StatutDemande.EQUIPEE else None]
            for k, statut in enumerate(statuses)
        ],
    )  # fmt: skip
    _rows(
        plan,
        Attribution,
        ["demande_id", "ordinateur_id", "proposed_at", "handed_over_at"],
        [
            [
                first_demande + k,
                pk,
                _at(day, 14),
                _at(day + datetime.timedelta(days=5), 16) if done else None,
            ]
            for k, (pk, day, done) in enumerate(handed)
        ],
    )
