"""Demo drop-in schedule, as the city ran it: three desks from January 2022, then 13 places.

January 2022: the médiathèque du centre-ville and two mairies de quartier (South and North-East).
After six months some desks were busy and others nearly empty; from September 2022 the drop-ins
moved to associations and épiceries solidaires in the neighbourhoods, 13 places in all.
Then a few closures (two past, one coming), a one-off extra slot and bookings on the coming
bookable slots, so that the public page, the booking flow and the agenda have something to show.
Every record is looked up by a natural key first: running the demo twice changes nothing.
"""

import datetime

from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User
from reseau.models import Lieu

from .enums import ModePermanence, Weekday
from .models import BesoinRendezVous, Creneau, Fermeture, Permanence, RendezVous

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
    load_extras(stdout)


# (lieu identifiant or None, (lieu, weekday, start) of one permanence or None, from, to, message)
PAST_CLOSURES = [
    (
        "poitiers-lieu-01",
        None,
        datetime.date(2022, 12, 24),
        datetime.date(2023, 1, 2),
        "Fermeture de fin d'année de la médiathèque. Reprise le mardi 3 janvier.",
    ),
    (
        None,
        ("poitiers-lieu-03", Weekday.MERCREDI, "09:00"),
        datetime.date(2022, 4, 13),
        datetime.date(2022, 4, 20),
        "La conseillère est en formation : rendez-vous à la médiathèque le mardi après-midi.",
    ),
]
COMING_CLOSURE_MESSAGE = (
    "Fermé exceptionnellement (réunion d'équipe). Les autres permanences sont ouvertes."
)
ONE_OFF_LIEU = "poitiers-lieu-06"
DEMO_BOOKINGS = [  # (nom, telephone, email, besoin)
    ("Mme Bernard", "0612345601", "", BesoinRendezVous.DEMARCHES),
    ("Karim", "", "karim.demo@exemple.test", BesoinRendezVous.TELEPHONE),
    ("M. Petit", "0612345603", "m.petit.demo@exemple.test", BesoinRendezVous.ORDINATEUR),
]


def _permanence(ident, weekday, start):
    return Permanence.objects.filter(
        lieu__identifiant=ident,
        weekday=weekday,
        start_time=datetime.time.fromisoformat(start),
        is_one_off=False,
    ).first()


def _next(weekday, after):
    return after + datetime.timedelta(days=(weekday - after.weekday()) % 7 or 7)


def load_extras(stdout, today=None):
    """Closures, a one-off slot and a few bookings (relative to today for the coming ones)."""
    from . import booking

    today = today or timezone.localdate()
    for ident, slot, start, end, message in PAST_CLOSURES:
        target = (
            {"permanence": _permanence(*slot)}
            if slot
            else {"lieu": Lieu.objects.get(identifiant=ident)}
        )
        Fermeture.objects.get_or_create(
            **target, message=message, defaults={"start_date": start, "end_date": end}
        )
    wednesday = _permanence("poitiers-lieu-11", Weekday.MERCREDI, "09:30")
    if wednesday and not Fermeture.objects.filter(message=COMING_CLOSURE_MESSAGE).exists():
        day = _next(Weekday.MERCREDI, today + datetime.timedelta(days=7))
        Fermeture.objects.create(
            permanence=wednesday, start_date=day, end_date=day, message=COMING_CLOSURE_MESSAGE
        )
    lieu = Lieu.objects.get(identifiant=ONE_OFF_LIEU)
    if not Permanence.objects.filter(lieu=lieu, is_one_off=True).exists():
        day = _next(Weekday.SAMEDI, today + datetime.timedelta(days=3))
        slot = Permanence.objects.create(
            lieu=lieu,
            weekday=day.weekday(),
            start_time=datetime.time(10, 0),
            end_time=datetime.time(12, 0),
            valid_from=day,
            valid_until=day,
            is_one_off=True,
            mode=ModePermanence.SUR_RDV,
            capacity=4,
        )
        slot.conseillers.set(
            User.objects.filter(role=Role.CONSEILLER, email__endswith="@demo.example")[:1]
        )
    bookable = Permanence.objects.filter(
        mode=ModePermanence.SUR_RDV, lieu__archived_at__isnull=True
    ).order_by("pk")
    end = today + datetime.timedelta(days=14)
    created = 0
    for occurrence in booking.occurrences(bookable, today + datetime.timedelta(days=1), end):
        if occurrence.closed:
            continue
        creneau, _ = Creneau.objects.get_or_create(
            permanence=occurrence.permanence, date=occurrence.date
        )
        times = booking.slot_times(occurrence.permanence)
        for (nom, telephone, email, besoin), heure in zip(DEMO_BOOKINGS, times[::2], strict=False):
            _, was_created = RendezVous.objects.get_or_create(
                creneau=creneau,
                heure=heure,
                defaults={
                    "nom": nom,
                    "telephone": telephone,
                    "email": email,
                    "besoin": besoin,
                    "consent_at": timezone.now(),
                },
            )
            created += was_created
    stdout.write(
        f"Planning : {Fermeture.objects.count()} fermeture(s), "
        f"{Permanence.objects.filter(is_one_off=True).count()} créneau(x) ponctuel(s), "
        f"{created} rendez-vous créé(s)."
    )
