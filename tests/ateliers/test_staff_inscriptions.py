"""The team registers people, keeps the waiting list, takes attendance and notes walk-ins."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ateliers.enums import Origine, Presence, StatutInscription
from ateliers.models import Inscription
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager
from tests.factories import UsagerFactory, UserFactory

from .factories import InscriptionFactory, SeanceFactory

pytestmark = pytest.mark.django_db


def _day(offset):
    return timezone.localdate() + datetime.timedelta(days=offset)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def conseiller():
    return UserFactory(conseiller=True)


@pytest.fixture
def coordinator(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def _new_person(**extra):
    data = {
        "qui": "nouveau",
        "first_name": "  Awa ",
        "last_name": "Diallo",
        "phone": "06 12 34 56 78",
        "email": "",
        "consent": "on",
    }
    data.update(extra)
    return data


def _register(client, seance, data):
    return client.post(reverse("ateliers:seance_register", args=[seance.pk]), data)


# --- Registering --------------------------------------------------------------------------------


def test_it_registers_a_new_person_who_consents(coordinator):
    seance = SeanceFactory()
    response = _register(coordinator, seance, _new_person())
    inscription = Inscription.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#inscription-{inscription.pk}")
    usager = inscription.usager
    assert (usager.first_name, usager.last_name, usager.phone) == ("Awa", "Diallo", "+33612345678")
    assert usager.consent_at is not None
    assert inscription.statut == StatutInscription.INSCRIT
    assert inscription.origine == Origine.EQUIPE


def test_consent_and_a_contact_are_required_and_typed_values_stay(coordinator):
    seance = SeanceFactory()
    response = _register(
        coordinator, seance, _new_person(consent="", phone="", first_name="Awa", last_name="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["consent"][0].startswith("Cochez cette case après avoir demandé son accord")
    assert errors["last_name"] == ["Indiquez le nom de la personne."]
    assert errors["phone"] == [
        "Indiquez un téléphone ou un e-mail pour pouvoir prévenir la personne."
    ]
    page = response.content.decode()
    assert 'value="Awa"' in page and 'role="alert"' in page
    assert "La personne accepte que ses coordonnées soient enregistrées pour l" in page
    assert not Usager.objects.exists() and not Inscription.objects.exists()


def test_a_wrong_phone_number_is_explained(coordinator):
    response = _register(coordinator, SeanceFactory(), _new_person(phone="12"))
    assert response.context["form"].errors["phone"] == [
        "Numéro de téléphone invalide : écrivez par exemple 05 49 41 00 00 ou +33 5 49 41 00 00"
    ]


def test_a_conseiller_finds_the_people_they_follow(conseiller, client_for):
    seance = SeanceFactory(animateurs=[conseiller])
    mine = UsagerFactory(identified=True, first_name="Odette", last_name="Marchand")
    mine.conseillers.add(conseiller)
    UsagerFactory(identified=True, first_name="Odile", last_name="Marchal")  # not followed
    client = client_for(conseiller)
    url = reverse("ateliers:seance_register", args=[seance.pk])
    response = client.get(url, {"q": "march"})
    assert response.context["results"] == [mine]
    assert "MARCHAND Odette" in response.content.decode()
    fragment = client.get(url, {"q": "march"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "MARCHAND Odette" in html and "<html" not in html

    response = client.post(url, {"qui": "existant", "q": "march", "usager": mine.pk})
    assert response.status_code == 302
    assert Inscription.objects.get().usager == mine


def test_the_workshop_search_finds_a_record_number_a_phone_and_unaccented_names(
    conseiller, client_for
):
    seance = SeanceFactory(animateurs=[conseiller])
    mine = UsagerFactory(
        identified=True, first_name="Jérôme", last_name="Bérénger", phone="0612345678"
    )
    mine.conseillers.add(conseiller)
    client = client_for(conseiller)
    url = reverse("ateliers:seance_register", args=[seance.pk])
    for typed in (f"n°{mine.pk}", "06 12 34 56 78", "jerome berenger", "Bérénger Jérôme"):
        assert client.get(url, {"q": typed}).context["results"] == [mine], typed


def test_a_conseiller_cannot_register_someone_they_do_not_follow(conseiller, client_for):
    stranger = UsagerFactory(identified=True)
    response = client_for(conseiller).post(
        reverse("ateliers:seance_register", args=[SeanceFactory().pk]),
        {"qui": "existant", "usager": stranger.pk},
    )
    assert response.status_code == 200
    assert "usager" in response.context["form"].errors
    assert not Inscription.objects.exists()


def test_choosing_nobody_is_explained(coordinator):
    response = _register(coordinator, SeanceFactory(), {"qui": "existant", "q": "xx"})
    assert response.context["form"].errors["usager"] == [
        "Cochez la personne dans les résultats de la recherche."
    ]


def test_registering_until_full_then_the_waiting_list(coordinator):
    seance = SeanceFactory(capacite=2)
    for first_name in ("Anne", "Bruno", "Chloé"):
        _register(
            coordinator,
            seance,
            _new_person(first_name=first_name, phone=f"06000000{len(first_name)}0"),
        )
    statuses = dict(Inscription.objects.values_list("usager__first_name", "statut").order_by("pk"))
    assert statuses == {"Anne": "inscrit", "Bruno": "inscrit", "Chloé": "attente"}
    response = coordinator.get(reverse("ateliers:seance_detail", args=[seance.pk]))
    assert [i.usager.first_name for i in response.context["waiting"]] == ["Chloé"]
    page = response.content.decode()
    assert "Liste d&#x27;attente (1)" in page or "Liste d'attente (1)" in page
    assert "complet" in page
    # The page says in advance that the next one goes to the waiting list.
    form_page = coordinator.get(reverse("ateliers:seance_register", args=[seance.pk]))
    assert form_page.context["full"] is True


def test_the_waiting_list_message_after_registering(coordinator):
    seance = SeanceFactory(capacite=1)
    InscriptionFactory(seance=seance)
    response = coordinator.post(
        reverse("ateliers:seance_register", args=[seance.pk]), _new_person(), follow=True
    )
    assert any("sur la liste d'attente" in m for m in _messages(response))


def test_the_same_person_twice_is_refused_next_to_the_field(coordinator):
    seance = SeanceFactory()
    inscription = InscriptionFactory(seance=seance)
    response = _register(coordinator, seance, {"qui": "existant", "usager": inscription.usager.pk})
    assert response.context["form"].errors["usager"] == [
        "Cette personne est déjà inscrite à cette séance."
    ]


def test_a_past_or_cancelled_session_takes_no_registration(coordinator):
    for seance in (SeanceFactory(date=_day(-1)), SeanceFactory(cancelled_at=timezone.now())):
        response = _register(coordinator, seance, _new_person())
        assert response.status_code == 302
    assert not Inscription.objects.exists() and not Usager.objects.exists()


def test_a_conseiller_may_register_someone_for_a_colleagues_session(conseiller, client_for):
    """Orientation: a conseiller signs up a person they help for a colleague's workshop."""
    seance = SeanceFactory(animateurs=[UserFactory(conseiller=True)])
    response = _register(client_for(conseiller), seance, _new_person())
    assert response.status_code == 302
    assert Inscription.objects.get().usager.conseillers.filter(pk=conseiller.pk).exists()


