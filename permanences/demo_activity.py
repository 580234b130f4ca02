"""Demo médiations of 2022, so that the city's published figures hold: 1000 médiations for 600 usagers.

Every médiation takes place at a demo drop-in (demo_schedule.py) on a day that desk was open:
until the September 2022 move the médiathèque is busy and the two mairies de quartier nearly
empty; afterwards the épiceries solidaires and associations fill up, two mairies stay quiet.
1000 accompagnements: 960 individual ones and 8 workshops of 5 anonymous participants; 600
unique usagers: the 400 return visits are made by identified people (an anonymous person cannot
be recognised the next time). Deterministic (seeded), written with bulk inserts; does nothing
when the demo médiations are already there.
"""

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from poitiers_inclusion.enums import Genre, Role, StatutSocial, TrancheAge
from poitiers_inclusion.models import Usager, User
from reseau.models import Quartier

from .enums import (
    Autonomie,
    Materiel,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TypeActivite,
    TypeLieu,
)
from .models import Accompagnement, Mediation, Permanence

DEMO_SOURCE = "Démonstration"
YEAR = 2022
TOTAL = 1000
UNIQUE = 600
WORKSHOPS, WORKSHOP_SIZE = 8, 5
IDENTIFIED = 180
SEED = 2022

# Expected visits per opening, by place (identifiant of the demo Lieu): some desks busy, some empty.
BEFORE_MOVE = {"poitiers-lieu-01": 5.0, "poitiers-lieu-02": 0.5, "poitiers-lieu-03": 0.4}
AFTER_MOVE = {
    "poitiers-lieu-01": 1.2,
    "poitiers-lieu-02": 0.6,
    "poitiers-lieu-04": 0.25,
    "poitiers-lieu-05": 0.2,
    "poitiers-lieu-06": 1.2,
    "poitiers-lieu-07": 1.1,
    "poitiers-lieu-08": 0.8,
    "poitiers-lieu-09": 3.2,
    "poitiers-lieu-10": 2.8,
    "poitiers-lieu-11": 2.0,
    "poitiers-lieu-12": 0.9,
    "poitiers-lieu-13": 1.6,
}
MOVE = datetime.date(2022, 9, 1)
# Quieter months (holidays), busier ones (tax returns in spring, back to school).
MONTH_FACTOR = {
    1: 0.9,
    2: 0.9,
    3: 1.1,
    4: 1.2,
    5: 1.3,
    6: 1.0,
    7: 0.6,
    8: 0.3,
    9: 1.1,
    10: 1.2,
    11: 1.1,
    12: 0.7,
}

