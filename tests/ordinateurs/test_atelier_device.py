"""A device's page: why a state is not offered yet, moving along the path, recording the
evidence of erasure and the functional checklist, adding storage, editing the description."""

import hashlib
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ordinateurs import services
from ordinateurs.enums import CHECKLIST, Etat, ResultatEffacement
from ordinateurs.models import Controle, Effacement, Evenement, Ordinateur
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from tests.ordinateurs.factories import (
    AttributionFactory,
    ControleFactory,
    EffacementFactory,
    OrdinateurFactory,
    ready_device,
)

pytestmark = pytest.mark.django_db

ALL_OK = {key: "on" for key, _label in CHECKLIST}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def technicien(users):
    return users[Role.TECHNICIEN]


@pytest.fixture
def tech(technicien, client_for):
    return client_for(technicien)


def _text(response) -> str:
    return unescape(response.content.decode())


def _detail(ordinateur):
    return reverse("ordinateurs:ordinateur_detail", args=[ordinateur.pk])


def _move(client, ordinateur, vers, **extra):
    url = reverse("ordinateurs:ordinateur_move", args=[ordinateur.pk])
    return client.post(url, {"vers": vers, "note": "", **extra})


def _state(ordinateur):
    return Ordinateur.objects.get(pk=ordinateur.pk).etat


def _erasure_data(**extra):
    return {
        "methode": "nist_purge",
        "outil": "nwipe",
        "version_outil": "0.35",
        "passes": "",
        "resultat": "reussi",
        "done_at": "2022-05-10T14:30",
        "note": "",
        **extra,
    }


# --- The detail page ----------------------------------------------------------------------------


def test_the_page_shows_why_available_is_not_offered_yet(tech, technicien):
    ordinateur = OrdinateurFactory(numero="PC-2022-0007", numero_serie="5CG77")
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    response = tech.get(_detail(ordinateur))
    html = _text(response)
    readiness = response.context["readiness"]
    assert readiness["missing"] == [
        "Chaque support de stockage doit avoir un effacement réussi.",
        "Le dernier contrôle fonctionnel doit être réussi.",
    ]
    assert readiness["steps"] == ["effacé", "reconditionné", "contrôlé"]
    assert "Pour devenir « disponible »" in html
    assert "il passe encore par : effacé, reconditionné, contrôlé." in html
    # "effacé" is offered but disabled, with what it lacks next to it.
    steps = {s["etat"]: s for s in response.context["steps"]}
    assert steps[Etat.EFFACE]["missing"] == [
        "Chaque support de stockage doit avoir un effacement réussi."
    ]
    assert (
        'value="efface" class="btn btn-primary" disabled aria-describedby="manque-efface"' in html
    )
    assert Etat.DISPONIBLE not in steps
    # Side exits are offered apart; reservation and hand-over never.
    assert {s["etat"] for s in response.context["exits"]} == {
        Etat.EN_REPARATION,
        Etat.NON_REEMPLOYABLE,
        Etat.PERDU,
    }
    assert 'value="reserve"' not in html and 'value="remis"' not in html
    assert "5CG77" in html and "Réception" in html


def test_a_controlled_device_whose_last_check_failed_says_so(tech, technicien):
    ordinateur = ready_device(technicien)
    services.move(ordinateur=ordinateur, vers=Etat.EN_REPARATION, actor=technicien, note="Écran")
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    ControleFactory(ordinateur=ordinateur, operateur=technicien, reussi=False)
    response = tech.get(_detail(ordinateur))
    assert response.context["readiness"]["missing"] == [
        "Le dernier contrôle fonctionnel doit être réussi."
    ]


def test_a_reserved_device_is_handled_from_the_household_request(tech, technicien):
    attribution = AttributionFactory()
    ordinateur = attribution.ordinateur
    response = tech.get(_detail(ordinateur))
    assert response.context["steps"] == [] and response.context["exits"] == []
    assert "se gère depuis la demande du foyer" in _text(response)
    response = _move(tech, ordinateur, Etat.PERDU, note="Introuvable")
    assert "réservé pour un foyer" in _text(response)
    assert _state(ordinateur) == Etat.RESERVE


