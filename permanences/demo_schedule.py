"""Demo drop-in schedule, as the city ran it: three desks from January 2022, then 13 places.

January 2022: the médiathèque du centre-ville and two mairies de quartier (South and North-East).
After six months some desks were busy and others nearly empty; from September 2022 the drop-ins
moved to associations and épiceries solidaires in the neighbourhoods, 13 places in all.
"""

import datetime

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User
from reseau.models import Lieu

from .enums import ModePermanence, Weekday
from .models import Permanence

START = datetime.date(2022, 1, 3)
MOVE = datetime.date(2022, 9, 1)

# (lieu identifiant, weekday, start, end, valid_from, valid_until, mode)
SLOTS = [
    ("poitiers-lieu-01", Weekday.MARDI, "14:00", "17:00", START, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-01", Weekday.SAMEDI, "10:00", "12:30", START, None, ModePermanence.SUR_RDV),
    ("poitiers-lieu-03", Weekday.MERCREDI, "09:00", "12:00", START, MOVE, ModePermanence.SANS_RDV),
    ("poitiers-lieu-02", Weekday.JEUDI, "14:00", "17:00", START, MOVE, ModePermanence.SANS_RDV),
    ("poitiers-lieu-02", Weekday.JEUDI, "09:30", "12:00", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-04", Weekday.LUNDI, "14:00", "16:30", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-05", Weekday.VENDREDI, "09:30", "12:00", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-06", Weekday.MERCREDI, "14:00", "17:00", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-07", Weekday.MARDI, "09:30", "12:00", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-08", Weekday.JEUDI, "14:00", "16:00", MOVE, None, ModePermanence.SUR_RDV),
    ("poitiers-lieu-09", Weekday.VENDREDI, "14:00", "16:30", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-10", Weekday.LUNDI, "09:30", "12:00", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-11", Weekday.MERCREDI, "09:30", "12:00", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-12", Weekday.MARDI, "14:00", "16:30", MOVE, None, ModePermanence.SANS_RDV),
    ("poitiers-lieu-13", Weekday.SAMEDI, "14:00", "17:00", MOVE, None, ModePermanence.SANS_RDV),
]


def load(stdout):
    conseillers = list(User.objects.filter(role=Role.CONSEILLER, email__endswith="@demo.example"))
    created = 0
    for n, (ident, weekday, start, end, since, until, mode) in enumerate(SLOTS):
        lieu = Lieu.objects.get(identifiant=ident)
        permanence, was_created = Permanence.objects.get_or_create(
            lieu=lieu,
            weekday=weekday,
            start_time=datetime.time.fromisoformat(start),
            valid_from=since,
            defaults={
                "end_time": datetime.time.fromisoformat(end),
                "valid_until": until,
                "mode": mode,
                "capacity": 6 if mode == ModePermanence.SUR_RDV else None,
            },
        )
        if was_created:
            created += 1
            if conseillers:
                permanence.conseillers.set([conseillers[n % len(conseillers)]])
    stdout.write(f"Permanences : {created} créée(s), {Permanence.objects.count()} en tout.")
