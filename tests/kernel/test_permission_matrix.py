"""Role x URL matrix built from the URLconf: every named URL declares who may open it.

A new view that declares nothing fails here; a role outside the declared ones must get a 403,
an anonymous visitor the login page; public pages open to all. Objects are given ids that do
not exist, so an allowed role gets past the role check and ends on a 404, never a 403.

Then the objects: every URL naming an object is opened on real objects of two sides (two
conseillers, two partner structures, tests/objects.py) by each account its view lets in. A
conseiller opens their own usager and gets a 404 for the other conseiller's; a prescripteur gets
a 404 on another structure's request or orientation; the coordination opens both.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from poitiers_inclusion.enums import Role
from poitiers_inclusion.perms import STAFF
from tests.objects import World
from tests.routes import ROUTES
from tests.routes import access as _access
from tests.routes import sample_kwargs as _sample_kwargs


def _request(client, url):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def test_every_named_url_declares_its_access():
    undeclared = [name for name, pattern in ROUTES if _access(pattern.callback) is None]
    assert undeclared == [], f"Ces vues ne déclarent ni rôles ni accès public : {undeclared}"


@pytest.mark.parametrize("name,pattern", ROUTES, ids=[name for name, _ in ROUTES])
def test_role_matrix(name, pattern, client, users, client_for):
    access = _access(pattern.callback)
    url = reverse(name, kwargs=_sample_kwargs(pattern))

    anonymous = _request(client, url)
    if access == "public":
        assert anonymous.status_code in (200, 302, 404), (url, anonymous.status_code)
        return
    if access == "api":
        assert anonymous.status_code == 401, (url, anonymous.status_code)
        return
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"], url

    for role in Role.values:
        response = _request(client_for(users[role]), url)
        if role in access:
            assert response.status_code not in (401, 403, 500), (url, role, response.status_code)
        else:
            assert response.status_code == 403, (url, role, response.status_code)
            assert "Accès refusé" in response.content.decode()


def test_inactive_account_is_refused(make_user, client_for):
    user = make_user(Role.COORDINATEUR)
    client = client_for(user)
    user.is_active = False
    user.save()
    response = client.get(reverse("reseau:structure_list"))
    assert response.status_code in (302, 403)


def test_django_admin_needs_staff(users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get("/django-admin/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_every_page_is_french_with_a_unique_title(users, client_for, client):
    """RGAA: each page has lang="fr" and a title of its own (pages without parameters, GET)."""
    import re

    titles = {}
    for name, pattern in ROUTES:
        if pattern.pattern.converters:
            continue
        access = _access(pattern.callback)
        if access == "api":
            continue
        viewer = client if access == "public" else client_for(users[sorted(access)[0]])
        response = viewer.get(reverse(name))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert '<html lang="fr"' in html, name
        assert "---------" not in html, f"{name} : choix vide non traduit"
        # Every field is as large as the others (44-px touch targets come with these classes).
        for tag in re.findall(r"<select\b[^>]*>", html):
            assert "form-select" in tag, (name, tag)
        for tag in re.findall(r"<input\b[^>]*>", html):
            kind = re.search(r'type="([a-z]+)"', tag)
            if kind and kind.group(1) in ("hidden", "checkbox", "radio", "submit", "file"):
                continue
            assert "form-control" in tag, (name, tag)
        match = re.search(r"<title>(.*?)</title>", html, re.S)
        assert match and match.group(1).strip(), f"{name} n'a pas de titre"
        titles.setdefault(" ".join(match.group(1).split()), []).append(name)
    duplicates = {title: names for title, names in titles.items() if len(names) > 1}
    assert duplicates == {}


# How an object's URL answers an account of the other side (the coordination opens both):
SHARED = "shared"  # every role the view lets in opens it (the directory, the workshop's devices)
SCOPED = "scoped"  # only its own side: the other side's object does not exist for them (404)
EDITABLE = "editable"  # seen by all the team, changed by its own side only (403 to the others)

# URL name -> (kind of object in tests/objects.py, rule).
OBJECT_CASES = {
    "ateliers:call_done": ("appel_atelier", SCOPED),
    "ateliers:inscription_cancel": ("inscription", SCOPED),
    "ateliers:module_edit": ("module", SHARED),
    "ateliers:parcours_edit": ("parcours", SHARED),
    "ateliers:presence": ("inscription", SCOPED),
    "ateliers:seance_cancel": ("seance", EDITABLE),
    "ateliers:seance_detail": ("seance", SHARED),
    "ateliers:seance_edit": ("seance", EDITABLE),
    "ateliers:seance_register": ("seance", SHARED),
    "ateliers:seance_walk_in": ("seance", EDITABLE),
    "kernel:user_edit": ("account", SHARED),
    "kernel:user_invite": ("account", SHARED),
    "ordinateurs:attribution_hand_over": ("attribution", SHARED),
    "ordinateurs:attribution_withdraw": ("attribution", SHARED),
    "ordinateurs:ceremonie_detail": ("ceremonie", SHARED),
    "ordinateurs:ceremonie_edit": ("ceremonie", SHARED),
    "ordinateurs:ceremonie_invite": ("ceremonie", SHARED),
    "ordinateurs:ceremonie_plan": ("ceremonie", SHARED),
    "ordinateurs:certificat_effacement": ("ordinateur", SHARED),
    "ordinateurs:certificats_don": ("don", SHARED),
    "ordinateurs:etiquette": ("ordinateur", SHARED),
    "ordinateurs:controle_create": ("ordinateur", SHARED),
    "ordinateurs:demande_decide": ("demande", SHARED),
    "ordinateurs:demande_detail": ("demande", SCOPED),
    "ordinateurs:demande_edit": ("demande", SCOPED),
    "ordinateurs:demande_propose": ("demande", SHARED),
    "ordinateurs:don_attestation": ("don", SHARED),
    "ordinateurs:don_cancel": ("don", SHARED),
    "ordinateurs:don_collect": ("don", SHARED),
    "ordinateurs:don_detail": ("don", SHARED),
    "ordinateurs:don_plan": ("don", SHARED),
    "ordinateurs:donateur_bilan": ("donateur", SHARED),
    "ordinateurs:donateur_detail": ("donateur", SHARED),
    "ordinateurs:donateur_edit": ("donateur", SHARED),
    "ordinateurs:effacement_create": ("stockage", SHARED),
    "ordinateurs:effacement_preuve": ("effacement", SHARED),
    "ordinateurs:evenement_piece": ("evenement", SHARED),
    "ordinateurs:ordinateur_detail": ("ordinateur", SHARED),
    "ordinateurs:ordinateur_edit": ("ordinateur", SHARED),
    "ordinateurs:ordinateur_move": ("ordinateur", SHARED),
    "ordinateurs:recu_remise": ("remise", SCOPED),
    "ordinateurs:stockage_add": ("ordinateur", SHARED),
    "ordinateurs:temoignage_create": ("ceremonie", SHARED),
    "permanences:booking_mediation": ("rendez_vous", SCOPED),
    "permanences:call_done": ("appel_rendez_vous", SCOPED),
    "permanences:booking_status": ("rendez_vous", SCOPED),
    "permanences:closure_delete": ("fermeture", SHARED),
    "permanences:closure_edit": ("fermeture", SHARED),
    "permanences:mediation_delete": ("mediation", SCOPED),
    "permanences:mediation_duplicate": ("mediation", SCOPED),
    "permanences:mediation_edit": ("mediation", SCOPED),
    "permanences:permanence_edit": ("permanence", SHARED),
    "permanences:permanence_end": ("permanence", SHARED),
    "permanences:permanence_move": ("permanence", SHARED),
    "permanences:usager_anonymise": ("usager", SCOPED),
    "permanences:usager_delete": ("usager", SHARED),
    "permanences:usager_detail": ("usager", SCOPED),
    "permanences:usager_export_json": ("usager", SCOPED),
    "permanences:usager_export_print": ("usager", SCOPED),
    "permanences:usager_merge": ("usager", SCOPED),
    "reporting:attach_report": ("reunion", SHARED),
    "reporting:share_revoke": ("vue_partagee", SHARED),
    "reseau:annuaire_structure": ("structure", SHARED),
    "reseau:campagne_close": ("campagne", SHARED),
    "reseau:campagne_detail": ("campagne", SHARED),
    "reseau:campagne_remind": ("campagne", SHARED),
    "reseau:contact_archive": ("contact", SHARED),
    "reseau:contact_edit": ("contact", SHARED),
    "reseau:lieu_archive": ("lieu", SHARED),
    "reseau:offre_archive": ("offre", SHARED),
    "reseau:offre_edit": ("offre", SHARED),
    "reseau:lieu_confirm": ("lieu_a_confirmer", SHARED),
    "reseau:lieu_merge": ("lieu_a_confirmer", SHARED),
    "reseau:lieu_edit": ("lieu", SHARED),
    "reseau:orientation_answer": ("orientation", SCOPED),
    "reseau:orientation_detail": ("orientation", SCOPED),
    "reseau:orientation_piece_jointe": ("orientation", SCOPED),
    "reseau:quartier_edit": ("quartier", SHARED),
    "reseau:reunion_attendance": ("reunion", SHARED),
    "reseau:reunion_compte_rendu": ("reunion", SHARED),
    "reseau:reunion_detail": ("reunion", SHARED),
    "reseau:reunion_edit": ("reunion", SHARED),
    "reseau:reunion_invite": ("reunion", SHARED),
    "reseau:reunion_rapport": ("reunion", SHARED),
    "reseau:structure_archive": ("structure", SHARED),
    "reseau:structure_edit": ("structure", SHARED),
}

# URLs with arguments that name no object of the role matrix, and why.
NOT_OBJECTS = {
    "reporting:export_table_csv": "a dashboard table, computed within the viewer's own figures",
    "reporting:export_table_xlsx": "a dashboard table, computed within the viewer's own figures",
    "kernel:outbox_retry": "an undelivered e-mail: the coordination and the admin see them all",
}

OBJECT_ROUTES = [(name, pattern) for name, pattern in ROUTES if name in OBJECT_CASES]


def test_every_url_naming_an_object_has_object_cases():
    """Public URLs carry their own secret (a token) or show published information."""
    missing = [
        name
        for name, pattern in ROUTES
        if pattern.pattern.converters
        and _access(pattern.callback) != "public"
        and name not in OBJECT_CASES
        and name not in NOT_OBJECTS
    ]
    assert missing == []


def _expected(rule, role, account_side, object_side) -> str:
    if rule == SHARED or role in STAFF or account_side == object_side:
        return "opens"
    return "refused (403)" if rule == EDITABLE else "not found (404)"


def _seen(response) -> str:
    if response.status_code == 404:
        return "not found (404)"
    if response.status_code == 403:
        return "refused (403)"
    if response.status_code >= 500:
        return f"error ({response.status_code})"
    return "opens"


def _answer(client, url):
    """The answer to a GET (a POST, empty, for an action); what it changed is rolled back."""
    with transaction.atomic():
        response = _request(client, url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # a download is read while the file is there
        transaction.set_rollback(True)
    return response


def _kwargs(name, pattern, obj) -> dict:
    kwargs = {"pk": obj.pk}
    if "year" in pattern.pattern.converters:
        kwargs["year"] = datetime.date.today().year
    return kwargs


@pytest.mark.parametrize("name,pattern", OBJECT_ROUTES, ids=[name for name, _ in OBJECT_ROUTES])
def test_object_matrix(name, pattern, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kind, rule = OBJECT_CASES[name]
    world = World()
    objects = world.pair(kind)
    seen, expected = {}, {}
    for account, account_side in world.accounts(_access(pattern.callback)):
        client = client_for(account)
        for object_side, obj in objects.items():
            url = reverse(name, kwargs=_kwargs(name, pattern, obj))
            key = f"{account.role} {account_side or ''} -> {object_side}"
            seen[key] = _seen(_answer(client, url))
            expected[key] = _expected(rule, account.role, account_side, object_side)
    assert seen == expected