def test_the_page_does_not_query_per_event_or_erasure(
    tech, technicien, django_assert_max_num_queries
):
    ordinateur = OrdinateurFactory()
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    stockage = ordinateur.stockages.get()
    EffacementFactory(stockage=stockage, operateur=technicien, resultat=ResultatEffacement.ECHEC)
    ControleFactory(ordinateur=ordinateur, operateur=technicien, reussi=False)
    with CaptureQueriesContext(connection) as few:
        tech.get(_detail(ordinateur))
    for _ in range(4):
        EffacementFactory(stockage=stockage, resultat=ResultatEffacement.ECHEC)
        ControleFactory(ordinateur=ordinateur, reussi=False)
    with django_assert_max_num_queries(len(few)):
        tech.get(_detail(ordinateur))


# --- Along the path, through the pages ----------------------------------------------------------


def test_a_technician_takes_a_device_to_available_through_the_pages(tech, technicien):
    ordinateur = OrdinateurFactory()
    stockage = ordinateur.stockages.get()

    response = _move(tech, ordinateur, Etat.DIAGNOSTIQUE, note="Démarre, batterie faible")
    assert response["Location"] == _detail(ordinateur)
    assert _state(ordinateur) == Etat.DIAGNOSTIQUE

    # Too early: the error stands next to the state buttons, the note typed is kept.
    response = _move(tech, ordinateur, Etat.EFFACE, note="Effacement fait")
    assert response.status_code == 200
    assert response.context["move_form"].errors["vers"] == [
        "Chaque support de stockage doit avoir un effacement réussi."
    ]
    html = _text(response)
    assert 'id="vers-erreur"' in html and 'role="alert"' in html
    assert 'value="Effacement fait"' in html
    assert _state(ordinateur) == Etat.DIAGNOSTIQUE

    url = reverse("ordinateurs:effacement_create", args=[stockage.pk])
    assert tech.post(url, _erasure_data()).status_code == 302
    for vers in (Etat.EFFACE, Etat.RECONDITIONNE):
        assert _move(tech, ordinateur, vers).status_code == 302

    response = _move(tech, ordinateur, Etat.CONTROLE)
    assert response.context["move_form"].errors["vers"] == [
        "Le dernier contrôle fonctionnel doit être réussi."
    ]
    tech.post(reverse("ordinateurs:controle_create", args=[ordinateur.pk]), ALL_OK)
    for vers in (Etat.CONTROLE, Etat.DISPONIBLE):
        assert _move(tech, ordinateur, vers).status_code == 302
    assert _state(ordinateur) == Etat.DISPONIBLE
    path = list(Evenement.objects.filter(ordinateur=ordinateur).values_list("vers", flat=True))
    assert path == ["recu", "diagnostique", "efface", "reconditionne", "controle", "disponible"]
    assert Evenement.objects.filter(ordinateur=ordinateur, auteur=technicien).count() == 5
    response = tech.get(_detail(ordinateur))
    assert "Démarre, batterie faible" in _text(response)
    assert response.context["readiness"] is None


def test_a_jump_is_refused_with_the_rule_in_words(tech):
    ordinateur = OrdinateurFactory()
    response = _move(tech, ordinateur, Etat.DISPONIBLE)
    assert response.context["move_form"].errors["vers"] == [
        "Un ordinateur « reçu » ne peut pas passer à « disponible »."
    ]
    response = _move(tech, ordinateur, Etat.RESERVE)
    assert "se réserve et se remet depuis la demande" in _text(response)
    assert _state(ordinateur) == Etat.RECU


