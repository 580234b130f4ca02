"""The people of the bench médiations (`generate_bench_data`): who each accompagnement helped.

National shape: about 15 % of accompagnements are anonymous people seen once (an anonymous
person cannot be recognised the next time); the others are identified people (consent recorded,
a name, a phone number) who come back: many once, some a few times, a few very often (a mixture of
geometric laws, mean ≈ 3 visits), mostly to the same conseiller within a few months. Their
quartier and commune are those of the lieu they come to (a quarter of them living elsewhere).
Existing referential (a test's, a demo): six anonymous usagers for ten médiations, drawn at random.
"""

import numpy as np

from poitiers_inclusion.bulkload import NULL, copy_columns, lookup, numbers, reserve_ids
from poitiers_inclusion.enums import StatutSocial, TrancheAge
from poitiers_inclusion.models import Usager

from .demo_activity import AGES, FIRST_NAMES, GENRES, LAST_NAMES

ANONYMOUS_SHARE = 0.15
# Visits per identified person: (share of people, mean visits) of each geometric law.
RETURNS = [(0.55, 1.6), (0.35, 3.5), (0.10, 12.0)]
# How far apart a person's visits may be (days): their médiations are taken in the order of
# (conseiller, day + a random lag up to this).
SPREAD_DAYS = 120
AGE_SPANS = {
    TrancheAge.DE_18_A_24: (18, 24),
    TrancheAge.DE_25_A_39: (25, 39),
    TrancheAge.DE_40_A_59: (40, 59),
    TrancheAge.DE_60_A_69: (60, 69),
    TrancheAge.PLUS_DE_70: (70, 90),
}
# Names as a country's are spread: most full names are shared by a few people, the commonest
# (COMMON_NAMES of people: the demo's first and last names, « Michel Martin ») by a hundred or
# two among millions. With the demo's 1,050 combinations alone, ten million médiations gave
# 7,000 namesakes to each name, and any lookup by name (an import's people) read millions.
COMMON_NAMES = 0.02
SURNAME_STARTS = (
    "Ber Dur Mar Gir Lam Fon Cha Rou Bon Mor Gar Lef Mer Dup Fau Bou Pel Ros Val Bar Ren Gau "
    "Cou Mal Pou Sal Tes Vin Ter Bla"
).split()
SURNAME_MIDDLES = ["", "a", "e", "i", "o", "ou", "an", "on", "in", "er"]
SURNAME_ENDS = ("nard ier eau and ois et ot in at ard el on aud y ès ault ac ez oux ec").split()
STATUTS = [s.value for s in StatutSocial]
# Statut by age group (young, working age, retired): weights over STATUTS.
STATUT_WEIGHTS = {
    "young": [0, 40, 20, 40, 0],
    "adult": [0, 50, 35, 0, 15],
    "senior": [85, 10, 0, 0, 5],
}


def weighted(rng, table, n: int) -> np.ndarray:
    """n codes (indexes into table) drawn with table's weights ((value, weight) pairs)."""
    weights = np.array([w for _v, w in table], dtype=float)
    return rng.choice(len(table), size=n, p=weights / weights.sum())


def _visits(rng, slots: int) -> np.ndarray:
    """Visits per identified person, adding up to `slots`."""
    shares = np.array([s for s, _m in RETURNS])
    means = np.array([m for _s, m in RETURNS])
    counts = []
    total = 0
    while total < slots:
        n = max(16, int((slots - total) / (shares @ means) * 1.1))
        law = rng.choice(len(RETURNS), size=n, p=shares)
        drawn = rng.geometric(1 / means[law])
        counts.append(drawn)
        total += int(drawn.sum())
    counts = np.concatenate(counts)
    ends = np.cumsum(counts)
    last = int(np.searchsorted(ends, slots))
    counts = counts[: last + 1].copy()
    counts[-1] -= int(ends[last] - slots)
    return counts[counts > 0]