THEMES = [
    (Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES, 30),
    (Thematique.EMAIL, 16),
    (Thematique.PRENDRE_EN_MAIN_DU_MATERIEL, 14),
    (Thematique.NAVIGATION_SUR_INTERNET, 7),
    (Thematique.GERE_SES_CONTENUS_NUMERIQUES, 6),
    (Thematique.SANTE, 6),
    (Thematique.BANQUE_ET_ACHATS_EN_LIGNE, 5),
    (Thematique.SECURITE_NUMERIQUE, 4),
    (Thematique.INSERTION_PROFESSIONNELLE, 4),
    (Thematique.RESEAUX_SOCIAUX, 3),
    (Thematique.BUREAUTIQUE, 2),
    (Thematique.PARENTALITE, 1),
    (Thematique.SCOLARITE_ET_NUMERIQUE, 1),
    (Thematique.MAINTENANCE_DE_MATERIEL, 1),
]
DEMARCHES = [
    (ThematiqueDemarche.ARGENT_IMPOTS, 22),
    (ThematiqueDemarche.SOCIAL_SANTE, 22),
    (ThematiqueDemarche.PAPIERS_ELECTIONS_CITOYENNETE, 15),
    (ThematiqueDemarche.TRAVAIL_FORMATION, 12),
    (ThematiqueDemarche.LOGEMENT, 10),
    (ThematiqueDemarche.FAMILLE_SCOLARITE, 8),
    (ThematiqueDemarche.TRANSPORTS_MOBILITE, 5),
    (ThematiqueDemarche.ETRANGERS_EUROPE, 6),
]
DEMARCHE_NAMES = {
    ThematiqueDemarche.ARGENT_IMPOTS: "Déclaration de revenus",
    ThematiqueDemarche.SOCIAL_SANTE: "Compte ameli",
    ThematiqueDemarche.PAPIERS_ELECTIONS_CITOYENNETE: "Carte d'identité (pré-demande ANTS)",
    ThematiqueDemarche.TRAVAIL_FORMATION: "Actualisation France Travail",
    ThematiqueDemarche.LOGEMENT: "Demande d'aide au logement (CAF)",
    ThematiqueDemarche.FAMILLE_SCOLARITE: "Inscription à la cantine",
}
AGES = [
    (TrancheAge.DE_18_A_24, 4),
    (TrancheAge.DE_25_A_39, 10),
    (TrancheAge.DE_40_A_59, 20),
    (TrancheAge.DE_60_A_69, 25),
    (TrancheAge.PLUS_DE_70, 33),
    (TrancheAge.NON_COMMUNIQUE, 8),
]
GENRES = [(Genre.FEMININ, 58), (Genre.MASCULIN, 38), (Genre.NON_COMMUNIQUE, 4)]
DURATIONS = [(15, 8), (30, 34), (45, 26), (60, 22), (90, 7), (120, 3)]
SATISFACTIONS = [
    (Satisfaction.TRES_SATISFAIT, 52),
    (Satisfaction.SATISFAIT, 30),
    (Satisfaction.PEU_SATISFAIT, 4),
    (Satisfaction.PAS_DU_TOUT_SATISFAIT, 1),
    ("", 13),
]
SOURCES = [
    (SourceConnaissance.BOUCHE_A_OREILLE, 30),
    (SourceConnaissance.PARTENAIRE, 25),
    (SourceConnaissance.MEDIATHEQUE, 15),
    (SourceConnaissance.AFFICHE, 10),
    (SourceConnaissance.SITE_VILLE, 8),
    (SourceConnaissance.AUTRE, 4),
    ("", 8),
]
MATERIELS = [
    (Materiel.TELEPHONE, 45),
    (Materiel.ORDINATEUR, 35),
    (Materiel.TABLETTE, 10),
    (Materiel.AUCUN, 10),
]
AUTONOMIES = [
    (Autonomie.ENTIEREMENT_ACCOMPAGNE, 50),
    (Autonomie.PARTIELLEMENT_AUTONOME, 35),
    (Autonomie.AUTONOME, 15),
]
REDIRECTIONS = [
    (StructureRedirection.AIDE_AUX_DEMARCHES, 30),
    (StructureRedirection.AIDE_SOCIALE, 25),
    (StructureRedirection.OPERATEUR, 20),
    (StructureRedirection.ADMINISTRATION, 15),
    (StructureRedirection.INSERTION_PROFESSIONNELLE, 10),
]
WORKSHOP_TITLES = [
    "Découvrir sa boîte mail",
    "Prendre en main son smartphone",
    "Faire ses démarches en ligne en sécurité",
    "Naviguer sur internet",
]
FIRST_NAMES = [
    "Jeannine", "Michel", "Monique", "Gérard", "Fatima", "Bernard", "Josiane", "Alain", "Nadia",
    "Christian", "Odile", "Mohamed", "Colette", "Daniel", "Yvette", "Karim", "Simone", "Patrick",
    "Aïcha", "Roger", "Huguette", "Mamadou", "Lucienne", "Jacques", "Sylvie", "Ahmed", "Denise",
    "Thierry", "Martine", "Youssef",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert", "Bonnet",
    "Francois", "Martinez", "Benali", "Diallo", "Traoré", "Nguyen", "Rousseau", "Blanc",
]  # fmt: skip


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _sessions(permanences):
    """Every (permanence, day) of 2022 on which a demo desk was open, with its expected visits."""
    sessions = []
    day = datetime.date(YEAR, 1, 3)
    end = datetime.date(YEAR, 12, 23)
    while day <= end:
        for p in permanences:
            if p.weekday != day.weekday() or day < p.valid_from:
                continue
            if p.valid_until and day > p.valid_until:
                continue
            table = BEFORE_MOVE if day < MOVE else AFTER_MOVE
            weight = table.get(p.lieu.identifiant, 0) * MONTH_FACTOR[day.month]
            if weight:
                sessions.append((day, p, weight))
        day += datetime.timedelta(days=1)
    return sessions


