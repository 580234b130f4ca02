"""Factories of the drop-in schedule: bookable permanences, closures, slots and bookings."""

import datetime

import factory
from django.utils import timezone

from permanences.enums import ModePermanence
from permanences.models import BesoinRendezVous, Creneau, Fermeture, RendezVous
from poitiers_inclusion.holidays import holiday_name
from tests.permanences.factories import PermanenceFactory


def next_weekday(weekday: int, *, after: datetime.date | None = None, weeks: int = 1):
    """The first given weekday strictly after `after` (today by default), plus weeks - 1,
    a week later when that day is a public holiday (every permanence is closed then)."""
    after = after or timezone.localdate()
    days = (weekday - after.weekday()) % 7 or 7
    day = after + datetime.timedelta(days=days + 7 * (weeks - 1))
    while holiday_name(day):
        day += datetime.timedelta(days=7)
    return day


def booking_form(**extra):
    """What a resident posts on the public booking page (a value None: the field left out)."""
    data = {
        "heure": "14:30",
        "nom": "Jeanne Martin",
        "telephone": "06 12 34 56 78",
        "email": "jeanne@exemple.test",
        "besoin": "telephone",
        "precision": "",
        "consent": "on",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


class BookablePermanenceFactory(PermanenceFactory):
    mode = ModePermanence.SUR_RDV
    capacity = 4
    start_time = datetime.time(14, 0)
    end_time = datetime.time(16, 0)


class FermetureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fermeture

    lieu = None
    permanence = factory.SubFactory(PermanenceFactory)
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=7))
    message = "Fermé pour travaux"


class CreneauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creneau
        django_get_or_create = ("permanence", "date")

    permanence = factory.SubFactory(BookablePermanenceFactory)
    date = factory.LazyAttribute(lambda o: next_weekday(o.permanence.weekday))


class RendezVousFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RendezVous

    creneau = factory.SubFactory(CreneauFactory)
    heure = datetime.time(14, 0)
    nom = factory.Sequence(lambda n: f"Personne {n}")
    telephone = "0612345678"
    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    besoin = BesoinRendezVous.DEMARCHES
    consent_at = factory.LazyFunction(timezone.now)