def assign(plan, acc_mediation, acc_conseiller, acc_day):
    """Person number of each accompagnement (0…P-1) and whether that person is identified."""
    rng, n = plan.rng, len(acc_mediation)
    if not plan.national:
        people = max(1, int(len(np.unique(acc_mediation)) * 0.6))
        return rng.integers(people, size=n), np.zeros(people, dtype=bool)
    anonymous = rng.random(n) < ANONYMOUS_SHARE
    known = np.flatnonzero(~anonymous)
    lag = rng.integers(0, SPREAD_DAYS, size=len(known))
    order = known[np.lexsort((acc_day[known] + lag, acc_conseiller[known]))]
    counts = _visits(rng, len(order))
    person = np.empty(n, dtype=np.int64)
    person[order] = np.repeat(np.arange(len(counts)), counts)
    first_anonymous = len(counts)
    person[anonymous] = first_anonymous + np.arange(int(anonymous.sum()))
    # The same person twice in one workshop: the second seat goes to someone new (identified,
    # seen once), so that the anonymous share stays as drawn.
    pair_order = np.lexsort((person, acc_mediation))
    same = np.zeros(n, dtype=bool)
    same[pair_order[1:]] = (np.diff(acc_mediation[pair_order]) == 0) & (
        np.diff(person[pair_order]) == 0
    )
    total = first_anonymous + int(anonymous.sum())
    person[same] = total + np.arange(int(same.sum()))
    identified = np.ones(total + int(same.sum()), dtype=bool)
    identified[first_anonymous:total] = False
    return person, identified


def write(plan, person, identified, acc_day, acc_lieu, places, day_text, stamp_text):
    """COPY the people (one Usager per person number, living near `places`); returns the id of
    person 0."""
    rng, count = plan.rng, len(identified)
    first_id = reserve_ids(Usager, count)
    ids = first_id + np.arange(count)
    first_day = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(first_day, person, acc_day)
    last_day = np.zeros(count, dtype=np.int64)
    np.maximum.at(last_day, person, acc_day)
    seen = first_day <= last_day  # a person of the first version's draw may have no visit
    first_day = np.where(seen, first_day, 0)
    home = np.zeros(count, dtype=np.int64)
    home[person] = acc_lieu
    genre = weighted(rng, GENRES, count)
    band = weighted(rng, AGES, count)
    bands = [b for b, _w in AGES]
    group = np.array(
        [
            "young"
            if b == TrancheAge.DE_18_A_24
            else "senior"
            if b in (TrancheAge.DE_60_A_69, TrancheAge.PLUS_DE_70)
            else "adult"
            for b in bands
        ]
    )[band]
    statut = np.zeros(count, dtype=np.int64)
    for name, weights in STATUT_WEIGHTS.items():
        mask = group == name
        w = np.array(weights, dtype=float)
        statut[mask] = rng.choice(len(STATUTS), size=int(mask.sum()), p=w / w.sum())
    quartier, commune, code_postal, code_insee = places.residence(rng, home)
    columns = {
        "id": numbers(ids),
        "genre": lookup([g for g, _w in GENRES], genre),
        "statut_social": lookup(STATUTS, statut),
        "quartier_id": quartier,
        "commune": commune,
        "code_postal": code_postal,
        "code_insee": code_insee,
        "created_at": stamp_text[first_day].tolist(),
        "last_seen_on": day_text[last_day].tolist(),
    }
    # Identified people: consent, name, phone and birth year (their age band then follows it).
    year = plan.last_day.year
    low = np.array([AGE_SPANS.get(b, (0, 0))[0] for b in bands])[band]
    high = np.array([AGE_SPANS.get(b, (0, 0))[1] for b in bands])[band]
    has_year = identified & (high > 0)
    birth = year - rng.integers(low, high + 1)
    columns["tranche_age"] = lookup(
        [b for b in bands] + [TrancheAge.NON_COMMUNIQUE], np.where(has_year, len(bands), band)
    )
    columns["birth_year"] = np.where(has_year, birth.astype(str), NULL).astype(object).tolist()
    columns["consent_at"] = np.where(identified, stamp_text[first_day], NULL).tolist()
    first, last = _names(rng, count)
    columns["first_name"] = np.where(identified, first, "").tolist()
    columns["last_name"] = np.where(identified, last, "").tolist()
    phones = [f"06 {v // 10**6:02d} {v // 10**4 % 100:02d} {v % 10**4:04d}" for v in ids % 10**8]
    columns["phone"] = np.where(identified, np.array(phones, dtype=object), "").tolist()
    copy_columns(Usager, columns, plan)
    return first_id


