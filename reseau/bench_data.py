"""Bench data of the réseau: a national network for `generate_bench_data` — quartiers, structures
and lieux across ten départements, and the conseillers' accounts, scaled with the number of
médiations asked for (about one conseiller per 3,300 médiations: 3,000 at 10 million, as many lieux
and a half).

Everything is tagged so that a bigger run tops up: lieux `bench-lieu-…`, structures
« … (banc d'essai) », accounts `…@bench.example`; quartiers carry IRIS-like codes (INSEE + 4 digits).
"""

import datetime

import numpy as np
from django.contrib.auth.hashers import make_password

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User

from .enums import Frais, ModaliteAcces, ModaliteAccompagnement, Service
from .models import Lieu, Quartier, Structure

BENCH_LIEU = "bench-lieu-"
BENCH_EMAIL = "@bench.example"
BENCH_SOURCE = "Banc d'essai"
MEDIATIONS_PER_CONSEILLER = 3_300
MIN_CONSEILLERS = 30
LIEUX_PER_CONSEILLER = 1.5

# (département, weight, [(commune, code postal, code INSEE, latitude, longitude, quartiers)])
DEPARTEMENTS = [
    ("86", 8, [("Poitiers", "86000", "86194", 46.5802, 0.3404, 8),
               ("Châtellerault", "86100", "86066", 46.8178, 0.5461, 4),
               ("Loudun", "86200", "86137", 47.0097, 0.0833, 1),
               ("Montmorillon", "86500", "86165", 46.4264, 0.8706, 1)]),
    ("79", 5, [("Niort", "79000", "79191", 46.3237, -0.4588, 6),
               ("Bressuire", "79300", "79049", 46.8408, -0.4886, 2),
               ("Parthenay", "79200", "79202", 46.6486, -0.2469, 1),
               ("Thouars", "79100", "79329", 46.9758, -0.2153, 1)]),
    ("17", 7, [("La Rochelle", "17000", "17300", 46.1603, -1.1511, 6),
               ("Rochefort", "17300", "17299", 45.9421, -0.9588, 3),
               ("Saintes", "17100", "17415", 45.7464, -0.6333, 3),
               ("Royan", "17200", "17306", 45.6248, -1.0286, 2)]),
    ("16", 5, [("Angoulême", "16000", "16015", 45.6484, 0.1562, 5),
               ("Cognac", "16100", "16102", 45.6958, -0.3292, 2),
               ("Confolens", "16500", "16106", 46.0136, 0.6717, 1)]),
    ("87", 6, [("Limoges", "87000", "87085", 45.8336, 1.2611, 8),
               ("Saint-Junien", "87200", "87154", 45.8878, 0.9019, 2),
               ("Bellac", "87300", "87011", 46.1217, 1.0497, 1)]),
    ("33", 12, [("Bordeaux", "33000", "33063", 44.8378, -0.5792, 10),
                ("Mérignac", "33700", "33281", 44.8386, -0.6436, 4),
                ("Pessac", "33600", "33318", 44.8067, -0.6311, 4),
                ("Libourne", "33500", "33243", 44.9153, -0.2439, 2)]),
    ("75", 15, [("Paris 11e Arrondissement", "75011", "75111", 48.8590, 2.3800, 6),
                ("Paris 13e Arrondissement", "75013", "75113", 48.8283, 2.3623, 6),
                ("Paris 18e Arrondissement", "75018", "75118", 48.8925, 2.3444, 6),
                ("Paris 19e Arrondissement", "75019", "75119", 48.8871, 2.3848, 6),
                ("Paris 20e Arrondissement", "75020", "75120", 48.8634, 2.4012, 6)]),
    ("13", 13, [("Marseille 3e Arrondissement", "13003", "13203", 43.3119, 5.3801, 5),
                ("Marseille 13e Arrondissement", "13013", "13213", 43.3497, 5.4330, 5),
                ("Marseille 15e Arrondissement", "13015", "13215", 43.3590, 5.3640, 5),
                ("Aix-en-Provence", "13100", "13001", 43.5297, 5.4474, 5),
                ("Arles", "13200", "13004", 43.6766, 4.6278, 2)]),
    ("59", 14, [("Lille", "59000", "59350", 50.6292, 3.0573, 10),
                ("Roubaix", "59100", "59512", 50.6942, 3.1746, 6),
                ("Tourcoing", "59200", "59599", 50.7239, 3.1612, 5),
                ("Dunkerque", "59140", "59183", 51.0343, 2.3768, 4)]),
    ("69", 13, [("Lyon 3e Arrondissement", "69003", "69383", 45.7597, 4.8422, 6),
                ("Lyon 8e Arrondissement", "69008", "69388", 45.7347, 4.8699, 5),
                ("Lyon 9e Arrondissement", "69009", "69389", 45.7741, 4.8055, 5),
                ("Villeurbanne", "69100", "69266", 45.7719, 4.8902, 6),
                ("Vénissieux", "69200", "69259", 45.6975, 4.8867, 4)]),
]  # fmt: skip
QUARTIER_NAMES = [
    "Centre-ville", "Gare", "Les Couronneries", "Quartier Nord", "Saint-Éloi", "Les Trois-Cités",
    "Le Faubourg", "Les Hauts", "Bel-Air", "La Plaine", "Les Rives", "Le Bourg",
]  # fmt: skip
# The kinds of places: (name pattern, typologie, services)
KINDS = [
    ("Médiathèque de {c}", "BIB", [Service.OUTILS_QUOTIDIEN, Service.DEMARCHES]),
    ("Centre social {q}", "CS", [Service.DEMARCHES, Service.PARENTALITE]),
    ("France services {c}", "MUNI", [Service.DEMARCHES]),
    ("Espace public numérique {q}", "EPN", [Service.OUTILS_QUOTIDIEN, Service.SECURITE]),
    ("CCAS de {c}", "CCAS", [Service.DEMARCHES]),
    ("Association Numérique pour tous {q}", "ASSO", [Service.OUTILS_QUOTIDIEN]),
    ("Mairie de quartier {q}", "MUNI", [Service.DEMARCHES]),
    ("Centre socioculturel {q}", "CSC", [Service.OUTILS_QUOTIDIEN, Service.INSERTION_PRO]),
]
STREETS = ["rue Victor-Hugo", "avenue de la République", "place de la Mairie", "rue Jean-Jaurès",
           "boulevard Pasteur", "rue des Écoles", "rue du Marché", "allée des Tilleuls"]  # fmt: skip
