"""Two people racing for the last place of a session, against the real PostgreSQL."""

import pytest
from django.test import Client
from django.urls import reverse

from ateliers.enums import StatutInscription
from ateliers.models import Inscription
from tests.ateliers.factories import SeanceFactory
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_racing_for_the_last_place_one_gets_it_the_other_waits(mailoutbox):
    seance = SeanceFactory(capacite=1)
    url = reverse("ateliers:register_public", args=[seance.pk])

    def work(n):
        data = {
            "prenom": f"Personne{n}",
            "nom": "Martin",
            "telephone": f"061234567{n}",
            "email": f"personne{n}@exemple.test",
            "consent": "on",
        }
        return Client().post(url, data).status_code

    statuses = run_together(2, work)
    assert statuses == [200, 200], statuses  # both registered, never a 500
    statuts = sorted(Inscription.objects.filter(seance=seance).values_list("statut", flat=True))
    assert statuts == sorted([StatutInscription.INSCRIT, StatutInscription.ATTENTE])
    subjects = sorted(m.subject.split(" :")[0] for m in mailoutbox)
    assert subjects == ["Inscription confirmée", "Liste d'attente"]


def test_concurrent_registrations_never_exceed_the_places():
    seance = SeanceFactory(capacite=3)
    url = reverse("ateliers:register_public", args=[seance.pk])

    def work(n):
        data = {
            "prenom": f"Personne{n}",
            "nom": "Durand",
            "telephone": f"06000000{n:02d}",
            "consent": "on",
        }
        return Client().post(url, data).status_code

    statuses = run_together(8, work)
    assert statuses == [200] * 8, statuses
    live = Inscription.objects.filter(seance=seance)
    assert live.filter(statut=StatutInscription.INSCRIT).count() == 3
    assert live.filter(statut=StatutInscription.ATTENTE).count() == 5
