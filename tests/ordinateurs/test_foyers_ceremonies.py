"""Hand-over ceremonies: preparing one (place, invited donors), its page, testimonials given
only with consent."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs.models import Ceremonie, Temoignage
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from tests.factories import LieuFactory
from tests.ordinateurs.factories import CeremonieFactory, DonateurFactory, TemoignageFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("ordinateurs:ceremonie_create")


@pytest.fixture
def coordination(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def test_it_creates_a_ceremony_with_invited_donors(coordination):
    lieu = LieuFactory(nom="Salle des fêtes")
    archived = LieuFactory(nom="Ancienne mairie annexe", archived=True)
    donors = DonateurFactory.create_batch(2)
    form = coordination.get(CREATE).context["form"]
    assert lieu in form.fields["lieu"].queryset and archived not in form.fields["lieu"].queryset
    response = coordination.post(
        CREATE,
        {
            "titre": "Remise de juin",
            "date": "2025-06-14T10:30",
            "lieu": lieu.pk,
            "donateurs": [donors[0].pk],
            "notes": "",
        },
    )
    ceremonie = Ceremonie.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ordinateurs:ceremonie_detail", args=[ceremonie.pk])
    assert list(ceremonie.donateurs.all()) == [donors[0]]
    assert f"{timezone.localtime(ceremonie.date):%d/%m/%Y %H:%M}" == "14/06/2025 10:30"
    assert AuditEvent.objects.filter(action="ordinateurs.ceremonie.created").exists()
    html = coordination.get(response["Location"]).content.decode()
    assert "Remise de juin" in html and "Salle des fêtes" in html and donors[0].nom in html


def test_errors_are_next_to_the_fields_and_input_stays(coordination):
    response = coordination.post(CREATE, {"titre": "Remise", "date": "", "lieu": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Indiquez la date" in errors["date"][0]
    assert "Choisissez le lieu" in errors["lieu"][0]
    assert 'value="Remise"' in response.content.decode()
    assert not Ceremonie.objects.exists()


def test_it_edits_a_ceremony(coordination):
    ceremonie = CeremonieFactory(titre="Remise")
    url = reverse("ordinateurs:ceremonie_edit", args=[ceremonie.pk])
    assert coordination.get(url).status_code == 200
    coordination.post(
        url,
        {"titre": "Remise de l'été", "date": "2025-07-01T18:00", "lieu": ceremonie.lieu_id},
    )
    ceremonie.refresh_from_db()
    assert ceremonie.titre == "Remise de l'été"


def test_the_list_counts_what_each_ceremony_holds(coordination):
    ceremonie = CeremonieFactory(titre="Remise d'hiver")
    TemoignageFactory.create_batch(2, ceremonie=ceremonie)
    ceremonie.donateurs.add(DonateurFactory())
    response = coordination.get(reverse("ordinateurs:ceremonie_list"))
    row = response.context["page"].object_list[0]
    assert (row.nb_temoignages, row.nb_donateurs, row.nb_remis) == (2, 1, 0)
    assert "Remise d&#x27;hiver" in response.content.decode()


def test_a_testimonial_needs_consent(coordination):
    ceremonie = CeremonieFactory()
    url = reverse("ordinateurs:temoignage_create", args=[ceremonie.pk])
    data = {"texte": "Mon fils a pu suivre ses cours.", "auteur": "Un père de famille"}
    response = coordination.post(url, data)
    assert response.status_code == 200
    assert "sans son accord" in response.context["form"].errors["consentement"][0]
    assert "Mon fils a pu suivre ses cours." in response.content.decode()
    assert not Temoignage.objects.exists()
    response = coordination.post(url, {**data, "consentement": "on"})
    assert response.status_code == 302
    temoignage = Temoignage.objects.get()
    assert temoignage.ceremonie == ceremonie and temoignage.consent_at is not None
    html = coordination.get(response["Location"]).content.decode()
    assert "Mon fils a pu suivre ses cours." in html and "Un père de famille" in html


@pytest.mark.parametrize("role", [Role.PRESCRIPTEUR, Role.TECHNICIEN, Role.CONSEILLER])
def test_ceremonies_are_for_the_coordination(role, users, client_for):
    ceremonie = CeremonieFactory()
    client = client_for(users[role])
    for url in (
        reverse("ordinateurs:ceremonie_list"),
        CREATE,
        reverse("ordinateurs:ceremonie_detail", args=[ceremonie.pk]),
        reverse("ordinateurs:ceremonie_edit", args=[ceremonie.pk]),
        reverse("ordinateurs:temoignage_create", args=[ceremonie.pk]),
    ):
        assert client.get(url).status_code == 403