def _names(rng, count: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last names of `count` people: about 6,000 surnames of three syllables and 930
    first names (compound ones too, « Marie-Josiane »), COMMON_NAMES of them the demo's."""
    surnames = np.array(
        [a + b + c for a in SURNAME_STARTS for b in SURNAME_MIDDLES for c in SURNAME_ENDS],
        dtype=object,
    )
    given = np.array(
        FIRST_NAMES + [f"{a}-{b}" for a in FIRST_NAMES for b in FIRST_NAMES if a != b],
        dtype=object,
    )
    common = rng.random(count) < COMMON_NAMES
    first = np.where(
        common,
        np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), count)],
        given[rng.integers(0, len(given), count)],
    )
    last = np.where(
        common,
        np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), count)],
        surnames[rng.integers(0, len(surnames), count)],
    )
    return first, last


class Places:
    """Where people live, by lieu: the quartiers of the lieu's commune and the commune itself."""

    def __init__(self, rows):
        # rows: (lieu id, [quartier ids], commune, code postal, INSEE)
        rows = sorted(rows)
        self.lieux = np.array([r[0] for r in rows], dtype=np.int64)
        self.quartier_count = np.array([len(r[1]) for r in rows], dtype=np.int64)
        self.quartier_start = np.concatenate([[0], np.cumsum(self.quartier_count)[:-1]])
        self.quartiers = np.array([q for r in rows for q in r[1]] or [0], dtype=np.int64)
        towns = sorted({r[2:] for r in rows})
        self.town = np.array([towns.index(r[2:]) for r in rows], dtype=np.int64)
        self.towns = [np.array([t[k] for t in towns] + [""], dtype=object) for k in range(3)]

    def residence(self, rng, home):
        """(quartier, commune, code postal, INSEE) columns: most people live in a quartier of
        the commune of the lieu they come to; a quarter elsewhere (nothing known)."""
        count = len(home)
        at = np.clip(np.searchsorted(self.lieux, home), 0, len(self.lieux) - 1)
        local = (rng.random(count) < 0.75) & (self.lieux[at] == home)
        has = local & (self.quartier_count[at] > 0)
        pick = rng.integers(0, 1 << 30, size=count)
        offset = self.quartier_start[at] + pick % np.maximum(self.quartier_count[at], 1)
        quartier = np.where(has, self.quartiers[offset], -1)
        town = np.where(local, self.town[at], len(self.towns[0]) - 1)
        return (numbers(quartier, null_below=0), *(t[town].tolist() for t in self.towns))


def link_conseillers(plan, person, acc_conseiller, first_id) -> None:
    """Who followed whom (Usager.conseillers): what a conseiller's list of usagers shows."""
    pairs = np.unique(person.astype(np.int64) * (1 << 24) + acc_conseiller)
    through = Usager.conseillers.through
    start = reserve_ids(through, len(pairs))
    copy_columns(
        through._meta.db_table,
        {
            "id": numbers(start + np.arange(len(pairs))),
            "usager_id": numbers(first_id + (pairs >> 24)),
            "user_id": numbers(pairs & ((1 << 24) - 1)),
        },
        plan,
    )