# --- Cancelling a registration ------------------------------------------------------------------


def test_cancelling_promotes_the_first_person_waiting(coordinator):
    seance = SeanceFactory(capacite=1)
    registered = InscriptionFactory(seance=seance)
    first = InscriptionFactory(seance=seance, attente=True, usager__first_name="Yves")
    second = InscriptionFactory(seance=seance, attente=True)
    response = coordinator.post(
        reverse("ateliers:inscription_cancel", args=[registered.pk]), follow=True
    )
    for inscription in (registered, first, second):
        inscription.refresh_from_db()
    assert registered.statut == StatutInscription.ANNULE
    assert first.statut == StatutInscription.INSCRIT
    assert second.statut == StatutInscription.ATTENTE
    shown = _messages(response)
    assert any(f"Yves {first.usager.last_name} obtient la place" in m for m in shown)


def test_cancelling_needs_a_post(coordinator):
    inscription = InscriptionFactory()
    response = coordinator.get(reverse("ateliers:inscription_cancel", args=[inscription.pk]))
    assert response.status_code == 405


def test_a_conseiller_cannot_cancel_a_registration_they_cannot_see(conseiller, client_for):
    inscription = InscriptionFactory()
    response = client_for(conseiller).post(
        reverse("ateliers:inscription_cancel", args=[inscription.pk])
    )
    assert response.status_code == 404
    inscription.refresh_from_db()
    assert inscription.statut == StatutInscription.INSCRIT


# --- Attendance ---------------------------------------------------------------------------------


def _presence(client, inscription, value, **kwargs):
    return client.post(
        reverse("ateliers:presence", args=[inscription.pk]), {"presence": value}, **kwargs
    )


def test_the_facilitator_marks_people_present_and_absent(conseiller, client_for):
    seance = SeanceFactory(date=_day(0), animateurs=[conseiller])
    here, away = InscriptionFactory.create_batch(2, seance=seance)
    client = client_for(conseiller)
    response = _presence(client, here, "present")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#inscription-{here.pk}")
    _presence(client, away, "absent")
    here.refresh_from_db()
    away.refresh_from_db()
    assert (here.presence, away.presence) == (Presence.PRESENT, Presence.ABSENT)
    # Touching the pressed button again clears the mark.
    _presence(client, away, "")
    away.refresh_from_db()
    assert away.presence == ""
    # The conseiller now follows the person who came.
    assert here.usager.conseillers.filter(pk=conseiller.pk).exists()