FIRST_NAMES = ["Camille", "Yanis", "Inès", "Lucas", "Sarah", "Karim", "Léa", "Thomas", "Aïcha",
               "Julien", "Manon", "Mehdi", "Chloé", "Nicolas", "Fatou", "Hugo"]  # fmt: skip
LAST_NAMES = ["Martin", "Bernard", "Petit", "Moreau", "Diallo", "Nguyen", "Garcia", "Roux",
              "Lambert", "Benali", "Fontaine", "Girard", "Mercier", "Traoré"]  # fmt: skip


def communes():
    """[(département, commune, code postal, INSEE, lat, lon, quartiers, weight)] of the network."""
    rows = []
    for dep, weight, towns in DEPARTEMENTS:
        sizes = np.array([t[5] for t in towns], dtype=float)
        for town, share in zip(towns, sizes / sizes.sum(), strict=True):
            rows.append((dep, *town, weight * share))
    return rows


def sizes(mediations: int) -> tuple[int, int]:
    """(conseillers, lieux) of a network for that many médiations."""
    conseillers = max(MIN_CONSEILLERS, round(mediations / MEDIATIONS_PER_CONSEILLER))
    return conseillers, round(conseillers * LIEUX_PER_CONSEILLER)


def _quartiers() -> dict[str, list[int]]:
    """The quartiers of each commune (by INSEE code), created once."""
    wanted = []
    for _dep, name, _cp, insee, lat, lon, count, _w in communes():
        for k in range(count):
            wanted.append(
                Quartier(
                    code=f"{insee}{k + 1:04d}",
                    nom=f"{QUARTIER_NAMES[k % len(QUARTIER_NAMES)]} ({name})",
                    qpv=k % 3 == 2,
                    commune=name,
                    latitude=round(lat + 0.01 * (k % 3 - 1), 4),
                    longitude=round(lon + 0.01 * (k // 3 - 1), 4),
                )
            )
    existing = set(
        Quartier.objects.filter(code__in=[q.code for q in wanted]).values_list("code", flat=True)
    )
    Quartier.objects.bulk_create([q for q in wanted if q.code not in existing])
    by_commune: dict[str, list[int]] = {}
    for code, pk in Quartier.objects.filter(code__in=[q.code for q in wanted]).values_list(
        "code", "pk"
    ):
        by_commune.setdefault(code[:5], []).append(pk)
    return {insee: sorted(pks) for insee, pks in by_commune.items()}


def _lieux(plan, wanted: int, quartiers) -> None:
    have = Lieu.objects.filter(identifiant__startswith=BENCH_LIEU).count()
    if have >= wanted:
        return
    rng, towns = plan.rng, communes()
    weights = np.array([t[-1] for t in towns])
    picks = rng.choice(len(towns), size=wanted - have, p=weights / weights.sum())
    structures, lieux = [], []
    for offset, t in enumerate(picks.tolist()):
        n = have + offset + 1
        _dep, commune, cp, insee, lat, lon, _count, _w = towns[t]
        quartier = int(rng.choice(quartiers[insee]))
        pattern, typo, services = KINDS[n % len(KINDS)]
        nom = pattern.format(c=commune, q=f"n°{n}")
        pivot = f"{90000000000000 + n:014d}"
        # One structure for two lieux of a kind (a network of places), one per lieu otherwise.
        if n % 2 or not structures:
            structures.append(
                Structure(
                    nom=f"{nom} (banc d'essai)",
                    pivot=pivot,
                    typologies=[typo],
                    services=[s.value for s in services],
                    code_postal=cp,
                    commune=commune,
                )
            )
        lieux.append(
            Lieu(
                identifiant=f"{BENCH_LIEU}{n:06d}",
                nom=nom,
                pivot=pivot,
                commune=commune,
                code_postal=cp,
                code_insee=insee,
                adresse=f"{n % 90 + 1} {STREETS[n % len(STREETS)]}",
                latitude=round(lat + float(rng.normal(0, 0.01)), 5),
                longitude=round(lon + float(rng.normal(0, 0.01)), 5),
                quartier_id=quartier,
                typologie=[typo],
                services=[s.value for s in services],
                frais_a_charge=[Frais.GRATUIT.value],
                modalites_acces=[ModaliteAcces.SE_PRESENTER.value],
                modalites_accompagnement=[ModaliteAccompagnement.INDIVIDUEL.value],
                horaires="Mo-Fr 09:00-12:00,14:00-17:00",
                source=BENCH_SOURCE,
                date_maj=datetime.date(2025, 9, 1),
                connexion_solidaire=n % 3 == 0,
            )
        )
        lieux[-1]._structure_index = len(structures) - 1
    Structure.objects.bulk_create(structures)
    for lieu in lieux:
        lieu.structure = structures[lieu._structure_index]
    Lieu.objects.bulk_create(lieux, batch_size=2000)


def _accounts(wanted: int) -> None:
    """The conseillers, and one coordinator and one technician for the network."""
    have = User.objects.filter(role=Role.CONSEILLER, email__endswith=BENCH_EMAIL).count()
    password = make_password(None)  # unusable: a bench account signs in after a reset
    users = [
        User(
            email=f"conseiller{n:05d}{BENCH_EMAIL}",
            role=Role.CONSEILLER,
            first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=LAST_NAMES[n * 7 % len(LAST_NAMES)],
            password=password,
        )
        for n in range(have + 1, wanted + 1)
    ]
    for email, role in (("coordination", Role.COORDINATEUR), ("technicien", Role.TECHNICIEN)):
        if not User.objects.filter(email=f"{email}{BENCH_EMAIL}").exists():
            users.append(User(email=f"{email}{BENCH_EMAIL}", role=role, password=password))
    User.objects.bulk_create(users, batch_size=2000)


def load(plan) -> None:
    if not plan.national:
        return
    conseillers, lieux = sizes(plan.mediations)
    quartiers = _quartiers()
    _lieux(plan, lieux, quartiers)
    _accounts(conseillers)
    plan.stdout.write(
        f"Réseau national : {conseillers} conseillers, {lieux} lieux dans "
        f"{len(DEPARTEMENTS)} départements, {sum(len(q) for q in quartiers.values())} quartiers."
    )
