"""Editing, duplicating and deleting a report, within the rights of each role."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from permanences.enums import Thematique, TypeActivite
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion.enums import Genre, TrancheAge
from poitiers_inclusion.models import AuditEvent, Usager
from tests.factories import LieuFactory, UsagerFactory
from tests.permanences.factories import MediationFactory
from tests.permanences.factories_log import log_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def conseiller(users):
    return users["conseiller"]


@pytest.fixture
def client(conseiller, client_for):
    return client_for(conseiller)


def _log(client, **overrides):
    lieu = overrides.pop("lieu_", None) or LieuFactory()
    response = client.post(reverse("permanences:log"), log_post(lieu, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Mediation.objects.order_by("-pk").first()


def test_it_edits_the_activity_and_keeps_the_anonymous_person(client):
    mediation = _log(client, genre=Genre.MASCULIN, notes="avant")
    person = Accompagnement.objects.get(mediation=mediation).usager
    page = client.get(reverse("permanences:mediation_edit", args=[mediation.pk]))
    assert page.context["form"].initial["genre"] == Genre.MASCULIN
    response = client.post(
        reverse("permanences:mediation_edit", args=[mediation.pk]),
        log_post(
            mediation.lieu,
            notes="après",
            duree="60",
            genre=Genre.FEMININ,
            tranche_age=TrancheAge.DE_40_A_59,
            thematiques=[Thematique.SANTE],
        ),
    )
    assert response.status_code == 302
    mediation.refresh_from_db()
    assert (mediation.notes, mediation.duree_minutes, mediation.thematiques) == (
        "après",
        60,
        [Thematique.SANTE],
    )
    person.refresh_from_db()
    assert (person.genre, person.tranche_age) == (Genre.FEMININ, TrancheAge.DE_40_A_59)
    assert Usager.objects.count() == 1
    assert AuditEvent.objects.for_object(mediation).filter(action__endswith="updated").exists()
    assert AuditEvent.objects.for_object(person).filter(action="kernel.usager.updated").exists()


def test_it_replaces_the_workshop_participants_when_the_counts_change(client):
    mediation = _log(
        client, type_activite=TypeActivite.COLLECTIF, anonymes_total="4", nb_genre_feminin="4"
    )
    page = client.get(reverse("permanences:mediation_edit", args=[mediation.pk]))
    assert page.context["form"].initial["anonymes_total"] == 4
    assert page.context["form"].initial["nb_genre_feminin"] == 4
    client.post(
        reverse("permanences:mediation_edit", args=[mediation.pk]),
        log_post(
            mediation.lieu,
            type_activite=TypeActivite.COLLECTIF,
            anonymes_total="6",
            nb_genre_feminin="2",
            nb_genre_masculin="3",
        ),
    )
    assert mediation.accompagnements.count() == 6
    assert Usager.objects.count() == 6  # the 4 first anonymous records went with the old counts
    assert Usager.objects.filter(genre=Genre.MASCULIN).count() == 3


def test_it_keeps_the_workshop_participants_when_the_counts_stay(client):
    mediation = _log(
        client, type_activite=TypeActivite.COLLECTIF, anonymes_total="3", nb_genre_feminin="1"
    )
    before = set(mediation.accompagnements.values_list("usager_id", flat=True))
    client.post(
        reverse("permanences:mediation_edit", args=[mediation.pk]),
        log_post(
            mediation.lieu,
            type_activite=TypeActivite.COLLECTIF,
            anonymes_total="3",
            nb_genre_feminin="1",
            titre_atelier="Renommé",
        ),
    )
    assert set(mediation.accompagnements.values_list("usager_id", flat=True)) == before


def test_a_conseiller_cannot_touch_someone_elses_report(client):
    other = MediationFactory()
    for name in ("mediation_edit", "mediation_duplicate", "mediation_delete"):
        assert client.get(reverse(f"permanences:{name}", args=[other.pk])).status_code == 404
    response = client.post(reverse("permanences:mediation_delete", args=[other.pk]))
    assert response.status_code == 404
    assert Mediation.objects.filter(pk=other.pk).exists()


def test_the_coordinator_edits_and_deletes_any_report(users, client_for):
    coordinator = client_for(users["coordinateur"])
    other = MediationFactory(notes="x")
    response = coordinator.post(
        reverse("permanences:mediation_edit", args=[other.pk]), log_post(other.lieu, notes="vu")
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.notes == "vu"
    assert other.conseiller.role == "conseiller"  # the author stays the author
    coordinator.post(reverse("permanences:mediation_delete", args=[other.pk]))
    assert not Mediation.objects.filter(pk=other.pk).exists()


def test_deleting_a_report_removes_its_anonymous_people_but_not_identified_ones(client, conseiller):
    known = UsagerFactory(identified=True)
    known.conseillers.add(conseiller)
    mediation = _log(
        client,
        type_activite=TypeActivite.COLLECTIF,
        anonymes_total="2",
        participants=[str(known.pk)],
    )
    page = client.get(reverse("permanences:mediation_delete", args=[mediation.pk]))
    assert "3 participants" in page.content.decode()
    response = client.post(reverse("permanences:mediation_delete", args=[mediation.pk]))
    assert response.status_code == 302
    assert list(Usager.objects.all()) == [known]
    assert AuditEvent.objects.filter(action="permanences.mediation.deleted").count() == 1
    # The anonymous records too are domain records: their creation and deletion are logged.
    created = AuditEvent.objects.filter(action="kernel.usager.created", actor=conseiller)
    deleted = AuditEvent.objects.filter(action="kernel.usager.deleted", actor=conseiller)
    assert created.count() == 2 and deleted.count() == 2
    assert set(created.values_list("target_id", flat=True)) == set(
        deleted.values_list("target_id", flat=True)
    )


def test_duplicating_prefills_a_new_form_for_another_person(client, conseiller):
    known = UsagerFactory(identified=True)
    known.conseillers.add(conseiller)
    source = _log(
        client,
        date=(timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        thematiques=[Thematique.BANQUE_ET_ACHATS_EN_LIGNE],
        duree="90",
        usager_mode="existant",
        usager=str(known.pk),
    )
    page = client.get(reverse("permanences:mediation_duplicate", args=[source.pk]))
    form = page.context["form"]
    assert form.initial["thematiques"] == [Thematique.BANQUE_ET_ACHATS_EN_LIGNE]
    assert form.initial["duree"] == "90"
    assert form.initial["date"] == timezone.localdate()
    assert form.initial["usager_mode"] == "anonyme"
    assert form.initial["submission_token"] != source.submission_token
    response = client.post(
        reverse("permanences:mediation_duplicate", args=[source.pk]),
        log_post(source.lieu, thematiques=[Thematique.BANQUE_ET_ACHATS_EN_LIGNE]),
    )
    assert response.status_code == 302
    assert Mediation.objects.count() == 2