def _band_birth_year(rng, band):
    spans = {
        TrancheAge.DE_18_A_24: (18, 24),
        TrancheAge.DE_25_A_39: (25, 39),
        TrancheAge.DE_40_A_59: (40, 59),
        TrancheAge.DE_60_A_69: (60, 69),
        TrancheAge.PLUS_DE_70: (70, 88),
    }
    low, high = spans.get(band, (40, 70))
    # Ages at the time of the visit (2022); the band then moves with time, as it should.
    return YEAR - rng.randint(low, high)


def _statut(rng, band):
    if band in (TrancheAge.DE_60_A_69, TrancheAge.PLUS_DE_70):
        return _pick(rng, [(StatutSocial.RETRAITE, 85), (StatutSocial.SANS_EMPLOI, 10),
                           (StatutSocial.NON_COMMUNIQUE, 5)])  # fmt: skip
    if band == TrancheAge.DE_18_A_24:
        return _pick(rng, [(StatutSocial.SCOLARISE, 40), (StatutSocial.SANS_EMPLOI, 40),
                           (StatutSocial.EN_EMPLOI, 20)])  # fmt: skip
    return _pick(rng, [(StatutSocial.SANS_EMPLOI, 50), (StatutSocial.EN_EMPLOI, 35),
                       (StatutSocial.NON_COMMUNIQUE, 15)])  # fmt: skip


def _new_usager(rng, *, lieu, quartiers, identified, day, n):
    band = _pick(rng, AGES)
    roll = rng.random()
    quartier = lieu.quartier if roll < 0.6 else (rng.choice(quartiers) if roll < 0.9 else None)
    usager = Usager(
        genre=_pick(rng, GENRES),
        tranche_age=band,
        statut_social=_statut(rng, band),
        quartier=quartier,
        commune="Poitiers" if quartier else "",
        last_seen_on=day,
    )
    if identified:
        usager.first_name = rng.choice(FIRST_NAMES)
        usager.last_name = rng.choice(LAST_NAMES)
        usager.phone = f"06 00 {n // 100 % 100:02d} {n % 100:02d} {rng.randint(10, 99)}"
        usager.birth_year = _band_birth_year(rng, band)
        usager.tranche_age = TrancheAge.NON_COMMUNIQUE
        usager.consent_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    return usager


def _activity(rng, *, day, permanence, conseiller, individual=True):
    themes = {_pick(rng, THEMES)}
    if rng.random() < 0.3:
        themes.add(_pick(rng, THEMES))
    themes = sorted(themes)
    demarches, nom = [], ""
    if Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES in themes:
        demarches = [_pick(rng, DEMARCHES)]
        nom = DEMARCHE_NAMES.get(demarches[0], "")
    redirige = individual and rng.random() < 0.12
    return Mediation(
        date=day,
        conseiller=conseiller,
        type_activite=TypeActivite.INDIVIDUEL if individual else TypeActivite.COLLECTIF,
        type_lieu=TypeLieu.LIEU_ACTIVITE,
        lieu=permanence.lieu,
        permanence=permanence,
        duree_minutes=_pick(rng, DURATIONS) if individual else 120,
        thematiques=themes,
        thematiques_demarche=demarches,
        nom_demarche=nom,
        materiel=[_pick(rng, MATERIELS)],
        autonomie=_pick(rng, AUTONOMIES) if individual else "",
        redirige=redirige,
        structure_redirection=_pick(rng, REDIRECTIONS) if redirige else "",
        satisfaction=_pick(rng, SATISFACTIONS),
        source_connaissance=_pick(rng, SOURCES),
        source_donnee=DEMO_SOURCE,
    )


