"""Registrations within capacity, the waiting list in order, attendance, cancellations."""

import datetime

import pytest
from django.utils import timezone

from ateliers import services
from ateliers.enums import Origine, Presence, StatutInscription
from ateliers.models import Inscription
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent, Usager
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.concurrency import run_together
from tests.factories import UsagerFactory

TODAY = timezone.localdate


@pytest.mark.django_db
class TestRegistration:
    def test_it_gives_places_until_full_then_the_waiting_list(
        self, mailoutbox, django_capture_on_commit_callbacks
    ):
        seance = SeanceFactory(capacite=2)
        with django_capture_on_commit_callbacks(execute=True):
            statuses = [
                services.register(
                    seance=seance, usager=UsagerFactory(identified=True, email=f"p{n}@ex.fr")
                ).statut
                for n in range(3)
            ]
        assert statuses == [StatutInscription.INSCRIT] * 2 + [StatutInscription.ATTENTE]
        subjects = [m.subject for m in mailoutbox]
        assert subjects[0].startswith("Inscription confirmée") and subjects[2].startswith(
            "Liste d'attente"
        )
        assert "/ateliers/inscription/" in mailoutbox[0].body  # the cancellation link

    def test_the_same_person_cannot_hold_two_registrations(self):
        seance, person = SeanceFactory(), UsagerFactory(identified=True)
        services.register(seance=seance, usager=person)
        with pytest.raises(services.InscriptionError, match="déjà inscrite"):
            services.register(seance=seance, usager=person)

    def test_a_cancelled_or_past_session_takes_nobody(self):
        past = SeanceFactory(date=TODAY() - datetime.timedelta(days=1))
        with pytest.raises(services.InscriptionError, match="passée"):
            services.register(seance=past, usager=UsagerFactory())
        cancelled = SeanceFactory(cancelled_at=timezone.now())
        with pytest.raises(services.InscriptionError, match="annulée"):
            services.register(seance=cancelled, usager=UsagerFactory())

    def test_cancelling_gives_the_place_to_the_first_waiting(
        self, mailoutbox, users, django_capture_on_commit_callbacks
    ):
        seance = SeanceFactory(capacite=1)
        first = services.register(seance=seance, usager=UsagerFactory(identified=True))
        waiting = [
            services.register(
                seance=seance, usager=UsagerFactory(identified=True, email=f"w{n}@ex.fr")
            )
            for n in range(2)
        ]
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            promoted = services.cancel(inscription=first, actor=users[Role.CONSEILLER])
        assert promoted == [waiting[0]]
        waiting[0].refresh_from_db()
        waiting[1].refresh_from_db()
        assert waiting[0].statut == StatutInscription.INSCRIT and waiting[0].promoted_at
        assert waiting[1].statut == StatutInscription.ATTENTE
        assert [m.to for m in mailoutbox] == [["w0@ex.fr"]]
        assert mailoutbox[0].subject.startswith("Une place pour vous")
        assert AuditEvent.objects.filter(action="ateliers.inscription.promoted").count() == 1

    def test_more_places_take_people_from_the_waiting_list(self):
        seance = SeanceFactory(capacite=1)
        for _ in range(3):
            services.register(seance=seance, usager=UsagerFactory(identified=True))
        promoted = services.change_capacity(seance=seance, capacite=2, actor=None)
        assert len(promoted) == 1
        assert seance.inscriptions.filter(statut=StatutInscription.INSCRIT).count() == 2

    def test_a_registration_already_pointed_cannot_be_cancelled(self, users):
        inscription = InscriptionFactory(seance=SeanceFactory(date=TODAY()), present=True)
        with pytest.raises(services.InscriptionError):
            services.cancel(inscription=inscription)


