"""The demo shows today: drop-ins open today with médiations logged, devices waiting at every step
of the workshop, households waiting, workshops and a ceremony to come; loading it twice changes
nothing. (Its 2022 figures stay the published ones: test_real_figures.py.)"""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ateliers.models import Seance
from ordinateurs import donor_certificates, services
from ordinateurs.device_path import TODO
from ordinateurs.enums import PATH, Etat, StatutDemande
from ordinateurs.models import Ceremonie, Demande, Ordinateur
from permanences import booking, demo_today
from permanences.models import Mediation, RendezVous
from poitiers_inclusion.models import User
from reseau.enums import EtatOrientation
from reseau.models import Orientation

pytestmark = pytest.mark.django_db
PROJECT_APPS = {"kernel", "reseau", "permanences", "ateliers", "ordinateurs", "reporting"}


@pytest.fixture
def demo():
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())


def _counts() -> dict:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model._meta.label != "kernel.AuditEvent"
    }


def test_a_drop_in_is_open_today_with_medations_logged(demo):
    today = timezone.localdate()
    logged = Mediation.objects.filter(date=today).select_related("permanence")
    assert logged.count() >= demo_today.TODAY_MIN
    for permanence in {m.permanence for m in logged}:
        (occurrence,) = booking.occurrences([permanence], today, today)
        assert not occurrence.closed
    # Every day of this year's activity was a day its drop-in was open.
    this_year = Mediation.objects.filter(source_donnee=demo_today.SOURCE).select_related(
        "permanence"
    )
    # (In the first days of January, the year has had few drop-ins yet.)
    assert this_year.filter(date__lt=today).count() > min(100, today.timetuple().tm_yday - 7)
    assert not this_year.filter(date__year=2022).exists()
    for m in this_year.filter(date__lt=today)[:200]:
        (occurrence,) = booking.occurrences([m.permanence], m.date, m.date)
        assert not occurrence.closed, (m.permanence, m.date)


def test_the_workshop_has_devices_at_every_step(demo, client_for):
    for etat in [etat for etat, _label in TODO] + [Etat.DISPONIBLE, Etat.RESERVE]:
        assert Ordinateur.objects.filter(etat=etat).exists(), etat
    # Each device of this year is where its evidence allows it to be.
    for device in Ordinateur.objects.filter(numero__startswith=f"PC-{timezone.localdate().year}-"):
        assert device.evenements.order_by("at", "pk").last().vers == device.etat
        if device.etat in PATH[: PATH.index(Etat.DISPONIBLE) + 1]:
            assert services.missing_for(device, device.etat) == [], device
    technicien = User.objects.get(email="technicien@demo.example")
    todo = client_for(technicien).get(reverse("ordinateurs:home")).context["todo"]
    assert [(row["label"], bool(row["rows"])) for row in todo] == [
        (label, True) for _etat, label in TODO
    ]


def test_households_wait_and_a_ceremony_is_coming(demo):
    for statut in (StatutDemande.SOUMISE, StatutDemande.LISTE_ATTENTE, StatutDemande.PROPOSEE):
        assert Demande.objects.filter(statut=statut).exists(), statut
    assert Ceremonie.objects.filter(date__gt=timezone.now()).exists()
    # The settled batches' donors already have their certificate: the job has nothing to send.
    assert donor_certificates.send_settled_certificates(dry_run=True) == 0


def test_workshops_orientations_and_bookings_are_coming(demo):
    today = timezone.localdate()
    upcoming = Seance.objects.upcoming().with_counts()
    assert any(seance.nb_attente for seance in upcoming)
    assert Orientation.objects.filter(etat=EtatOrientation.OUVERTE).exists()
    week = (today, today + datetime.timedelta(days=7))
    assert RendezVous.objects.filter(creneau__date__range=week).exists()


def test_loading_it_twice_changes_nothing(demo):
    first = _counts()
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    assert _counts() == first


def test_a_later_day_adds_the_days_since(demo):
    today = timezone.localdate()
    out = io.StringIO()
    before = Mediation.objects.filter(source_donnee=demo_today.SOURCE).count()
    Mediation.objects.filter(source_donnee=demo_today.SOURCE, date__gte=today).delete()
    removed = before - Mediation.objects.filter(source_donnee=demo_today.SOURCE).count()
    demo_today.load(out)
    assert Mediation.objects.filter(source_donnee=demo_today.SOURCE).count() == before
    assert f"{removed} ajoutée(s)" in out.getvalue()
