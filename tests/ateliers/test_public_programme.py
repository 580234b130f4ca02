"""The public programme of the workshops: upcoming sessions, places, filters, no personal data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ateliers.enums import Niveau
from tests.ateliers.factories import (
    InscriptionFactory,
    ModuleFactory,
    ParcoursFactory,
    SeanceFactory,
)
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory

pytestmark = pytest.mark.django_db

URL = reverse("ateliers:programme")


def _in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def test_it_lists_upcoming_sessions_and_hides_past_and_distant_ones(client):
    SeanceFactory(module__titre="Premiers pas sur la tablette", date=_in_days(3))
    SeanceFactory(module__titre="Atelier d'hier", date=_in_days(-1))
    SeanceFactory(module__titre="Atelier de l'an prochain", date=_in_days(200))
    html = client.get(URL).content.decode()
    assert "Premiers pas sur la tablette" in html
    assert "Atelier d'hier" not in html
    assert "Atelier de l'an prochain" not in html


def test_it_shows_the_session_with_its_place_level_parcours_and_places_left(client):
    lieu = LieuFactory(
        nom="Médiathèque des Couronneries",
        adresse="1 place de Provence",
        accessibilite="Accès de plain-pied",
    )
    seance = SeanceFactory(
        lieu=lieu,
        capacite=6,
        module__titre="Envoyer un e-mail",
        module__description="Créer une adresse, écrire, joindre un document.",
        module__niveau=Niveau.INTERMEDIAIRE,
        module__parcours__nom="Communiquer",
        start_time=datetime.time(9, 30),
        end_time=datetime.time(11, 30),
    )
    InscriptionFactory.create_batch(2, seance=seance)
    InscriptionFactory(seance=seance, statut="annule")
    html = client.get(URL).content.decode()
    for text in (
        "Envoyer un e-mail",
        "Créer une adresse, écrire, joindre un document.",
        "Intermédiaire",
        "Parcours : Communiquer",
        "Médiathèque des Couronneries",
        "1 place de Provence",
        "Accès de plain-pied",
        "de 09h30 à 11h30",
        "4 places restantes",
        reverse("ateliers:register_public", args=[seance.pk]),
    ):
        assert text in html, text


def test_a_full_session_says_the_waiting_list_is_possible(client):
    seance = SeanceFactory(capacite=2)
    InscriptionFactory.create_batch(2, seance=seance)
    InscriptionFactory(seance=seance, attente=True)
    html = client.get(URL).content.decode()
    assert "Complet — liste d'attente possible" in html
    assert reverse("ateliers:register_public", args=[seance.pk]) in html


def test_a_cancelled_session_is_shown_as_cancelled_with_its_reason(client):
    seance = SeanceFactory(
        module__titre="Démarches CAF",
        cancelled_at=timezone.now(),
        motif_annulation="Animateur malade, séance reportée.",
    )
    html = client.get(URL).content.decode()
    assert "Démarches CAF" in html and "Annulée" in html
    assert "Animateur malade, séance reportée." in html
    assert reverse("ateliers:register_public", args=[seance.pk]) not in html


def test_a_session_closed_to_online_registration_has_no_link(client):
    seance = SeanceFactory(inscription_en_ligne=False, lieu__telephone="0549000000")
    html = client.get(URL).content.decode()
    assert reverse("ateliers:register_public", args=[seance.pk]) not in html
    assert "Inscription auprès du lieu" in html and "05 49 00 00 00" in html
    assert 'href="tel:+33549000000"' in html


def test_it_groups_the_sessions_by_month(client):
    first = _in_days(1)
    next_month = (first.replace(day=1) + datetime.timedelta(days=40)).replace(day=3)
    SeanceFactory(date=first)
    SeanceFactory(date=next_month)
    html = client.get(URL).content.decode()
    assert html.count('class="month-title"') == 2


def test_it_shows_no_personal_data(client):
    usager = UsagerFactory(
        identified=True, first_name="Josiane", last_name="Bertrand", email="jo@exemple.test"
    )
    InscriptionFactory(usager=usager)
    html = client.get(URL).content.decode()
    for secret in ("Josiane", "Bertrand", "jo@exemple.test", usager.phone):
        assert secret not in html


def test_it_filters_by_quartier_lieu_level_and_parcours(client):
    centre = QuartierFactory(nom="Centre-ville")
    mediatheque = LieuFactory(nom="Médiathèque", quartier=centre)
    numerique = ParcoursFactory(nom="Premiers pas")
    a = SeanceFactory(
        lieu=mediatheque,
        module=ModuleFactory(titre="Souris et clavier", parcours=numerique),
    )
    b = SeanceFactory(module=ModuleFactory(titre="Tableur avancé", niveau=Niveau.AVANCE))

    def titles(**query):
        html = client.get(URL, query).content.decode()
        return {t for t in ("Souris et clavier", "Tableur avancé") if t in html}

    assert titles() == {"Souris et clavier", "Tableur avancé"}
    assert titles(quartier=centre.pk) == {"Souris et clavier"}
    assert titles(lieu=b.lieu.pk) == {"Tableur avancé"}
    assert titles(niveau=Niveau.AVANCE) == {"Tableur avancé"}
    assert titles(parcours=numerique.pk) == {"Souris et clavier"}
    assert a.pk  # both sessions were created
    empty = client.get(URL, {"niveau": Niveau.INTERMEDIAIRE}).content.decode()
    assert "Aucune séance ne correspond" in empty


def test_the_filter_choices_only_list_what_the_programme_shows(client):
    SeanceFactory(lieu__nom="Lieu avec atelier")
    LieuFactory(nom="Lieu sans atelier")
    html = client.get(URL).content.decode()
    assert "Lieu avec atelier" in html and "Lieu sans atelier" not in html


def _sessions(count):
    for n in range(count):
        seance = SeanceFactory(date=_in_days(1 + n), capacite=3)
        InscriptionFactory(seance=seance)


@pytest.mark.parametrize("count", [3, 12])
def test_the_query_count_does_not_grow_with_the_sessions(
    client, count, django_assert_max_num_queries
):
    _sessions(count)
    # The page's count and keys, its sessions; the quartier, lieu and parcours lists.
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.content.decode().count('class="seance-when"') == count


def test_the_public_header_links_to_the_programme(client):
    html = client.get(URL).content.decode()
    assert f'href="{URL}" aria-current="page">Ateliers</a>' in html
    schedule = client.get(reverse("permanences:public_schedule")).content.decode()
    assert f'href="{URL}">Ateliers</a>' in schedule


def test_a_session_of_today_that_has_started_takes_no_more_registrations(client):
    seance = SeanceFactory(
        date=timezone.localdate(),
        start_time=datetime.time(0, 0),
        end_time=datetime.time(23, 59, 59),
    )
    html = client.get(URL).content.decode()
    assert "Séance commencée" in html
    assert reverse("ateliers:register_public", args=[seance.pk]) not in html


def test_a_tampered_filter_is_no_error(client):
    SeanceFactory(module__titre="Souris et clavier")
    response = client.get(URL, {"lieu": "abc", "niveau": "expert", "parcours": "999999"})
    assert response.status_code == 200


def test_it_links_the_calendar_of_the_workshops(client):
    html = client.get(URL).content.decode()
    assert f'href="{reverse("ateliers:calendar")}">S\'abonner au calendrier des ateliers' in html
