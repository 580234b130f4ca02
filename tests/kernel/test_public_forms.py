"""The defences every public form shares (poitiers_inclusion/public_forms.py): a trap field
hidden from people and assistive technology, and a rate per client answered in French with
what was typed kept. One case per public form: booking, workshop registration, computer
donation offer, password reset."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from ateliers.models import Inscription
from ordinateurs.models import Don
from permanences.models import RendezVous
from poitiers_inclusion.models import OutgoingEmail
from tests.ateliers.factories import SeanceFactory
from tests.factories import UserFactory
from tests.permanences.factories_schedule import BookablePermanenceFactory, next_weekday

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    url: Callable[[], str]
    data: Callable[[int], dict]  # the n-th valid submission, each one different
    written: Callable[[], int]  # how many things the form has created or sent
    typed: str  # a value of data(…) that must still be on the page after a refusal
    # The status of an accepted submission: a redirect, or for the workshop registration its
    # answer page, the same whether the person was registered already or not.
    accepted: int = 302


def _booking():
    permanence = BookablePermanenceFactory()
    day = next_weekday(permanence.weekday)
    return reverse("permanences:booking_new", args=[permanence.pk, day.isoformat()])


def _booking_data(n):
    return {
        "heure": ["14:00", "14:30", "15:00", "15:30"][n],
        "nom": f"Personne Numéro{n}",
        "telephone": f"06 12 34 56 7{n}",
        "email": "",
        "besoin": "telephone",
        "precision": "",
        "consent": "on",
        "site_web": "",
    }


def _registration_data(n):
    return {
        "prenom": "Jeanne",
        "nom": f"Numéro{n}",
        "telephone": f"06 12 34 56 7{n}",
        "email": "",
        "consent": "on",
        "site_web": "",
    }


def _offer_data(n):
    return {
        "nom": f"Entreprise Numéro{n}",
        "siret": "",
        "contact_nom": "Claire Martin",
        "email": f"rse{n}@entreprise.example",
        "telephone": "",
        "adresse": "",
        "code_postal": "",
        "commune": "",
        "nb_annonce": "3",
        "description": "Portables de 2018",
        "consent": "on",
        "site_web": "",
    }


def _reset_url():
    for n in range(4):
        UserFactory(email=f"agent{n}@ville.fr")
    return reverse("password_reset")


CASES = {
    "booking": Case(_booking, _booking_data, RendezVous.objects.count, "Numéro2"),
    "registration": Case(
        lambda: reverse("ateliers:register_public", args=[SeanceFactory(capacite=10).pk]),
        _registration_data,
        Inscription.objects.count,
        "Numéro2",
        accepted=200,
    ),
    "don_offer": Case(
        lambda: reverse("ordinateurs:don_offer"), _offer_data, Don.objects.count, "Numéro2"
    ),
    "password_reset": Case(
        _reset_url,
        lambda n: {"email": f"agent{n}@ville.fr", "site_web": ""},
        # The reset link is queued in the outbox, sent once the request's transaction commits.
        OutgoingEmail.objects.count,
        "agent2@ville.fr",
    ),
}


@pytest.fixture(params=CASES.values(), ids=CASES.keys())
def case(request):
    return request.param


def _trap_markup(html: str) -> str:
    match = re.search(r'<div class="hp-field" aria-hidden="true">(.*?)</div>', html, re.S)
    assert match, "le champ piège n'est pas dans son conteneur caché"
    return match.group(1)


def test_the_trap_is_hidden_from_people_and_assistive_technology(client, case):
    html = client.get(case.url()).content.decode()
    trap = _trap_markup(html)
    field = re.search(r"<input[^>]*>", trap).group(0)
    assert 'name="site_web"' in field
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "Laissez ce champ vide" in trap  # the label, should anyone reach it anyway
    form = re.search(r"<form.*?</form>", html, re.S).group(0)
    assert "style=" not in form  # hidden by the stylesheet: a CSP forbids inline styles


def test_the_stylesheet_hides_the_trap_off_screen():
    css = (Path(django_settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    rule = re.search(r"\.hp-field\s*\{([^}]*)\}", css)
    assert rule and "position: absolute" in rule.group(1) and "-10000px" in rule.group(1)


def test_a_filled_trap_writes_nothing_and_looks_like_a_success(client, case):
    url = case.url()
    response = client.post(url, case.data(0) | {"site_web": "http://spam.example"})
    assert case.written() == 0
    assert response.status_code == 302
    assert response["Location"] == reverse("public_form_sent")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Demande envoyée" in page.content.decode()
    assert "piège" not in page.content.decode() and "robot" not in page.content.decode()


def test_a_person_who_leaves_the_trap_empty_gets_through(client, case):
    client.post(case.url(), case.data(0))
    assert case.written() == 1


def test_too_many_submissions_from_one_client_are_refused_in_french(client, settings, case):
    settings.PUBLIC_FORM_LIMIT = 2
    url = case.url()
    for n in range(2):
        assert client.post(url, case.data(n)).status_code == case.accepted
    assert case.written() == 2
    response = client.post(url, case.data(2))
    html = response.content.decode()
    assert response.status_code == 429
    assert "Beaucoup de demandes ont été envoyées depuis votre connexion internet" in html
    assert "Réessayez dans 60 minutes" in html
    assert case.typed in html  # what the person typed is kept
    assert case.written() == 2
    # The limit is per client: someone else is not held back.
    other = client.post(url, case.data(3), REMOTE_ADDR="192.0.2.44")
    assert other.status_code == case.accepted and case.written() == 3


def test_filled_traps_count_against_the_client(client, settings, case):
    settings.PUBLIC_FORM_LIMIT = 2
    url = case.url()
    for n in range(2):
        client.post(url, case.data(n) | {"site_web": "http://spam.example"})
    assert client.post(url, case.data(2)).status_code == 429
    assert case.written() == 0


def test_the_rate_reads_the_client_behind_the_trusted_proxy(client, settings, case):
    settings.PUBLIC_FORM_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    url = case.url()
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    assert (
        client.post(url, case.data(0), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code
        == case.accepted
    )
    # Two residents behind the same proxy are two clients...
    assert (
        client.post(url, case.data(1), HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code
        == case.accepted
    )
    # ...and a forged address before the proxy's entry changes nothing.
    forged = client.post(url, case.data(2), HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1", **proxy)
    assert forged.status_code == 429
