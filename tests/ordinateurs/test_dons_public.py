"""Public pages of donations: a company's offer, and the donor's confirmation link."""

import datetime
import re

import pytest
from django.urls import reverse

from ordinateurs import services
from ordinateurs.enums import StatutDon
from ordinateurs.models import Don, Donateur
from poitiers_inclusion.enums import Role
from tests.ordinateurs.factories import DonateurFactory, DonFactory

pytestmark = pytest.mark.django_db

OFFER_URL = "/ordinateurs/donner/"
VALID_SIRET = "73282932000074"


def _offer(**overrides):
    data = {
        "nom": "Assurances du Centre",
        "siret": "732 829 320 00074",
        "contact_nom": "Claire Martin",
        "email": "RSE@Assur.example",
        "telephone": "05 49 00 00 00",
        "adresse": "12 rue de la Paix",
        "code_postal": "86000",
        "commune": "Poitiers",
        "nb_annonce": "12",
        "description": "Portables Dell de 2018, avec chargeurs",
        "consent": "on",
        "site_web": "",
    }
    data.update(overrides)
    return data


def test_the_offer_page_is_public_and_linked_from_the_residents_menu(client):
    assert reverse("ordinateurs:don_offer") == OFFER_URL
    page = client.get(OFFER_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Donner des ordinateurs" in html
    assert f'href="{OFFER_URL}" aria-current="page">Donner des ordinateurs' in html
    assert "NIST SP 800-88" in html


def test_it_records_the_offer_and_sends_the_thanks_on_commit(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(OFFER_URL, _offer())
    assert response.status_code == 302 and response["Location"] == "/ordinateurs/donner/merci/"
    assert len(callbacks) == 1
    don = Don.objects.get()
    assert don.en_ligne and don.statut == StatutDon.PROPOSE and don.nb_annonce == 12
    assert don.description == "Portables Dell de 2018, avec chargeurs"
    donor = don.donateur
    assert (donor.nom, donor.siret, donor.email, donor.telephone) == (
        "Assurances du Centre",
        VALID_SIRET,
        "rse@assur.example",
        "+33549000000",
    )
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["rse@assur.example"]
    assert "12 appareils annoncés" in mailoutbox[0].body

    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert thanks["Cache-Control"] == "no-store"
    assert "Votre proposition de 12 appareils est bien enregistrée" in html
    assert "collecte" in html and "NIST SP 800-88" in html and "certificat" in html
    # The figure is shown once: a reload is a plain thank-you.
    assert "de 12 appareils" not in client.get(response["Location"]).content.decode()


def test_no_e_mail_is_sent_before_the_transaction_commits(client, mailoutbox):
    client.post(OFFER_URL, _offer())
    assert Don.objects.count() == 1 and mailoutbox == []


def test_errors_are_french_next_to_the_fields_and_what_was_typed_is_kept(client):
    response = client.post(
        OFFER_URL,
        _offer(
            siret="123 456 789 00012",
            email="pas-une-adresse",
            nb_annonce="0",
            consent="",
            code_postal="8600",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le formulaire contient 5 erreurs" in html
    assert "Ce numéro SIRET n&#x27;est pas valide" in html
    assert "Cette adresse e-mail n&#x27;est pas valide" in html
    assert "Indiquez au moins un appareil." in html
    assert "Cochez cette case" in html
    assert "Un code postal compte 5 chiffres" in html
    assert 'value="Assurances du Centre"' in html and 'value="123 456 789 00012"' in html
    assert "Portables Dell de 2018, avec chargeurs</textarea>" in html
    assert not Don.objects.exists()


def test_required_fields_say_what_to_fill(client):
    response = client.post(OFFER_URL, {"consent": "on"})
    html = response.content.decode()
    for message in (
        "Indiquez le nom de l&#x27;entreprise ou de l&#x27;organisme.",
        "Indiquez le nom de la personne à contacter.",
        "Indiquez une adresse e-mail",
        "Indiquez le nombre d&#x27;appareils.",
        "Décrivez en quelques mots le matériel",
    ):
        assert message in html
    assert not Don.objects.exists()


def test_a_siret_with_a_wrong_length_is_explained(client):
    html = client.post(OFFER_URL, _offer(siret="1234")).content.decode()
    assert "Un numéro SIRET compte 14 chiffres" in html


def test_the_siret_is_optional(client):
    assert client.post(OFFER_URL, _offer(siret="")).status_code == 302
    assert Donateur.objects.get().siret == ""


def test_a_robot_filling_the_hidden_field_creates_nothing(client, mailoutbox):
    response = client.post(OFFER_URL, _offer(site_web="http://spam.example"))
    # Answered like a success, so the robot is not told which field gave it away.
    assert response.status_code == 302 and response["Location"] == reverse("public_form_sent")
    assert not Don.objects.exists() and not Donateur.objects.exists() and mailoutbox == []


def test_a_known_company_is_found_by_its_siret(client):
    known = DonateurFactory(nom="Assurances du Centre", siret=VALID_SIRET)
    client.post(OFFER_URL, _offer())
    assert Donateur.objects.count() == 1 and Don.objects.get().donateur == known


# --- The donor's confirmation link --------------------------------------------------------------


def _collected(users, mail_context, **kwargs):
    don = DonFactory(**kwargs)
    with mail_context(execute=True):
        services.record_collection(
            don=don,
            day=datetime.date(2022, 3, 1),
            nb_recus=23,
            poids_kg=61.5,
            actor=users[Role.COORDINATEUR],
        )
    don.refresh_from_db()
    return don


def test_the_link_of_the_collection_e_mail_shows_what_was_collected_and_confirms(
    client, users, mailoutbox, django_capture_on_commit_callbacks
):
    don = _collected(users, django_capture_on_commit_callbacks, donateur__nom="Imprimerie Rivaud")
    link = re.search(r"https?://\S+/ordinateurs/don/\S+/", mailoutbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert path == f"/ordinateurs/don/{don.token}/"

    page = client.get(path)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "Imprimerie Rivaud" in html and "1 mars 2022" in html
    assert "23" in html and "61,5 kg" in html
    assert "Je confirme" in html

    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == path
    assert response["Cache-Control"] == "no-store"
    don.refresh_from_db()
    assert don.statut == StatutDon.CONFIRME and don.confirmed_at

    after = client.get(path).content.decode()
    assert "Réception de votre don confirmée" in after and "Je confirme" not in after


def test_confirming_twice_is_calm(client, users, django_capture_on_commit_callbacks):
    don = _collected(users, django_capture_on_commit_callbacks)
    path = reverse("ordinateurs:don_confirm", args=[don.token])
    client.post(path)
    first = Don.objects.get(pk=don.pk).confirmed_at
    again = client.post(path)
    assert again.status_code == 200
    html = again.content.decode()
    assert "Vous n'avez rien d'autre à faire" in html and 'role="alert"' not in html
    assert Don.objects.get(pk=don.pk).confirmed_at == first


def test_before_the_collection_there_is_nothing_to_confirm(client):
    don = DonFactory()
    path = reverse("ordinateurs:don_confirm", args=[don.token])
    html = client.get(path).content.decode()
    assert "pas encore été collecté" in html and "Je confirme" not in html
    response = client.post(path)
    assert "Il n&#x27;y a rien à confirmer" in response.content.decode()
    assert Don.objects.get(pk=don.pk).statut == StatutDon.PROPOSE


def test_an_unknown_token_is_not_found(client):
    assert client.get("/ordinateurs/don/pas-un-jeton/").status_code == 404
    assert client.post("/ordinateurs/don/pas-un-jeton/").status_code == 404


def _closed_don(statut, days_ago):
    from django.utils import timezone

    closed_at = timezone.now() - datetime.timedelta(days=days_ago)
    don = DonFactory(
        donateur__nom="Imprimerie Rivaud",
        donateur__contact_nom="Claire Martin",
        donateur__email="claire@rivaud.example",
        collected_on=datetime.date(2022, 3, 1),
        nb_recus=23,
        poids_kg=61.5,
        statut=statut,
    )
    closed = {StatutDon.CONFIRME: "confirmed_at", StatutDon.ANNULE: "cancelled_at"}[statut]
    Don.objects.filter(pk=don.pk).update(**{closed: closed_at})
    return don


@pytest.mark.parametrize("statut", [StatutDon.CONFIRME, StatutDon.ANNULE])
def test_the_link_still_shows_the_donation_a_while_after_it_is_closed(client, settings, statut):
    settings.DON_CONFIRMATION_DAYS = 30
    don = _closed_don(statut, days_ago=29)
    response = client.get(reverse("ordinateurs:don_confirm", args=[don.token]))
    assert response.status_code == 200 and "Imprimerie Rivaud" in response.content.decode()


@pytest.mark.parametrize("statut", [StatutDon.CONFIRME, StatutDon.ANNULE])
def test_the_link_expires_after_the_donation_is_closed_and_shows_nothing_personal(
    client, settings, statut
):
    settings.DON_CONFIRMATION_DAYS = 30
    don = _closed_don(statut, days_ago=31)
    path = reverse("ordinateurs:don_confirm", args=[don.token])
    for response in (client.get(path), client.post(path)):
        html = response.content.decode()
        assert response.status_code == 410 and response["Cache-Control"] == "no-store"
        assert "Ce lien a expiré" in html and "30 jours" in html
        for detail in ("Imprimerie Rivaud", "Claire Martin", "claire@rivaud.example", "61,5"):
            assert detail not in html
    assert Don.objects.get(pk=don.pk).statut == statut


def test_a_cancelled_donation_is_closed_from_its_cancellation(users):
    don = DonFactory()
    services.cancel_donation(don=don, actor=users[Role.COORDINATEUR])
    don.refresh_from_db()
    assert don.cancelled_at is not None