def test_leaving_the_path_asks_why(tech):
    ordinateur = OrdinateurFactory()
    response = _move(tech, ordinateur, Etat.NON_REEMPLOYABLE)
    assert response.context["move_form"].errors["note"] == [
        "Indiquez pourquoi l'ordinateur passe à « non réemployable »."
    ]
    assert '<details class="mt-2" open>' in _text(response)
    photo = SimpleUploadedFile("carte-mere.png", b"\x89PNG\r\n\x1a\nimage", "image/png")
    response = _move(
        tech, ordinateur, Etat.NON_REEMPLOYABLE, note="Carte mère grillée", piece_jointe=photo
    )
    assert response.status_code == 302
    event = Evenement.objects.filter(ordinateur=ordinateur).last()
    assert (event.vers, event.note) == (Etat.NON_REEMPLOYABLE, "Carte mère grillée")
    assert event.piece_sha256 == hashlib.sha256(b"\x89PNG\r\n\x1a\nimage").hexdigest()
    html = _text(tech.get(_detail(ordinateur)))
    assert reverse("ordinateurs:evenement_piece", args=[event.pk]) in html
    assert event.piece_sha256 in html
    download = tech.get(reverse("ordinateurs:evenement_piece", args=[event.pk]))
    assert b"".join(download.streaming_content) == b"\x89PNG\r\n\x1a\nimage"


def test_an_attachment_that_is_not_what_it_says_is_refused(tech):
    ordinateur = OrdinateurFactory()
    fake = SimpleUploadedFile("photo.png", b"MZ executable", "image/png")
    response = _move(tech, ordinateur, Etat.DIAGNOSTIQUE, piece_jointe=fake)
    assert response.context["move_form"].errors["piece_jointe"] == [
        "Le contenu du fichier ne correspond pas à un fichier PNG."
    ]
    assert _state(ordinateur) == Etat.RECU


# --- Evidence of erasure ------------------------------------------------------------------------


def test_an_erasure_with_its_report_keeps_the_sha256(tech, technicien):
    ordinateur = OrdinateurFactory()
    stockage = ordinateur.stockages.get()
    report = b"nwipe 0.35: /dev/sda DoD short, 3 passes, verified: OK\n"
    upload = SimpleUploadedFile("nwipe.log", report, "text/plain")
    url = reverse("ordinateurs:effacement_create", args=[stockage.pk])
    response = tech.post(
        url, _erasure_data(methode="reecriture", passes="3", preuve=upload, note="Sans erreur")
    )
    assert response["Location"] == f"{_detail(ordinateur)}#stockage-{stockage.pk}"
    effacement = Effacement.objects.get()
    assert effacement.operateur == technicien
    assert (effacement.methode, effacement.passes, effacement.note) == (
        "reecriture",
        3,
        "Sans erreur",
    )
    assert effacement.preuve_sha256 == hashlib.sha256(report).hexdigest()
    assert effacement.done_at.strftime("%Y-%m-%d") == "2022-05-10"
    html = _text(tech.get(_detail(ordinateur)))
    assert effacement.preuve_sha256 in html
    download = tech.get(reverse("ordinateurs:effacement_preuve", args=[effacement.pk]))
    assert b"".join(download.streaming_content) == report
    assert AuditEvent.objects.filter(action="ordinateurs.effacement.created").exists()


def test_the_erasure_form_explains_what_is_missing(tech):
    stockage = OrdinateurFactory().stockages.get()
    url = reverse("ordinateurs:effacement_create", args=[stockage.pk])
    response = tech.post(
        url,
        _erasure_data(
            methode="reecriture",
            outil="",
            done_at="2999-01-01T10:00",
            preuve=SimpleUploadedFile("x.exe", b"MZ"),
        ),
    )
    errors = response.context["form"].errors
    assert errors["passes"] == ["Indiquez le nombre de passes de la réécriture."]
    assert errors["outil"] == ["Indiquez l'outil utilisé."]
    assert errors["done_at"] == ["L'effacement ne peut pas être daté dans le futur."]
    assert errors["preuve"][0].startswith("Ce type de fichier n'est pas accepté")
    html = _text(response)
    assert 'value="0.35"' in html  # what was typed stays
    assert "---------" not in html
    assert not Effacement.objects.exists()


def test_a_failed_erasure_is_kept_and_does_not_count(tech, technicien):
    ordinateur = OrdinateurFactory()
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    stockage = ordinateur.stockages.get()
    url = reverse("ordinateurs:effacement_create", args=[stockage.pk])
    response = tech.post(url, _erasure_data(resultat="echec"), follow=True)
    assert "comme échoué" in _text(response)
    assert Effacement.objects.get().resultat == ResultatEffacement.ECHEC
    assert not services.erased(ordinateur)


