"""Bench data of the permanences app (`generate_bench_data`): drop-in slots, médiations, their
accompagnements and people, written with COPY from numpy columns.

National shape: each conseiller of the bench network staffs one to three lieux of their
département, one or two weekly slots at each; a conseiller's activity varies (log-normal). Seven
médiations in ten are logged at one of their slots, on its weekday; one in ten is collective (3 to
12 people); a few are at a distance, at home or elsewhere (no lieu). Days: working days of the
period, quieter in August and at Christmas, busier in spring, growing 8 % a year. Thématiques,
démarches, matériel, durations, satisfaction… follow the demo's distributions
(`demo_activity.py`). People: `bench_people.py`.

On a database with a referential of its own (a test's, a demo), the médiations go to its lieux,
slots and conseillers, one person each, as the first version of this command did.
"""

import datetime

import numpy as np
from django.core.management import CommandError

from poitiers_inclusion.bulkload import (
    NULL,
    copy_columns,
    day_strings,
    lookup,
    numbers,
    reserve_ids,
)
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager, User
from reseau.bench_data import BENCH_EMAIL, BENCH_LIEU
from reseau.models import Lieu, Quartier

from . import bench_people
from .bench_people import weighted
from .demo_activity import (
    AUTONOMIES,
    DEMARCHE_NAMES,
    DEMARCHES,
    DURATIONS,
    MATERIELS,
    MONTH_FACTOR,
    REDIRECTIONS,
    SATISFACTIONS,
    SOURCES,
    THEMES,
    WORKSHOP_TITLES,
)
from .enums import ModePermanence, Thematique, TypeActivite, TypeLieu
from .models import Accompagnement, Mediation, Permanence

BENCH_TAG = "bench"
AT_SLOT = 0.7
COLLECTIVE_SHARE = 0.10
COLLECTIVE_SIZES = (3, 12)
# Médiations without a lieu (no slot): channel and share of all médiations.
ELSEWHERE = [(TypeLieu.A_DISTANCE, 0.05), (TypeLieu.DOMICILE, 0.03), (TypeLieu.AUTRE, 0.02)]
GROWTH = 1.08
WEEKDAY_FACTOR = [1.0, 1.0, 1.0, 1.0, 0.9, 0.3, 0.0]
# Big tables whose indexes and foreign keys are rebuilt after the load.
TABLES = [
    Mediation._meta.db_table,
    Accompagnement._meta.db_table,
    Usager._meta.db_table,
    Usager.conseillers.through._meta.db_table,
]


class Network:
    """Where and when each conseiller works: their attachments (lieu, and slot if any), as arrays
    sorted by conseiller."""

    def __init__(self, rows, conseillers, first_day):
        # rows: (conseiller id, lieu id, permanence id or None, weekday, valid_from, valid_until)
        rows = sorted(rows, key=lambda r: (r[0], r[2] or 0, r[1]))
        self.conseillers = np.array(conseillers, dtype=np.int64)
        owner = np.array([r[0] for r in rows], dtype=np.int64)
        index = np.searchsorted(self.conseillers, owner)
        self.start = np.searchsorted(index, np.arange(len(conseillers)))
        self.count = np.bincount(index, minlength=len(conseillers))
        self.lieu = np.array([r[1] for r in rows], dtype=np.int64)
        self.permanence = np.array([r[2] or -1 for r in rows], dtype=np.int64)
        self.weekday = np.array([r[3] or 0 for r in rows], dtype=np.int64)
        self.valid_from = np.array([(r[4] - first_day).days if r[4] else -(10**6) for r in rows])
        self.valid_until = np.array([(r[5] - first_day).days if r[5] else 10**6 for r in rows])