def load(stdout):
    if Mediation.objects.filter(source_donnee=DEMO_SOURCE).exists():
        stdout.write("Médiations de démonstration : déjà présentes.")
        return
    permanences = list(
        Permanence.objects.filter(lieu__identifiant__startswith="poitiers-lieu-", is_one_off=False)
        .select_related("lieu", "lieu__quartier")
        .prefetch_related("conseillers")
        .order_by("pk")
    )
    demo_conseillers = list(
        User.objects.filter(role=Role.CONSEILLER, email__endswith="@demo.example").order_by("pk")
    )
    if not permanences or not demo_conseillers:
        stdout.write(
            "Médiations de démonstration : pas de permanence ou de conseiller, rien à faire."
        )
        return
    rng = random.Random(SEED)
    quartiers = list(Quartier.objects.order_by("pk"))
    sessions = _sessions(permanences)
    weights = [w for _d, _p, w in sessions]

    def conseiller_of(permanence):
        assigned = list(permanence.conseillers.all())
        return assigned[0] if assigned else demo_conseillers[permanence.pk % len(demo_conseillers)]

    individual_slots = TOTAL - WORKSHOPS * WORKSHOP_SIZE
    chosen = rng.choices(range(len(sessions)), weights=weights, k=individual_slots)
    chosen.sort(key=lambda i: (sessions[i][0], i))
    # Which individual visits are returns (by identified people) and who is identified.
    returning = set(rng.sample(range(40, individual_slots), TOTAL - UNIQUE - 0))
    new_positions = [i for i in range(individual_slots) if i not in returning]
    identified = set(rng.sample(new_positions[1:], IDENTIFIED - 1)) | {new_positions[0]}

    mediations, people_of, usagers = [], [], []
    seen_at = defaultdict(list)  # lieu id -> identified usagers already helped there
    seen = []
    for position, index in enumerate(chosen):
        day, permanence, _w = sessions[index]
        mediation = _activity(
            rng, day=day, permanence=permanence, conseiller=conseiller_of(permanence)
        )
        if position in returning:
            local = seen_at[permanence.lieu_id]
            person = rng.choice(local if local and rng.random() < 0.75 else seen)
            person.last_seen_on = max(person.last_seen_on, day)
            mediation.premiere_visite = False
        else:
            person = _new_usager(
                rng,
                lieu=permanence.lieu,
                quartiers=quartiers,
                identified=position in identified,
                day=day,
                n=position,
            )
            usagers.append(person)
            mediation.premiere_visite = True
            if person.consent_at:
                seen.append(person)
                seen_at[permanence.lieu_id].append(person)
        mediations.append(mediation)
        people_of.append([person])

    busy = [i for i, (_d, p, _w) in enumerate(sessions) if p.lieu.identifiant in (
        "poitiers-lieu-01", "poitiers-lieu-09", "poitiers-lieu-10", "poitiers-lieu-11")]  # fmt: skip
    for n, index in enumerate(sorted(rng.sample(busy, WORKSHOPS))):
        day, permanence, _w = sessions[index]
        mediation = _activity(
            rng,
            day=day,
            permanence=permanence,
            conseiller=conseiller_of(permanence),
            individual=False,
        )
        mediation.titre_atelier = WORKSHOP_TITLES[n % len(WORKSHOP_TITLES)]
        mediation.niveau_atelier = "debutant"
        participants = [
            _new_usager(
                rng, lieu=permanence.lieu, quartiers=quartiers, identified=False, day=day, n=0
            )
            for _ in range(WORKSHOP_SIZE)
        ]
        usagers += participants
        mediations.append(mediation)
        people_of.append(participants)

    Usager.objects.bulk_create(usagers, batch_size=500)
    Mediation.objects.bulk_create(mediations, batch_size=500)
    Accompagnement.objects.bulk_create(
        [
            Accompagnement(mediation=m, usager=u)
            for m, people in zip(mediations, people_of, strict=True)
            for u in people
        ],
        batch_size=1000,
    )
    through = Usager.conseillers.through
    links = {
        (u.pk, m.conseiller_id)
        for m, people in zip(mediations, people_of, strict=True)
        for u in people
    }
    through.objects.bulk_create(
        [through(usager_id=u, user_id=c) for u, c in sorted(links)], batch_size=1000
    )
    stdout.write(
        f"Médiations de démonstration : {len(mediations)} activités, "
        f"{sum(len(p) for p in people_of)} accompagnements, {len(usagers)} usagers."
    )