@pytest.mark.django_db
class TestAttendance:
    def test_presence_is_taken_on_the_day_and_marks_the_person_seen(self, users):
        conseiller = users[Role.CONSEILLER]
        inscription = InscriptionFactory(seance=SeanceFactory(date=TODAY()))
        services.set_presence(inscription=inscription, presence=Presence.PRESENT, actor=conseiller)
        inscription.usager.refresh_from_db()
        assert inscription.usager.last_seen_on == TODAY()
        assert conseiller in inscription.usager.conseillers.all()

    def test_presence_cannot_be_taken_before_the_session(self, users):
        inscription = InscriptionFactory()  # next week
        with pytest.raises(services.InscriptionError, match="jour de la séance"):
            services.set_presence(
                inscription=inscription, presence=Presence.PRESENT, actor=users[Role.CONSEILLER]
            )

    def test_a_walk_in_is_present_even_beyond_the_places(self, users):
        seance = SeanceFactory(date=TODAY(), capacite=1)
        InscriptionFactory(seance=seance)
        walk_in = services.add_walk_in(
            seance=seance, usager=UsagerFactory(), actor=users[Role.CONSEILLER]
        )
        assert (walk_in.origine, walk_in.statut, walk_in.presence) == (
            Origine.SUR_PLACE,
            StatutInscription.INSCRIT,
            Presence.PRESENT,
        )

    def test_cancelling_a_session_tells_everyone(
        self, mailoutbox, users, django_capture_on_commit_callbacks
    ):
        seance = SeanceFactory(capacite=1)
        for n in range(2):
            services.register(
                seance=seance, usager=UsagerFactory(identified=True, email=f"x{n}@ex.fr")
            )
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            told = services.cancel_seance(
                seance=seance, motif="Salle indisponible", actor=users[Role.COORDINATEUR]
            )
        assert told == 2 and len(mailoutbox) == 2
        assert "Salle indisponible" in mailoutbox[0].body


@pytest.mark.django_db
class TestPerson:
    def test_the_same_name_and_phone_is_the_same_person(self):
        first = services.find_or_create_person(
            first_name="Hélène", last_name="Martin", phone="06 12 34 56 78"
        )
        again = services.find_or_create_person(
            first_name="helene", last_name="MARTIN", phone="0612345678"
        )
        assert again == first and first.consent_at is not None

    def test_the_same_name_with_or_without_accents_is_the_same_person(self):
        first = services.find_or_create_person(
            first_name="Jérôme", last_name="Lefèvre", email="j.lefevre@ex.fr"
        )
        again = services.find_or_create_person(
            first_name="Jerome", last_name="Lefevre", email="J.Lefevre@ex.fr"
        )
        assert again == first

    def test_a_namesake_with_another_contact_is_someone_else(self):
        first = services.find_or_create_person(first_name="Paul", last_name="Roux", email="a@ex.fr")
        other = services.find_or_create_person(first_name="Paul", last_name="Roux", email="b@ex.fr")
        same_contact_other_name = services.find_or_create_person(
            first_name="Pierre", last_name="Roux", email="a@ex.fr"
        )
        assert len({first.pk, other.pk, same_contact_other_name.pk}) == 3
        assert Usager.objects.identified().count() == 3


@pytest.mark.django_db(transaction=True)
def test_four_people_racing_for_two_places_get_two_places_and_two_waits():
    seance = SeanceFactory(capacite=2)
    people = [UsagerFactory(identified=True) for _ in range(4)]
    outcomes = run_together(4, lambda n: services.register(seance=seance, usager=people[n]))
    assert all(isinstance(o, Inscription) for o in outcomes), outcomes
    statuses = sorted(o.statut for o in outcomes)
    assert statuses == ["attente", "attente", "inscrit", "inscrit"]
    assert seance.inscriptions.filter(statut=StatutInscription.INSCRIT).count() == 2


@pytest.mark.django_db
def test_reminders_go_once_to_the_next_two_days_registered(
    mailoutbox, django_capture_on_commit_callbacks
):
    tomorrow = SeanceFactory(date=TODAY() + datetime.timedelta(days=1))
    later = SeanceFactory(date=TODAY() + datetime.timedelta(days=5))
    InscriptionFactory(seance=tomorrow, usager=UsagerFactory(identified=True, email="a@ex.fr"))
    InscriptionFactory(
        seance=tomorrow, usager=UsagerFactory(identified=True, email="w@ex.fr"), attente=True
    )
    InscriptionFactory(seance=later, usager=UsagerFactory(identified=True, email="l@ex.fr"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(dry_run=True) == 1
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
    assert [m.to for m in mailoutbox] == [["a@ex.fr"]]
    assert mailoutbox[0].subject.startswith("Rappel")
    assert services.send_reminders() == 0  # once


@pytest.mark.django_db
def test_presence_is_refused_on_a_cancelled_session(users):
    inscription = InscriptionFactory(
        seance=SeanceFactory(date=TODAY(), cancelled_at=timezone.now())
    )
    with pytest.raises(services.InscriptionError, match="annulée"):
        services.set_presence(
            inscription=inscription, presence=Presence.PRESENT, actor=users[Role.COORDINATEUR]
        )
