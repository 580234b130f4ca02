"""Demo médiations of the current year up to today, so that the pages show work of today: every
open drop-in of this year has its visitors, and today's drop-ins a few médiations already logged.

When no drop-in is open today (a Sunday, a public holiday, a closure), an extra one-off drop-in
is opened today at the tiers-lieu, so that the attendance page and "Mon activité" always have
today's entries. Each (drop-in, day) is filled once, with a generator seeded by the day and the
drop-in: running the demo twice the same day changes nothing, a later day adds the days since.
Nothing is written in 2022, whose figures are the city's published ones (demo_activity.py).
"""

import datetime
import random

from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager, User
from reseau.models import Lieu, Quartier

from . import booking
from .demo_activity import MONTH_FACTOR, _activity, _new_usager
from .enums import ModePermanence
from .models import Accompagnement, Mediation, Permanence

SOURCE = "Démonstration (année en cours)"
FIRST_DAY = datetime.date(2023, 1, 1)  # the published year stays as published
# Visitors expected per opening this year, by place; today's drop-ins have at least TODAY_MIN.
VISITS = {
    "poitiers-lieu-01": 1.2,
    "poitiers-lieu-06": 1.0,
    "poitiers-lieu-09": 2.0,
    "poitiers-lieu-10": 1.8,
    "poitiers-lieu-11": 1.4,
    "poitiers-lieu-13": 1.0,
}
OTHER_PLACES = 0.4
TODAY_MIN = 3
EXTRA_LIEU = "poitiers-lieu-13"
RETURNING = 0.3  # share of the visits made by a person already helped (identified)


def _visits(rng, occurrence, today) -> int:
    if occurrence.date == today:
        return TODAY_MIN + rng.randint(0, 1)
    expected = VISITS.get(occurrence.permanence.lieu.identifiant, OTHER_PLACES)
    expected *= MONTH_FACTOR[occurrence.date.month]
    whole = int(expected)
    return whole + (rng.random() < expected - whole)


def _open_today(permanences, today) -> bool:
    return any(not o.closed for o in booking.occurrences(permanences, today, today))


def _extra_today(today, conseiller):
    """A one-off drop-in today, when none of the regular ones is open."""
    lieu = Lieu.objects.get(identifiant=EXTRA_LIEU)
    permanence, created = Permanence.objects.get_or_create(
        lieu=lieu,
        is_one_off=True,
        valid_from=today,
        defaults={
            "weekday": today.weekday(),
            "start_time": datetime.time(10),
            "end_time": datetime.time(12, 30),
            "valid_until": today,
            "mode": ModePermanence.SANS_RDV,
        },
    )
    if created:
        permanence.conseillers.set([conseiller])
    return permanence


def load(stdout, today=None):
    today = today or timezone.localdate()
    start = max(datetime.date(today.year, 1, 1), FIRST_DAY)
    conseillers = list(
        User.objects.filter(role=Role.CONSEILLER, email__endswith="@demo.example").order_by("pk")
    )
    regular = list(
        Permanence.objects.filter(
            lieu__identifiant__startswith="poitiers-lieu-",
            is_one_off=False,
            lieu__archived_at__isnull=True,
        )
        .select_related("lieu", "lieu__quartier")
        .prefetch_related("conseillers")
        .order_by("pk")
    )
    if not regular or not conseillers or today < start:
        stdout.write("Médiations de l'année en cours : rien à faire.")
        return
    permanences = regular
    if not _open_today(regular, today):
        permanences = [*regular, _extra_today(today, conseillers[0])]
    done = set(
        Mediation.objects.filter(source_donnee=SOURCE, date__gte=start).values_list(
            "permanence_id", "date"
        )
    )
    quartiers = list(Quartier.objects.order_by("pk"))
    known = list(Usager.objects.identified().order_by("pk")[:200])
    mediations, people_of, new_people, returned = [], [], [], {}
    for occurrence in booking.occurrences(permanences, start, today):
        permanence, day = occurrence.permanence, occurrence.date
        if occurrence.closed or (permanence.pk, day) in done:
            continue
        rng = random.Random(f"{day.isoformat()}/{permanence.pk}")
        assigned = list(permanence.conseillers.all())
        conseiller = assigned[0] if assigned else conseillers[permanence.pk % len(conseillers)]
        for _ in range(_visits(rng, occurrence, today)):
            mediation = _activity(rng, day=day, permanence=permanence, conseiller=conseiller)
            mediation.source_donnee = SOURCE
            if known and rng.random() < RETURNING:
                person = rng.choice(known)
                returned[person.pk] = person
                person.last_seen_on = max(person.last_seen_on or day, day)
                mediation.premiere_visite = False
            else:
                person = _new_usager(
                    rng, lieu=permanence.lieu, quartiers=quartiers, identified=False, day=day, n=0
                )
                new_people.append(person)
                mediation.premiere_visite = True
            mediations.append(mediation)
            people_of.append(person)
    Usager.objects.bulk_create(new_people, batch_size=500)
    Usager.objects.bulk_update(list(returned.values()), ["last_seen_on"], batch_size=500)
    Mediation.objects.bulk_create(mediations, batch_size=500)
    Accompagnement.objects.bulk_create(
        [Accompagnement(mediation=m, usager=u) for m, u in zip(mediations, people_of, strict=True)],
        batch_size=1000,
    )
    through = Usager.conseillers.through
    links = {(u.pk, m.conseiller_id) for m, u in zip(mediations, people_of, strict=True)}
    links -= set(
        through.objects.filter(usager_id__in=[u for u, _c in links]).values_list(
            "usager_id", "user_id"
        )
    )
    through.objects.bulk_create(
        [through(usager_id=u, user_id=c) for u, c in sorted(links)], batch_size=1000
    )
    stdout.write(
        f"Médiations de l'année en cours : {len(mediations)} ajoutée(s) jusqu'au "
        f"{today:%d/%m/%Y}, dont {sum(m.date == today for m in mediations)} aujourd'hui."
    )
