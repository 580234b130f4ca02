"""Merging two records of one person with what the other apps hold on them: each app moves its
own rows through the usager-records registry, and decides where both records hold one."""

import datetime

import pytest

from ateliers.enums import StatutInscription
from ateliers.models import Inscription
from ordinateurs.models import Demande, Foyer
from permanences.models import RendezVous
from permanences.usagers import merge_usagers
from poitiers_inclusion import usager_records
from poitiers_inclusion.models import AuditEvent, Usager
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.factories import UsagerFactory, UserFactory
from tests.ordinateurs.factories import DemandeFactory
from tests.permanences.factories import AccompagnementFactory, MediationFactory
from tests.permanences.factories_schedule import RendezVousFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conseiller():
    return UserFactory(conseiller=True)


@pytest.fixture
def twins():
    """Two records of the same person."""
    return (
        UsagerFactory(identified=True, first_name="Awa", last_name="Diallo"),
        UsagerFactory(identified=True, first_name="Awa", last_name="Diallo"),
    )


def _merge(kept, other, actor):
    merge_usagers(kept=kept, other=other, actor=actor)
    return kept


def test_both_records_in_the_same_session_with_bookings_and_household_files(twins, conseiller):
    kept, other = twins
    seance = SeanceFactory(capacite=4)
    InscriptionFactory(seance=seance, usager=kept)
    InscriptionFactory(seance=seance, usager=other, present=True)
    elsewhere = InscriptionFactory(usager=other, attente=True)
    # A booking answered by a report where both records were counted; another one waiting.
    mediation = MediationFactory(conseiller=conseiller, usagers=[kept])
    AccompagnementFactory(mediation=mediation, usager=other)
    answered = RendezVousFactory(mediation=mediation)
    waiting = RendezVousFactory()
    # Household files are pseudonymous: they name nobody, and a merge leaves them as they are.
    demande = DemandeFactory()

    _merge(kept, other, conseiller)

    live = Inscription.objects.filter(seance=seance).exclude(statut=StatutInscription.ANNULE)
    assert [(i.usager, i.presence) for i in live] == [(kept, "present")]
    elsewhere.refresh_from_db()
    assert elsewhere.usager == kept and elsewhere.statut == StatutInscription.ATTENTE
    assert not Inscription.objects.filter(usager=other).exists()
    answered.refresh_from_db()
    assert answered.mediation == mediation
    assert list(mediation.accompagnements.values_list("usager", flat=True)) == [kept.pk]
    assert RendezVous.objects.count() == 2 and RendezVous.objects.get(pk=waiting.pk).nom
    assert Foyer.objects.get() == demande.foyer and Demande.objects.get() == demande
    event = AuditEvent.objects.for_object(kept).get(action="kernel.usager.merged")
    assert event.changes["ateliers"] == {"moved": 2, "duplicates_removed": 1}


@pytest.mark.parametrize(
    ("mine", "theirs", "kept_traits"),
    [
        # Attendance noted beats a plain registration; present beats absent.
        ({}, {"present": True}, ("inscrit", "present")),
        ({"absent": True}, {"present": True}, ("inscrit", "present")),
        ({}, {"absent": True}, ("inscrit", "absent")),
        # A place beats the waiting list.
        ({"attente": True}, {}, ("inscrit", "")),
        ({}, {"attente": True}, ("inscrit", "")),
    ],
)
def test_the_most_advanced_registration_is_kept(twins, conseiller, mine, theirs, kept_traits):
    kept, other = twins
    seance = SeanceFactory(date=datetime.date.today() - datetime.timedelta(days=1))
    InscriptionFactory(seance=seance, usager=kept, **mine)
    InscriptionFactory(seance=seance, usager=other, **theirs)

    _merge(kept, other, conseiller)

    assert [(i.usager, i.statut, i.presence) for i in Inscription.objects.all()] == [
        (kept, *kept_traits)
    ]


def test_on_the_waiting_list_twice_the_earlier_place_in_line_is_kept(twins, conseiller):
    kept, other = twins
    seance = SeanceFactory(capacite=1)
    InscriptionFactory(seance=seance)
    earlier = InscriptionFactory(seance=seance, usager=other, attente=True)
    InscriptionFactory(seance=seance, attente=True)
    InscriptionFactory(seance=seance, usager=kept, attente=True)

    _merge(kept, other, conseiller)

    earlier.refresh_from_db()
    assert earlier.usager == kept and earlier.statut == StatutInscription.ATTENTE
    assert Inscription.objects.filter(usager=kept).count() == 1


def test_the_place_a_duplicate_held_goes_to_the_first_person_waiting(
    twins, conseiller, mailoutbox, django_capture_on_commit_callbacks
):
    kept, other = twins
    seance = SeanceFactory(capacite=2)
    InscriptionFactory(seance=seance, usager=kept)
    InscriptionFactory(seance=seance, usager=other)
    first = InscriptionFactory(seance=seance, attente=True, usager__email="jeanne@exemple.test")
    InscriptionFactory(seance=seance, attente=True, usager__email="paul@exemple.test")

    # The e-mail goes through the outbox, itself sent after the commit: run what the commit runs.
    with django_capture_on_commit_callbacks(execute=True):
        _merge(kept, other, conseiller)
        assert mailoutbox == []  # told once the merge is committed, not before

    first.refresh_from_db()
    assert first.statut == StatutInscription.INSCRIT and first.promoted_at is not None
    assert [m.to for m in mailoutbox] == [["jeanne@exemple.test"]]


def test_cancelled_registrations_follow_the_person(twins, conseiller):
    kept, other = twins
    seance = SeanceFactory()
    InscriptionFactory(seance=seance, usager=kept, statut=StatutInscription.ANNULE)
    InscriptionFactory(seance=seance, usager=other, statut=StatutInscription.ANNULE)
    InscriptionFactory(seance=seance, usager=other)

    _merge(kept, other, conseiller)

    assert sorted(Inscription.objects.filter(usager=kept).values_list("statut", flat=True)) == [
        "annule",
        "annule",
        "inscrit",
    ]


def test_every_model_that_points_at_a_usager_has_a_merge_hook():
    """A new app's rows on a person must not stay on a merged record (or break the merge)."""
    covered = {model for holding in usager_records.holdings() for model in holding.models}
    pointing = {
        relation.related_model
        for relation in Usager._meta.related_objects
        if not relation.many_to_many
    }
    # The kernel's own link and the médiation log's, which merge_usagers handles itself.
    from permanences.models import Accompagnement

    assert pointing - {Usager, Accompagnement} <= covered