def test_the_page_script_gets_json_back(conseiller, client_for):
    seance = SeanceFactory(date=_day(0), animateurs=[conseiller])
    inscription = InscriptionFactory(seance=seance, usager__first_name="Zoé")
    response = _presence(
        client_for(conseiller), inscription, "present", headers={"Accept": "application/json"}
    )
    body = response.json()
    assert body["presence"] == "present" and body["presents"] == 1
    assert body["message"] == f"Zoé {inscription.usager.last_name} : présent·e."


def test_attendance_is_refused_before_the_session_day(conseiller, client_for):
    seance = SeanceFactory(date=_day(2), animateurs=[conseiller])
    inscription = InscriptionFactory(seance=seance)
    client = client_for(conseiller)
    response = _presence(client, inscription, "present", follow=True)
    assert any("le jour de la séance ou après" in m for m in _messages(response))
    inscription.refresh_from_db()
    assert inscription.presence == ""
    refused = _presence(client, inscription, "present", headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert refused.json()["error"] == "La présence se note le jour de la séance ou après."
    page = client.get(reverse("ateliers:seance_detail", args=[seance.pk])).content.decode()
    assert "Les présences se notent le jour de la séance." in page
    assert 'name="presence"' not in page


def test_attendance_is_refused_on_a_cancelled_session(coordinator):
    seance = SeanceFactory(date=_day(0), cancelled_at=timezone.now())
    inscription = InscriptionFactory(seance=seance)
    _presence(coordinator, inscription, "present")
    inscription.refresh_from_db()
    assert inscription.presence == ""


def test_only_the_facilitators_take_attendance(conseiller, client_for):
    seance = SeanceFactory(date=_day(0), animateurs=[UserFactory(conseiller=True)])
    followed = InscriptionFactory(seance=seance)
    followed.usager.conseillers.add(conseiller)
    response = _presence(client_for(conseiller), followed, "present")
    assert response.status_code == 403
    followed.refresh_from_db()
    assert followed.presence == ""


def test_the_detail_page_shows_toggles_on_the_day(conseiller, client_for):
    seance = SeanceFactory(date=_day(0), animateurs=[conseiller])
    inscription = InscriptionFactory(seance=seance, present=True, usager__first_name="Léa")
    page = client_for(conseiller).get(reverse("ateliers:seance_detail", args=[seance.pk]))
    html = page.content.decode()
    assert f'id="inscription-{inscription.pk}"' in html
    assert 'aria-pressed="true" class="btn btn-success"' in html
    assert 'Présent<span class="visually-hidden"> : Léa' in html


# --- Walk-ins -----------------------------------------------------------------------------------


def test_a_walk_in_is_registered_and_present(conseiller, client_for):
    seance = SeanceFactory(date=_day(0), animateurs=[conseiller], capacite=1)
    InscriptionFactory(seance=seance)
    response = client_for(conseiller).post(
        reverse("ateliers:seance_walk_in", args=[seance.pk]),
        _new_person(phone="", email=""),  # no contact needed for someone standing there
    )
    assert response.status_code == 302
    walk_in = Inscription.objects.get(origine=Origine.SUR_PLACE)
    assert walk_in.statut == StatutInscription.INSCRIT
    assert walk_in.presence == Presence.PRESENT
    assert walk_in.usager.first_name == "Awa"


def test_a_walk_in_still_needs_consent(coordinator):
    seance = SeanceFactory(date=_day(0))
    response = coordinator.post(
        reverse("ateliers:seance_walk_in", args=[seance.pk]), _new_person(consent="")
    )
    assert "consent" in response.context["form"].errors
    assert not Usager.objects.exists()


def test_a_person_waiting_who_comes_is_noted_present(coordinator):
    seance = SeanceFactory(date=_day(0), capacite=1)
    InscriptionFactory(seance=seance)
    waiting = InscriptionFactory(seance=seance, attente=True)
    coordinator.post(
        reverse("ateliers:seance_walk_in", args=[seance.pk]),
        {"qui": "existant", "usager": waiting.usager.pk},
    )
    waiting.refresh_from_db()
    assert waiting.statut == StatutInscription.INSCRIT and waiting.presence == Presence.PRESENT


def test_walk_ins_are_noted_on_the_day_only(coordinator):
    seance = SeanceFactory(date=_day(3))
    response = coordinator.get(reverse("ateliers:seance_walk_in", args=[seance.pk]))
    assert response.status_code == 302
    response = coordinator.post(reverse("ateliers:seance_walk_in", args=[seance.pk]), _new_person())
    assert response.status_code == 302
    assert not Inscription.objects.exists()
