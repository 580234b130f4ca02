"""The usager pages: list and search, the record (audited when identified), merge, export, anonymise."""

import json

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent, Usager
from tests.factories import UsagerFactory, UserFactory

from .factories import MediationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conseiller():
    return UserFactory(conseiller=True)


@pytest.fixture
def mine(conseiller):
    usager = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo")
    MediationFactory(conseiller=conseiller, usagers=[usager])
    return usager


@pytest.fixture
def someone_elses():
    usager = UsagerFactory(identified=True, first_name="Paul", last_name="Durand")
    MediationFactory(usagers=[usager])
    return usager


def _url(name, usager):
    return reverse(f"permanences:{name}", kwargs={"pk": usager.pk})


def test_a_conseiller_lists_only_the_usagers_they_helped(
    client_for, conseiller, mine, someone_elses
):
    page = client_for(conseiller).get(reverse("permanences:usager_list")).content.decode()
    assert "Awa Diallo" in page and "Paul Durand" not in page


def test_the_coordinator_lists_everyone_and_searches(client_for, users, mine, someone_elses):
    client = client_for(users[Role.COORDINATEUR])
    page = client.get(reverse("permanences:usager_list")).content.decode()
    assert "Awa Diallo" in page and "Paul Durand" in page
    page = client.get(reverse("permanences:usager_list"), {"q": "dura"}).content.decode()
    assert "Paul Durand" in page and "Awa Diallo" not in page
    page = client.get(reverse("permanences:usager_list"), {"q": f"n°{mine.pk}"}).content.decode()
    assert "Awa Diallo" in page and "Paul Durand" not in page


def test_the_list_shows_anonymous_records_on_request(client_for, conseiller, mine):
    anonymous = UsagerFactory()
    MediationFactory(conseiller=conseiller, usagers=[anonymous])
    client = client_for(conseiller)
    default = client.get(reverse("permanences:usager_list")).content.decode()
    assert f"Usager anonyme n°{anonymous.pk}" not in default
    anonymous_page = client.get(
        reverse("permanences:usager_list"), {"identification": "anonymes"}
    ).content.decode()
    # The identified record's name ("Awa" alone once matched the page's random CSRF token).
    assert f"Usager anonyme n°{anonymous.pk}" in anonymous_page
    assert "Awa Diallo" not in anonymous_page


