"""Bench data of the workshops (`generate_bench_data`): about one séance per 50 médiations at a
third of the bench network's lieux, facilitated by the conseillers who staff them, with
registrations (half to full), a waiting list when full, a few cancellations, and attendance taken
for past séances (four in five present).

Participants are identified people of the drop-ins of the same département, who come back to the
workshops of their lieu (about three séances each). Bench séances are those at bench lieux: the
command tops them up to N / 50.
"""

import datetime

import numpy as np
from django.db import connection

from poitiers_inclusion.bulkload import (
    NULL,
    copy_columns,
    day_strings,
    lookup,
    numbers,
    reserve_ids,
)
from reseau.bench_data import BENCH_LIEU
from reseau.models import Lieu

from .enums import Origine, Presence, StatutInscription
from .models import Inscription, Module, Seance

MEDIATIONS_PER_SEANCE = 50
TABLES = [Inscription._meta.db_table]
AHEAD_DAYS = 60
MEAN_SEANCES = 3.0


def _pools() -> dict[str, np.ndarray]:
    """Identified people by département (of their commune)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT left(code_insee, 2), id FROM kernel_usager WHERE consent_at IS NOT NULL "
            "AND anonymised_at IS NULL AND merged_into_id IS NULL AND code_insee <> ''"
        )
        rows = cursor.fetchall()
    pools: dict[str, list[int]] = {}
    for dep, pk in rows:
        pools.setdefault(dep, []).append(pk)
    return {dep: np.array(ids, dtype=np.int64) for dep, ids in pools.items()}


def load(plan) -> None:
    if not plan.national:
        return
    bench = Seance.objects.filter(lieu__identifiant__startswith=BENCH_LIEU)
    todo = plan.mediations // MEDIATIONS_PER_SEANCE - bench.count()
    modules = list(Module.objects.filter(actif=True).values_list("pk", flat=True))
    if todo <= 0 or not modules:
        return
    rng = plan.rng
    staff = Lieu.objects.filter(identifiant__startswith=BENCH_LIEU, permanences__isnull=False)
    hosts: dict[int, tuple[str, list[int]]] = {}
    for pk, insee, conseiller in staff.values_list(
        "pk", "code_insee", "permanences__conseillers"
    ).order_by("pk"):
        if pk % 3 == 0 and conseiller:
            hosts.setdefault(pk, (insee[:2], []))[1].append(conseiller)
    pools = _pools()
    hosts = {pk: h for pk, h in hosts.items() if len(pools.get(h[0], ())) >= 20}
    if not hosts:
        return
    lieux = np.array(sorted(hosts), dtype=np.int64)
    where = rng.integers(len(lieux), size=todo)
    days = plan.days + AHEAD_DAYS
    day = rng.integers(days, size=todo)
    weekday = (np.datetime64(plan.first_day).astype(int) + day - 4) % 7
    day = np.clip(day + (rng.choice([1, 3], size=todo) - weekday) % 7, 0, days - 1)
    capacity = rng.integers(6, 13, size=todo)
    cancelled = rng.random(todo) < 0.03
    morning = rng.random(todo) < 0.3
    ids = reserve_ids(Seance, todo) + np.arange(todo)
    day_text = day_strings(plan.first_day, days)
    stamp = day_strings(plan.first_day - datetime.timedelta(days=30), days + 30, " 10:00:00+00")
    copy_columns(
        Seance,
        {
            "id": numbers(ids),
            "module_id": numbers(np.array(modules)[rng.integers(len(modules), size=todo)]),
            "lieu_id": numbers(lieux[where]),
            "date": day_text[day].tolist(),
            "start_time": lookup(["14:00", "09:30"], morning.astype(int)),
            "end_time": lookup(["16:00", "11:30"], morning.astype(int)),
            "capacite": numbers(capacity),
            "cancelled_at": np.where(cancelled, stamp[day + 23], NULL).tolist(),
            "motif_annulation": np.where(cancelled, "Animateur absent.", "").tolist(),
            "created_at": stamp[day].tolist(),
        },
        plan,
    )
    _animateurs(plan, ids, lieux[where], hosts)
    _inscriptions(plan, ids, lieux[where], day, capacity, cancelled, hosts, pools, stamp)
    plan.stdout.write(f"Ateliers : {todo} séances ajoutées.")


def _animateurs(plan, ids, lieu, hosts) -> None:
    rng, through = plan.rng, Seance.animateurs.through
    seance, user = [], []
    for pk, at in zip(ids.tolist(), lieu.tolist(), strict=True):
        team = hosts[at][1]
        for conseiller in dict.fromkeys(rng.choice(team, size=1 + (rng.random() < 0.2))):
            seance.append(pk)
            user.append(int(conseiller))
    start = reserve_ids(through, len(seance))
    copy_columns(
        through._meta.db_table,
        {
            "id": numbers(start + np.arange(len(seance))),
            "seance_id": numbers(seance),
            "user_id": numbers(user),
        },
        plan,
    )


def _inscriptions(plan, ids, lieu, day, capacity, cancelled, hosts, pools, stamp) -> None:
    rng = plan.rng
    registered = np.where(
        cancelled, 0, np.maximum(2, (capacity * rng.uniform(0.5, 1.0, len(ids))).round())
    ).astype(np.int64)
    waiting = np.where(registered == capacity, rng.integers(0, 3, len(ids)), 0)
    seats = registered + waiting
    seat_seance = np.repeat(np.arange(len(ids)), seats)
    rank = np.arange(len(seat_seance)) - np.repeat(np.cumsum(seats) - seats, seats)
    on_list = rank >= registered[seat_seance]
    # People come back to their lieu's workshops: a group follows about three séances in a row
    # there (a parcours), seat for seat.
    by_lieu = np.lexsort((day, lieu))
    position = np.empty(len(ids), dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(lieu[by_lieu])) + 1]
    position[by_lieu] = np.arange(len(ids)) - np.repeat(starts, np.diff(np.r_[starts, len(ids)]))
    group = position // int(MEAN_SEANCES) + rng.integers(0, 2, len(ids)) * (position % 2)
    key = (lieu[seat_seance] * 1_000_003 + group[seat_seance] * 7_919 + rank).astype(np.uint64)
    draw = (key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20)
    person = np.zeros(len(seat_seance), dtype=np.int64)
    deps = np.array([hosts[at][0] for at in lieu.tolist()], dtype=object)[seat_seance]
    for dep in set(deps.tolist()):
        mask = deps == dep
        pool = pools[dep]
        person[mask] = pool[(draw[mask] % np.uint64(len(pool))).astype(np.int64)]
    # One live registration per person and séance: a repeated one is dropped.
    pair = np.lexsort((person, seat_seance))
    keep = np.ones(len(person), dtype=bool)
    keep[pair[1:]] = ~((np.diff(seat_seance[pair]) == 0) & (np.diff(person[pair]) == 0))
    seat_seance, person, on_list = seat_seance[keep], person[keep], on_list[keep]
    past = day[seat_seance] <= plan.days - 1
    dropped = ~on_list & (rng.random(len(person)) < 0.04)
    statut = np.where(on_list, 1, np.where(dropped, 2, 0))
    came = rng.random(len(person)) < 0.8
    presence = np.where((statut == 0) & past, np.where(came, 1, 2), 0)
    origine = rng.choice(3, size=len(person), p=[0.4, 0.5, 0.1])
    count = len(person)
    first = reserve_ids(Inscription, count)
    copy_columns(
        Inscription,
        {
            "id": numbers(first + np.arange(count)),
            "seance_id": numbers(ids[seat_seance]),
            "usager_id": numbers(person),
            "statut": lookup(
                [StatutInscription.INSCRIT, StatutInscription.ATTENTE, StatutInscription.ANNULE],
                statut,
            ),
            "presence": lookup(["", Presence.PRESENT, Presence.ABSENT], presence),
            "origine": lookup([Origine.PUBLIC, Origine.EQUIPE, Origine.SUR_PLACE], origine),
            "token": [f"bench-{first + k}" for k in range(count)],
            "created_at": stamp[day[seat_seance] + 20].tolist(),
            "cancelled_at": np.where(dropped, stamp[day[seat_seance] + 28], NULL).tolist(),
        },
        plan,
    )
