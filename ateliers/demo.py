"""Demo workshops: 17 sessions held in 2022 for 40 unique participants (the city's published
figures), a few upcoming sessions for the public programme, a cancelled one.

15 of the 40 participants are people also helped at the drop-ins (identified demo usagers of
the médiation log), 25 came to the workshops only; each participant was present at least once.
Deterministic (seeded); does nothing when the demo parcours already exist.
"""

import datetime
import random

from django.utils import timezone

from poitiers_inclusion.enums import Genre, Role, StatutSocial
from poitiers_inclusion.models import Usager, User
from reseau.models import Lieu

from .enums import Niveau, Origine, Presence, StatutInscription
from .models import Inscription, Module, Parcours, Seance

SEED = 2022
SESSIONS_2022 = 17
PARTICIPANTS = 40
ALSO_AT_DROP_INS = 15
PLACES = 7

PARCOURS = [
    (
        "Premiers pas avec le numérique",
        "Cinq ateliers de deux heures pour prendre confiance, à suivre dans l'ordre.",
        [
            ("Découvrir l'ordinateur", Niveau.DEBUTANT, ["5.2", "3.1"]),
            ("Naviguer sur internet", Niveau.DEBUTANT, ["1.1"]),
            ("Créer et gérer sa boîte mail", Niveau.DEBUTANT, ["2.1"]),
            ("Faire ses démarches en ligne", Niveau.INTERMEDIAIRE, ["2.4", "4.2"]),
            ("Sécuriser ses comptes", Niveau.INTERMEDIAIRE, ["4.1", "4.2"]),
        ],
    ),
    (
        "Le smartphone au quotidien",
        "Trois ateliers pour apprivoiser son téléphone.",
        [
            ("Prendre en main son smartphone", Niveau.DEBUTANT, ["5.2"]),
            ("Photos, messages et appels vidéo", Niveau.DEBUTANT, ["2.1", "3.2"]),
            ("Les applications utiles", Niveau.INTERMEDIAIRE, ["2.4", "1.1"]),
        ],
    ),
]
# Where the workshops take place (demo lieux): the médiathèque's room and two associations.
LIEUX = ["poitiers-lieu-01", "poitiers-lieu-09", "poitiers-lieu-11"]
FIRST_NAMES = ["Yvette", "Mohamed", "Josiane", "Karim", "Odile", "Thierry", "Aïcha", "Gérard",
               "Fatima", "Bernard", "Léa", "Mamadou", "Monique", "Samir", "Colette"]  # fmt: skip
LAST_NAMES = ["Girard", "Benali", "Renaud", "Diallo", "Fontaine", "Chevalier", "Haddad", "Roussel",
              "Traoré", "Gauthier", "Perrin", "Nguyen"]  # fmt: skip


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _modules():
    modules = []
    for order, (nom, description, items) in enumerate(PARCOURS):
        parcours = Parcours.objects.create(nom=nom, description=description, ordre=order)
        for rank, (titre, niveau, competences) in enumerate(items):
            modules.append(
                Module.objects.create(
                    parcours=parcours,
                    titre=titre,
                    niveau=niveau,
                    competences_pix=competences,
                    ordre=rank,
                    description=f"Atelier de deux heures, niveau {niveau.label.lower()}.",
                )
            )
    return modules


def _people(rng) -> list[Usager]:
    """15 identified people of the drop-ins, then 25 new ones who consented at registration."""
    known = list(
        Usager.objects.identified().filter(accompagnements__isnull=False).distinct().order_by("pk")
    )
    people = rng.sample(known, min(ALSO_AT_DROP_INS, len(known)))
    for n in range(PARTICIPANTS - len(people)):
        year = rng.choice([1948, 1952, 1957, 1961, 1966, 1972, 1980, 1995])
        people.append(
            Usager.objects.create(
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                phone=f"06 10 {n:02d} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                birth_year=year,
                genre=rng.choice([Genre.FEMININ, Genre.FEMININ, Genre.MASCULIN]),
                statut_social=StatutSocial.RETRAITE if year < 1962 else StatutSocial.SANS_EMPLOI,
                commune="Poitiers",
                consent_at=_at(datetime.date(2022, 1, 10)),
            )
        )
    return people