def _make_slots(plan) -> None:
    """Slots for the bench conseillers who have none yet: a home lieu, up to two more of the same
    département, one or two weekly half-days at each."""
    rng = plan.rng
    lieux = list(
        Lieu.objects.filter(identifiant__startswith=BENCH_LIEU)
        .order_by("pk")
        .values_list("pk", "code_insee")
    )
    staffed = set(
        Permanence.conseillers.through.objects.filter(
            permanence__lieu__identifiant__startswith=BENCH_LIEU
        ).values_list("user_id", flat=True)
    )
    conseillers = list(
        User.objects.filter(role=Role.CONSEILLER, email__endswith=BENCH_EMAIL)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    by_dep: dict[str, list[int]] = {}
    for pk, insee in lieux:
        by_dep.setdefault(insee[:2], []).append(pk)
    slots, owners = [], []
    for n, conseiller in enumerate(conseillers):
        if conseiller in staffed:
            continue
        home, insee = lieux[n % len(lieux)]
        nearby = by_dep[insee[:2]]
        extra = rng.choice(3, p=[0.4, 0.4, 0.2])
        places = [home, *rng.choice(nearby, size=extra).tolist()]
        for lieu in dict.fromkeys(places):
            for weekday in rng.choice(6, size=rng.choice([1, 2]), replace=False).tolist():
                morning = rng.random() < 0.5
                bookable = rng.random() < 0.15
                slots.append(
                    Permanence(
                        lieu_id=lieu,
                        weekday=weekday,
                        start_time=datetime.time(9) if morning else datetime.time(14),
                        end_time=datetime.time(12) if morning else datetime.time(17),
                        valid_from=plan.first_day,
                        mode=ModePermanence.SUR_RDV if bookable else ModePermanence.SANS_RDV,
                        capacity=6 if bookable else None,
                    )
                )
                owners.append(conseiller)
    Permanence.objects.bulk_create(slots, batch_size=2000)
    through = Permanence.conseillers.through
    through.objects.bulk_create(
        [through(permanence_id=s.pk, user_id=c) for s, c in zip(slots, owners, strict=True)],
        batch_size=5000,
    )


def _network(plan) -> tuple[Network, "bench_people.Places"]:
    if plan.national:
        _make_slots(plan)
        through = Permanence.conseillers.through.objects.filter(
            permanence__lieu__identifiant__startswith=BENCH_LIEU
        )
        rows = list(
            through.values_list(
                "user_id",
                "permanence__lieu_id",
                "permanence_id",
                "permanence__weekday",
                "permanence__valid_from",
                "permanence__valid_until",
            )
        )
        lieux = Lieu.objects.filter(identifiant__startswith=BENCH_LIEU)
    else:
        conseillers = list(User.objects.filter(role=Role.CONSEILLER).values_list("pk", flat=True))
        slots = list(
            Permanence.objects.filter(is_one_off=False).values_list(
                "lieu_id", "pk", "weekday", "valid_from", "valid_until"
            )
        )
        every_lieu = [
            (pk, None, None, None, None) for pk in Lieu.objects.values_list("pk", flat=True)
        ]
        rows = [(c, *slot) for c in conseillers for slot in slots or every_lieu]
        lieux = Lieu.objects.all()
    conseillers = sorted({r[0] for r in rows})
    if not conseillers:
        return None, None
    quartiers: dict[str, list[int]] = {}
    for pk, commune in Quartier.objects.values_list("pk", "commune"):
        quartiers.setdefault(commune, []).append(pk)
    places = bench_people.Places(
        [
            (pk, quartiers.get(commune, [q] if q else []), commune, cp, insee)
            for pk, q, commune, cp, insee in lieux.values_list(
                "pk", "quartier_id", "commune", "code_postal", "code_insee"
            )
        ]
    )
    return Network(rows, conseillers, plan.first_day), places


def _day_weights(plan) -> np.ndarray:
    dates = np.datetime64(plan.first_day) + np.arange(plan.days)
    weekday = (dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    years = np.arange(plan.days) / 365.25
    weights = (
        np.array(WEEKDAY_FACTOR)[weekday]
        * np.array([MONTH_FACTOR[m] for m in range(1, 13)])[month - 1]
        * GROWTH**years
    )
    return weights / weights.sum()


def _sets(rng, table, n, second: float, third: float = 0.0) -> list[str]:
    """n array values ('{a,b}') of one to three values of `table` (weighted), sorted, distinct."""
    values = [v for v, _w in table]
    mask = np.left_shift(1, weighted(rng, table, n))
    for share in (second, third):
        more = rng.random(n) < share
        mask = np.where(more, mask | np.left_shift(1, weighted(rng, table, n)), mask)
    unique, inverse = np.unique(mask, return_inverse=True)
    texts = [
        "{" + ",".join(sorted(v for k, v in enumerate(values) if m >> k & 1)) + "}"
        for m in unique.tolist()
    ]
    return np.array(texts, dtype=object)[inverse].tolist()


def _mediations(plan, network, n, day_p, day_text, stamp_text):
    """COPY n médiations; returns (ids, conseiller, day, attachment, people per médiation)."""
    rng = plan.rng
    activity = rng.lognormal(0, 0.5, size=len(network.conseillers))
    c = rng.choice(len(network.conseillers), size=n, p=activity / activity.sum())
    att = network.start[c] + (rng.random(n) * network.count[c]).astype(np.int64)
    day = rng.choice(plan.days, size=n, p=day_p)
    weekday = (np.datetime64(plan.first_day).astype(int) + day - 4) % 7
    moved = day + (network.weekday[att] - weekday) % 7
    moved = np.where(moved >= plan.days, moved - 7, moved)
    at_slot = (
        (rng.random(n) < AT_SLOT)
        & (network.permanence[att] >= 0)
        & (moved >= network.valid_from[att])
        & (moved <= network.valid_until[att])
    )
    day = np.where(at_slot, moved, day)
    collective = np.zeros(n, dtype=bool)
    channel = np.zeros(n, dtype=np.int64)  # 0: the lieu; else ELSEWHERE[k - 1]
    if plan.national:
        collective = rng.random(n) < COLLECTIVE_SHARE
        roll = rng.random(n)
        edges = np.cumsum([share for _t, share in ELSEWHERE]) / (1 - AT_SLOT)
        channel = np.where(at_slot | collective, 0, np.searchsorted(edges, roll, side="right") + 1)
        channel[channel > len(ELSEWHERE)] = 0
    people = np.where(collective, rng.integers(COLLECTIVE_SIZES[0], COLLECTIVE_SIZES[1] + 1, n), 1)
    ids = reserve_ids(Mediation, n) + np.arange(n)
    individual = ~collective
    themes = _sets(rng, THEMES, n, 0.3, 0.05)
    aide = Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES.value
    has_demarche = np.array([aide in t for t in themes])
    demarche = weighted(rng, DEMARCHES, n)
    demarche_values = [v for v, _w in DEMARCHES]
    redirige = individual & (rng.random(n) < 0.12)
    durations = np.array([d for d, _w in DURATIONS])[weighted(rng, DURATIONS, n)]
    durations = np.where(collective, rng.choice([60, 90, 120, 180], size=n), durations)
    lieu = np.where(channel == 0, network.lieu[att], -1)
    kinds = [TypeLieu.LIEU_ACTIVITE] + [t for t, _s in ELSEWHERE]
    columns = {
        "id": numbers(ids),
        "date": day_text[day].tolist(),
        "conseiller_id": numbers(network.conseillers[c]),
        "type_activite": lookup(
            [TypeActivite.INDIVIDUEL, TypeActivite.COLLECTIF], collective.astype(int)
        ),
        "type_lieu": lookup(kinds, channel),
        "lieu_id": numbers(lieu, null_below=0),
        "permanence_id": numbers(np.where(at_slot, network.permanence[att], -1), null_below=0),
        "duree_minutes": numbers(durations),
        "thematiques": themes,
        "thematiques_demarche": np.where(
            has_demarche, lookup(["{" + v + "}" for v in demarche_values], demarche), "{}"
        ).tolist(),
        "nom_demarche": np.where(
            has_demarche, lookup([DEMARCHE_NAMES.get(v, "") for v in demarche_values], demarche), ""
        ).tolist(),
        "materiel": _sets(rng, MATERIELS, n, 0.1),
        "autonomie": np.where(
            individual, lookup([v for v, _w in AUTONOMIES], weighted(rng, AUTONOMIES, n)), ""
        ).tolist(),
        "titre_atelier": np.where(
            collective, lookup(WORKSHOP_TITLES, rng.integers(len(WORKSHOP_TITLES), size=n)), ""
        ).tolist(),
        "niveau_atelier": np.where(
            collective, lookup(["debutant", "intermediaire"], rng.integers(2, size=n)), ""
        ).tolist(),
        "redirige": lookup([False, True], redirige.astype(int)),
        "structure_redirection": np.where(
            redirige, lookup([v for v, _w in REDIRECTIONS], weighted(rng, REDIRECTIONS, n)), ""
        ).tolist(),
        "satisfaction": lookup([v for v, _w in SATISFACTIONS], weighted(rng, SATISFACTIONS, n)),
        "source_connaissance": lookup([v for v, _w in SOURCES], weighted(rng, SOURCES, n)),
        "source_donnee": [BENCH_TAG] * n,
        "created_at": stamp_text[day].tolist(),
        "updated_at": stamp_text[day].tolist(),
    }
    return ids, columns, network.conseillers[c], day, network.lieu[att], people, collective


def _batch(plan, network, places, n, day_p, day_text, stamp_text) -> None:
    ids, columns, conseiller, day, home, people, collective = _mediations(
        plan, network, n, day_p, day_text, stamp_text
    )
    acc_mediation = np.repeat(ids, people)
    acc_conseiller = np.repeat(conseiller, people)
    acc_day = np.repeat(day, people)
    person, identified = bench_people.assign(plan, acc_mediation, acc_conseiller, acc_day)
    first_person = bench_people.write(
        plan, person, identified, acc_day, np.repeat(home, people), places, day_text, stamp_text
    )
    # First visit: an individual médiation on the person's first day (anonymous people: always).
    if plan.national:
        first_day = np.full(len(identified), np.iinfo(np.int64).max)
        np.minimum.at(first_day, person, acc_day)
        single = np.cumsum(people) - 1  # the one accompagnement of an individual médiation
        first = first_day[person[single]] == day
        columns["premiere_visite"] = np.where(collective, NULL, np.where(first, "t", "f")).tolist()
    copy_columns(Mediation, columns, plan)
    accompagnements = len(acc_mediation)
    copy_columns(
        Accompagnement,
        {
            "id": numbers(
                reserve_ids(Accompagnement, accompagnements) + np.arange(accompagnements)
            ),
            "mediation_id": numbers(acc_mediation),
            "usager_id": numbers(first_person + person),
        },
        plan,
    )
    bench_people.link_conseillers(plan, person, acc_conseiller, first_person)


def load(plan) -> None:
    existing = Mediation.objects.filter(source_donnee=BENCH_TAG).count()
    todo = max(0, plan.mediations - existing)
    plan.stdout.write(f"Médiations de banc d'essai : {existing} présentes, {todo} à ajouter.")
    if not todo:
        return
    network, places = _network(plan)
    if network is None:
        raise CommandError("Aucun conseiller : lancez d'abord `manage.py demo`.")
    day_p = _day_weights(plan)
    day_text = day_strings(plan.first_day, plan.days)
    stamp_text = day_strings(plan.first_day, plan.days, " 17:30:00+00")
    done = 0
    while done < todo:
        n = min(plan.batch, todo - done)
        _batch(plan, network, places, n, day_p, day_text, stamp_text)
        done += n
        plan.stdout.write(f"  {existing + done} médiations ({plan.elapsed():.1f} s)")
