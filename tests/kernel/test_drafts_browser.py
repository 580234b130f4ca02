"""In a real browser: a long form sent while the server is unavailable keeps what was typed (the
tab's draft, static/js/drafts.js), a resident's personal fields never enter a draft, and two
people editing the same lieu (poitiers_inclusion/concurrency.py)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from poitiers_inclusion.enums import Role
from reseau.models import Lieu
from tests.browser import axe_violations, login_in_browser, screenshot
from tests.factories import LieuFactory, StructureFactory, UserFactory

from .test_outage import _server_gone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DETAIL = "Accueil sans rendez-vous le mardi ; atelier tablette le jeudi."


def _wait_for_draft(page, text):
    """The draft is written a moment after typing stops: wait until this tab keeps it."""
    page.wait_for_function(
        """text => Object.keys(sessionStorage).some(
            key => key.startsWith("brouillon:") && sessionStorage.getItem(key).includes(text))""",
        arg=text,
    )


def _unavailable_page(user, url) -> str:
    """The page the application answers to a form sent while its database is away."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    with connection.execute_wrapper(_server_gone):
        response = client.post(url, {"nom": "x"})
    assert response.status_code == 503
    return response.content.decode()


def _new_context(browser):
    return browser.new_context(locale="fr-FR", reduced_motion="reduce")


def test_a_long_form_sent_while_the_server_is_unavailable_keeps_what_was_typed(
    browser, live_server
):
    coordinator = UserFactory(role=Role.COORDINATEUR)
    lieu = LieuFactory(nom="Médiathèque des Couronneries")
    path = reverse("reseau:lieu_edit", args=[lieu.pk])
    unavailable = _unavailable_page(coordinator, path)
    context = _new_context(browser)
    page = context.new_page()
    try:
        login_in_browser(page, live_server, coordinator)
        page.goto(live_server.url + path)
        assert not page.get_by_role("region", name="Saisie retrouvée").is_visible()
        page.get_by_label("Présentation détaillée").fill(DETAIL)
        _wait_for_draft(page, DETAIL)

        # The database is away when the form is sent: the server answers its 503 page.
        def answer_unavailable(route):
            if route.request.method == "POST":
                route.fulfill(status=503, body=unavailable, content_type="text/html")
            else:
                route.continue_()

        page.route(re.compile(re.escape(live_server.url + path) + "$"), answer_unavailable)
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("alert")).to_contain_text("n’a pas été enregistré")
        page.unroute(re.compile(re.escape(live_server.url + path) + "$"))

        # Opened again (the page's "Réessayer", a reload, the link): what was typed is back.
        page.goto(live_server.url + path)
        banner = page.get_by_role("region", name="Saisie retrouvée")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("n’a pas été enregistrée : elle a été remise")
        expect(page.get_by_label("Présentation détaillée")).to_have_value(DETAIL)
        assert axe_violations(page) == []
        screenshot(page, "draft-restored-lieu")

        # The database is back: saved, and the draft is forgotten.
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("status")).to_contain_text("est enregistré")
        assert Lieu.objects.get(pk=lieu.pk).presentation_detail == DETAIL
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Médiathèque")
        assert not page.get_by_role("region", name="Saisie retrouvée").is_visible()
    finally:
        context.close()


def test_the_person_oriented_never_enters_the_draft(browser, live_server):
    StructureFactory(nom="Centre social des Trois-Cités")
    prescripteur = UserFactory(
        prescripteur=True, structure=StructureFactory(nom="CCAS de Poitiers")
    )
    context = _new_context(browser)
    page = context.new_page()
    try:
        login_in_browser(page, live_server, prescripteur)
        page.goto(live_server.url + reverse("reseau:orientation_create"))
        page.locator("#id_prenom").fill("Mireille")
        page.locator("#id_nom").fill("Dupuis-Marchand")
        page.locator("#id_structure_destination").select_option(
            label="Centre social des Trois-Cités"
        )
        _wait_for_draft(page, '"structure_destination"')
        drafts = page.evaluate(
            """() => Object.keys(sessionStorage).filter(k => k.startsWith("brouillon:"))
                .map(k => sessionStorage.getItem(k)).join("")"""
        )
        assert "Mireille" not in drafts and "Dupuis-Marchand" not in drafts
    finally:
        context.close()


def test_two_people_edit_the_same_lieu_the_second_sees_both_versions(browser, live_server):
    jeanne = UserFactory(role=Role.COORDINATEUR, first_name="Jeanne", last_name="Martin")
    karim = UserFactory(role=Role.COORDINATEUR, first_name="Karim", last_name="Benali")
    lieu = LieuFactory(nom="Médiathèque", horaires="")
    url = live_server.url + reverse("reseau:lieu_edit", args=[lieu.pk])
    contexts = [_new_context(browser), _new_context(browser)]
    try:
        pages = []
        for context, person in zip(contexts, (jeanne, karim), strict=True):
            page = context.new_page()
            login_in_browser(page, live_server, person)
            page.goto(url)
            pages.append(page)
        first, second = pages

        first.locator("#id_nom").fill("Médiathèque François-Mitterrand")
        first.get_by_role("button", name="Enregistrer").click()
        expect(first.get_by_role("status")).to_contain_text("est enregistré")

        second.locator("#id_nom").fill("Médiathèque du centre")
        second.get_by_role("button", name="Enregistrer").click()
        alert = second.get_by_role("alert")
        expect(alert).to_contain_text("Cette fiche a été modifiée par Jeanne Martin le ")
        expect(alert).to_contain_text("vos modifications n'ont pas été enregistrées")
        # What Karim typed is kept; Jeanne's saved value is written beside the field.
        expect(second.locator("#id_nom")).to_have_value("Médiathèque du centre")
        expect(second.locator("#id_nom").locator("xpath=..")).to_contain_text(
            "Enregistré entre-temps : « Médiathèque François-Mitterrand »."
        )
        assert axe_violations(second) == []
        screenshot(second, "lieu-changed-meanwhile")
        assert Lieu.objects.get(pk=lieu.pk).nom == "Médiathèque François-Mitterrand"

        # Having read both, Karim keeps his: sent again, it is saved.
        second.get_by_role("button", name="Enregistrer").click()
        expect(second.get_by_role("status")).to_contain_text("est enregistré")
        assert Lieu.objects.get(pk=lieu.pk).nom == "Médiathèque du centre"
    finally:
        for context in contexts:
            context.close()


def test_signing_out_forgets_the_drafts_of_the_tab(browser, live_server):
    """A shared tablet: what one person typed and did not send is gone once they sign out."""
    coordinator = UserFactory(role=Role.COORDINATEUR)
    lieu = LieuFactory(nom="Médiathèque des Couronneries")
    path = reverse("reseau:lieu_edit", args=[lieu.pk])
    context = _new_context(browser)
    page = context.new_page()
    try:
        login_in_browser(page, live_server, coordinator)
        page.goto(live_server.url + path)
        page.get_by_label("Présentation détaillée").fill(DETAIL)
        _wait_for_draft(page, DETAIL)
        page.get_by_role("button", name="Se déconnecter").click()
        expect(page.get_by_label("Mot de passe")).to_be_visible()
        kept = page.evaluate(
            "() => Object.keys(sessionStorage).filter(key => key.startsWith('brouillon:'))"
        )
        assert kept == []
        login_in_browser(page, live_server, coordinator)
        page.goto(live_server.url + path)
        expect(page.get_by_label("Présentation détaillée")).to_be_visible()
        assert not page.get_by_role("region", name="Saisie retrouvée").is_visible()
    finally:
        context.close()
