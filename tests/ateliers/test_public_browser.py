"""Browser check at 390 px: a resident opens the workshop programme and registers."""

import datetime

import pytest
from django.urls import reverse

from ateliers.enums import Niveau, StatutInscription
from ateliers.models import Inscription
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.browser import axe_violations, screenshot
from tests.factories import LieuFactory, QuartierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _programme():
    couronneries = QuartierFactory(nom="Les Couronneries", qpv=True)
    mediatheque = LieuFactory(
        nom="Médiathèque François-Mitterrand",
        quartier=couronneries,
        adresse="4 rue de l'Université",
        accessibilite="Accès de plain-pied, boucle magnétique",
        connexion_solidaire=True,
    )
    open_seance = SeanceFactory(
        lieu=mediatheque,
        capacite=6,
        module__titre="Premiers pas sur la tablette",
        module__description="Allumer, toucher, installer une application.",
        module__parcours__nom="Premiers pas avec le numérique",
    )
    full = SeanceFactory(
        lieu=mediatheque,
        capacite=1,
        date=open_seance.date + datetime.timedelta(days=2),
        module__titre="Faire ses démarches en ligne",
        module__niveau=Niveau.INTERMEDIAIRE,
    )
    InscriptionFactory(seance=full)
    SeanceFactory(
        lieu=mediatheque,
        date=open_seance.date + datetime.timedelta(days=3),
        module__titre="Sécuriser ses mots de passe",
        cancelled_at=open_seance.created_at,
        motif_annulation="Animatrice absente : séance reportée.",
    )
    return open_seance


def test_a_resident_registers_for_a_workshop_on_a_phone(phone_page, live_server, mailoutbox):
    seance = _programme()
    phone_page.goto(f"{live_server.url}{reverse('ateliers:programme')}")
    assert phone_page.get_by_role("heading", level=1).is_visible()
    assert phone_page.get_by_text("Complet — liste d'attente possible").is_visible()
    assert phone_page.get_by_text("Animatrice absente").is_visible()
    assert _fits_the_screen(phone_page)
    screenshot(phone_page, "ateliers-programme-390")
    assert axe_violations(phone_page) == []

    phone_page.get_by_role("link", name="S'inscrire à « Premiers pas sur la tablette »").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_role("heading", name="S'inscrire à l'atelier").is_visible()
    assert _fits_the_screen(phone_page)
    screenshot(phone_page, "ateliers-inscription-390")
    assert axe_violations(phone_page) == []

    # Nothing but a name: the errors are next to the fields and what was typed is kept.
    phone_page.get_by_label("Prénom").fill("Jeanne")
    phone_page.get_by_role("button", name="M'inscrire").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_role("alert").is_visible()
    assert phone_page.get_by_text("Indiquez un téléphone ou un e-mail").is_visible()
    assert phone_page.get_by_label("Prénom").input_value() == "Jeanne"
    assert _fits_the_screen(phone_page)
    screenshot(phone_page, "ateliers-inscription-erreurs-390")
    assert axe_violations(phone_page) == []

    phone_page.locator("#id_nom").fill("Martin")
    phone_page.get_by_label("Téléphone").fill("06 12 34 56 78")
    phone_page.get_by_label("E-mail").fill("jeanne@exemple.test")
    phone_page.get_by_label("J'accepte que mes coordonnées soient enregistrées").check()
    phone_page.get_by_role("button", name="M'inscrire").click()
    phone_page.wait_for_load_state()
    heading = phone_page.get_by_role("heading", name="Votre demande d'inscription est reçue")
    assert heading.is_visible()
    assert phone_page.get_by_text("4 rue de l'Université").is_visible()
    assert phone_page.get_by_text("Un e-mail vous est envoyé").is_visible()
    assert _fits_the_screen(phone_page)
    screenshot(phone_page, "ateliers-inscription-recue-390")
    assert axe_violations(phone_page) == []

    inscription = Inscription.objects.get(usager__email="jeanne@exemple.test")
    assert inscription.seance == seance and inscription.statut == StatutInscription.INSCRIT
    assert len(mailoutbox) == 1