def test_the_lists_query_count_stays_flat(client_for, users, django_assert_max_num_queries):
    client = client_for(users[Role.COORDINATEUR])
    for _ in range(3):
        MediationFactory(usagers=[UsagerFactory(identified=True)])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("permanences:usager_list"))
    for _ in range(20):
        MediationFactory(usagers=[UsagerFactory(identified=True)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("permanences:usager_list"))


def test_viewing_an_identified_usager_is_audited(client_for, conseiller, mine):
    page = client_for(conseiller).get(_url("usager_detail", mine)).content.decode()
    assert "Awa" in page and "Consentement recueilli le" in page
    assert "Historique des médiations" in page and "E-mail" in page
    event = AuditEvent.objects.for_object(mine).get(action="kernel.usager.viewed")
    assert event.actor == conseiller


def test_a_conseiller_is_told_how_many_visits_by_others_are_not_shown(
    client_for, users, conseiller, mine
):
    url = _url("usager_detail", mine)
    assert "pas affiché" not in client_for(conseiller).get(url).content.decode()
    MediationFactory(usagers=[mine])
    page = client_for(conseiller).get(url).content.decode()
    assert "Un autre accompagnement, par un autre conseiller, n’est pas affiché ici." in page
    MediationFactory(usagers=[mine])
    page = client_for(conseiller).get(url).content.decode()
    assert "2 autres accompagnements, par d’autres conseillers, ne sont pas affichés ici." in page
    everything = client_for(users[Role.COORDINATEUR]).get(url).content.decode()
    assert "pas affiché" not in everything


def test_viewing_an_anonymous_usager_is_not_audited(client_for, conseiller):
    anonymous = UsagerFactory(genre="feminin")
    MediationFactory(conseiller=conseiller, usagers=[anonymous])
    page = client_for(conseiller).get(_url("usager_detail", anonymous)).content.decode()
    assert "Féminin" in page and "Identité" not in page
    assert not AuditEvent.objects.for_object(anonymous).filter(action__endswith="viewed").exists()


def test_a_conseiller_cannot_open_someone_elses_usager(client_for, conseiller, someone_elses):
    client = client_for(conseiller)
    for name in (
        "usager_detail",
        "usager_merge",
        "usager_export_json",
        "usager_export_print",
        "usager_anonymise",
    ):
        assert client.get(_url(name, someone_elses)).status_code == 404, name


def test_it_merges_through_the_pages(client_for, conseiller, mine):
    double = UsagerFactory(identified=True, first_name="Awa", last_name="Dialo", phone="0612")
    MediationFactory(conseiller=conseiller, usagers=[double])
    client = client_for(conseiller)
    search = client.get(_url("usager_merge", mine), {"q": "dialo"}).content.decode()
    assert f"?autre={double.pk}" in search
    compare = client.get(_url("usager_merge", mine), {"autre": double.pk}).content.decode()
    assert "Après la fusion" in compare and "0612" in compare

    refused = client.post(_url("usager_merge", mine), {"autre": double.pk})
    assert "Cochez la case pour confirmer la fusion." in refused.content.decode()
    response = client.post(_url("usager_merge", mine), {"autre": double.pk, "confirmation": "on"})
    assert response["Location"] == _url("usager_detail", mine)
    double.refresh_from_db()
    assert double.merged_into == mine and mine.accompagnements.count() == 2
    # The old record's address leads to the kept one.
    assert client.get(_url("usager_detail", double))["Location"] == _url("usager_detail", mine)


def test_a_conseiller_cannot_merge_with_a_usager_they_never_helped(
    client_for, conseiller, mine, someone_elses
):
    response = client_for(conseiller).post(
        _url("usager_merge", mine), {"autre": someone_elses.pk, "confirmation": "on"}
    )
    assert response.status_code == 200
    assert "vous n’y avez pas accès" in response.content.decode()
    someone_elses.refresh_from_db()
    assert someone_elses.merged_into is None


def test_it_exports_the_persons_data_as_json(client_for, conseiller, mine):
    response = client_for(conseiller).get(_url("usager_export_json", mine))
    assert response["Content-Type"] == "application/json"
    assert f"usager-{mine.pk}-" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["usager"]["nom"] == "Diallo" and len(data["accompagnements"]) == 1
    assert AuditEvent.objects.for_object(mine).filter(action="kernel.usager.exported").exists()


def test_it_shows_a_printable_page(client_for, users, mine):
    page = client_for(users[Role.COORDINATEUR]).get(_url("usager_export_print", mine))
    content = page.content.decode()
    assert "Données détenues sur Awa Diallo" in content and "data-print>Imprimer" in content


def test_it_anonymises_after_confirmation(client_for, conseiller, mine):
    client = client_for(conseiller)
    assert (
        "Anonymiser définitivement" in client.get(_url("usager_anonymise", mine)).content.decode()
    )
    refused = client.post(_url("usager_anonymise", mine), {})
    assert "Cochez la case" in refused.content.decode()
    assert Usager.objects.get(pk=mine.pk).is_identified
    response = client.post(_url("usager_anonymise", mine), {"confirmation": "on"}, follow=True)
    assert "seules les données statistiques sont conservées" in response.content.decode()
    mine.refresh_from_db()
    assert not mine.is_identified and mine.last_name == ""
    assert AuditEvent.objects.for_object(mine).get(action="kernel.usager.anonymised").actor == (
        conseiller
    )


def test_the_coordinator_deletes_a_person_on_request(client_for, users, conseiller, mine):
    from permanences.enums import TypeActivite
    from permanences.models import Accompagnement, Mediation

    other = UsagerFactory()
    workshop = MediationFactory(
        conseiller=conseiller, type_activite=TypeActivite.COLLECTIF, usagers=[mine, other]
    )
    duplicate = UsagerFactory(merged_into=mine)
    client = client_for(users[Role.COORDINATEUR])
    assert _url("usager_delete", mine) in client.get(_url("usager_detail", mine)).content.decode()
    page = client.get(_url("usager_delete", mine))
    assert "2 participations" in page.content.decode()

    refused = client.post(_url("usager_delete", mine), {})
    assert "Cochez la case pour confirmer la suppression" in refused.content.decode()
    assert Usager.objects.filter(pk=mine.pk).exists()

    response = client.post(_url("usager_delete", mine), {"confirmation": "on"}, follow=True)
    assert "supprimée, avec 2 participation(s)" in response.content.decode()
    assert not Usager.objects.filter(pk__in=[mine.pk, duplicate.pk]).exists()
    # Their individual médiation went with them; the workshop keeps its other participant.
    assert list(Mediation.objects.values_list("pk", flat=True)) == [workshop.pk]
    assert list(Accompagnement.objects.values_list("usager_id", flat=True)) == [other.pk]
    event = AuditEvent.objects.get(action="kernel.usager.deleted")
    assert event.changes == {"accompagnements": 2, "mediations": 1, "fiches": 2}
    assert "Diallo" not in json.dumps(event.changes)


def test_a_conseiller_anonymises_but_cannot_delete(client_for, conseiller, mine):
    client = client_for(conseiller)
    detail = client.get(_url("usager_detail", mine)).content.decode()
    assert _url("usager_anonymise", mine) in detail
    assert _url("usager_delete", mine) not in detail
    assert client.post(_url("usager_delete", mine), {"confirmation": "on"}).status_code == 403
    assert Usager.objects.filter(pk=mine.pk).exists()