def load(stdout):
    if Parcours.objects.filter(nom=PARCOURS[0][0]).exists():
        stdout.write("Ateliers de démonstration : déjà présents.")
        return
    lieux = list(Lieu.objects.filter(identifiant__in=LIEUX).order_by("identifiant"))
    conseillers = list(
        User.objects.filter(role=Role.CONSEILLER, email__endswith="@demo.example").order_by("pk")
    )
    if not lieux or not conseillers:
        stdout.write("Ateliers de démonstration : pas de lieu ou de conseiller, rien à faire.")
        return
    rng = random.Random(SEED)
    modules = _modules()
    people = _people(rng)

    # 17 sessions from February to December 2022, on Tuesdays and Thursdays afternoons.
    seances = []
    day = datetime.date(2022, 2, 1)
    for n in range(SESSIONS_2022):
        seance = Seance.objects.create(
            module=modules[n % len(modules)],
            lieu=lieux[n % len(lieux)],
            date=day,
            start_time=datetime.time(14),
            end_time=datetime.time(16),
            capacite=PLACES,
        )
        seance.animateurs.add(conseillers[n % len(conseillers)])
        seances.append(seance)
        day += datetime.timedelta(days=rng.choice([14, 16, 19, 21]))

    # Everyone gets a first session (where they are present), then the sessions fill up.
    rows = []
    registered = {s.pk: [] for s in seances}
    for n, person in enumerate(people):
        registered[seances[n % SESSIONS_2022].pk].append((person, Presence.PRESENT))
    for seance in seances:
        others = [p for p in people if p not in [q for q, _ in registered[seance.pk]]]
        while len(registered[seance.pk]) < rng.randint(4, PLACES):
            person = others.pop(rng.randrange(len(others)))
            came = Presence.PRESENT if rng.random() < 0.8 else Presence.ABSENT
            registered[seance.pk].append((person, came))
        for person, presence in registered[seance.pk]:
            rows.append(
                Inscription(
                    seance=seance,
                    usager=person,
                    statut=StatutInscription.INSCRIT,
                    presence=presence,
                    origine=rng.choice([Origine.EQUIPE, Origine.EQUIPE, Origine.PUBLIC]),
                    created_at=_at(seance.date - datetime.timedelta(days=10)),
                )
            )
        if len(registered[seance.pk]) == PLACES:  # full: someone stayed on the waiting list
            waiting = others.pop(rng.randrange(len(others)))
            rows.append(
                Inscription(
                    seance=seance,
                    usager=waiting,
                    statut=StatutInscription.ATTENTE,
                    origine=Origine.PUBLIC,
                    created_at=_at(seance.date - datetime.timedelta(days=3)),
                )
            )
    Inscription.objects.bulk_create(rows)
    last_seen = {}
    for row in rows:
        if row.presence == Presence.PRESENT:
            last_seen[row.usager_id] = max(
                last_seen.get(row.usager_id, row.seance.date), row.seance.date
            )
    for person in people:
        if (
            person.pk in last_seen
            and (person.last_seen_on or datetime.date.min) < last_seen[person.pk]
        ):
            Usager.objects.filter(pk=person.pk).update(last_seen_on=last_seen[person.pk])

    # One session cancelled in 2022 (not counted), and the coming weeks' programme.
    Seance.objects.create(
        module=modules[2],
        lieu=lieux[0],
        date=datetime.date(2022, 7, 12),
        start_time=datetime.time(14),
        end_time=datetime.time(16),
        capacite=PLACES,
        cancelled_at=_at(datetime.date(2022, 7, 5)),
        motif_annulation="Salle indisponible (travaux).",
    )
    today = timezone.localdate()
    for n in range(6):
        day = today + datetime.timedelta(days=7 * (n + 1) - today.weekday() + 1)  # Tuesdays
        seance = Seance.objects.create(
            module=modules[n % len(modules)],
            lieu=lieux[n % len(lieux)],
            date=day,
            start_time=datetime.time(14),
            end_time=datetime.time(16),
            capacite=PLACES if n else 2,
        )
        seance.animateurs.add(conseillers[n % len(conseillers)])
        if n == 0:  # the next one is already full, with someone waiting
            for person, statut in zip(
                people[:3],
                [StatutInscription.INSCRIT, StatutInscription.INSCRIT, StatutInscription.ATTENTE],
                strict=True,
            ):
                Inscription.objects.create(
                    seance=seance, usager=person, statut=statut, origine=Origine.PUBLIC
                )
    stdout.write(
        f"Ateliers de démonstration : {len(modules)} modules, {SESSIONS_2022} séances en 2022 "
        f"pour {PARTICIPANTS} participants, 6 séances à venir."
    )