# --- Functional checklist -----------------------------------------------------------------------


def test_a_failed_checklist_blocks_controlled(tech, technicien):
    ordinateur = OrdinateurFactory()
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    EffacementFactory(stockage=ordinateur.stockages.get(), operateur=technicien)
    for vers in (Etat.EFFACE, Etat.RECONDITIONNE):
        services.move(ordinateur=ordinateur, vers=vers, actor=technicien)
    url = reverse("ordinateurs:controle_create", args=[ordinateur.pk])
    page = _text(tech.get(url))
    for _key, label in CHECKLIST:
        assert label in page
    almost = {key: "on" for key, _ in CHECKLIST if key not in ("wifi", "son")}
    response = tech.post(url, {**almost, "note": "Carte Wi-Fi HS"}, follow=True)
    html = _text(response)
    assert "Contrôle échoué : Haut-parleurs et prise casque, Wi-Fi." in html
    controle = Controle.objects.get()
    assert controle.reussi is False and controle.operateur == technicien
    assert controle.resultats["wifi"] is False and controle.resultats["ecran"] is True
    assert "ne fonctionne pas" in html and "Carte Wi-Fi HS" in html
    steps = {s["etat"]: s for s in response.context["steps"]}
    assert steps[Etat.CONTROLE]["missing"] == ["Le dernier contrôle fonctionnel doit être réussi."]
    response = _move(tech, ordinateur, Etat.CONTROLE)
    assert response.context["move_form"].errors["vers"] == [
        "Le dernier contrôle fonctionnel doit être réussi."
    ]
    assert _state(ordinateur) == Etat.RECONDITIONNE
    # Repaired and checked again: it passes.
    response = tech.post(url, ALL_OK, follow=True)
    assert "Contrôle réussi" in _text(response)
    assert _move(tech, ordinateur, Etat.CONTROLE).status_code == 302


# --- Storage and description --------------------------------------------------------------------


def test_a_second_storage_must_be_erased_too(tech, technicien):
    ordinateur = OrdinateurFactory()
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    EffacementFactory(stockage=ordinateur.stockages.get(), operateur=technicien)
    url = reverse("ordinateurs:stockage_add", args=[ordinateur.pk])
    response = tech.post(url, {"type": "", "capacite_go": "1000", "numero_serie": "WX1"})
    assert response.context["form"].errors["type"] == ["Choisissez le type du support."]
    response = tech.post(url, {"type": "hdd", "capacite_go": "1000", "numero_serie": "WX1"})
    assert response.status_code == 302
    assert ordinateur.stockages.count() == 2
    assert not services.erased(ordinateur)
    assert AuditEvent.objects.filter(action="ordinateurs.stockage.created").exists()


def test_an_available_device_keeps_its_certified_storage(tech, technicien):
    ordinateur = ready_device(technicien)
    url = reverse("ordinateurs:stockage_add", args=[ordinateur.pk])
    response = tech.post(url, {"type": "hdd"}, follow=True)
    assert "garde les supports certifiés" in _text(response)
    assert ordinateur.stockages.count() == 1


def test_the_description_is_edited_and_audited(tech):
    ordinateur = OrdinateurFactory(marque="Dell")
    url = reverse("ordinateurs:ordinateur_edit", args=[ordinateur.pk])
    data = {
        "type": "portable",
        "marque": "Dell",
        "modele": "Latitude 7490",
        "numero_serie": "7XK",
        "processeur": "i7",
        "memoire_go": "16",
        "systeme": "Linux Mint 22",
    }
    assert tech.post(url, data).status_code == 302
    ordinateur.refresh_from_db()
    assert (ordinateur.modele, ordinateur.memoire_go, ordinateur.systeme) == (
        "Latitude 7490",
        16,
        "Linux Mint 22",
    )
    assert ordinateur.etat == Etat.RECU  # the state is not a field of this form
    assert AuditEvent.objects.filter(action="ordinateurs.ordinateur.updated").exists()
