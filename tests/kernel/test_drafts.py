"""The long forms keep a browser draft (static/js/drafts.js), with the banner that offers it back;
a resident's personal fields are marked so that no draft keeps them (DESIGN §9). The browser's
side is tests/kernel/test_drafts_browser.py."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from poitiers_inclusion.enums import Role
from reseau.models import Orientation
from tests.factories import LieuFactory, StructureFactory
from tests.reseau.factories import ReunionFactory

pytestmark = pytest.mark.django_db


class _Inputs(HTMLParser):
    """The drafted form's fields, and whether each is kept out of the draft."""

    def __init__(self):
        super().__init__()
        self.drafted_forms = 0
        self.banners = 0
        self.skipped: dict[str, bool] = {}
        self._in_draft = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-draft" in attrs:
            self.drafted_forms += 1
            self._in_draft = True
        elif tag == "form":
            self._in_draft = False
        if attrs.get("id") == "draft-banner":
            self.banners += 1
        if self._in_draft and tag in ("input", "textarea", "select") and attrs.get("name"):
            name = attrs["name"]
            self.skipped[name] = self.skipped.get(name, True) and "data-draft-skip" in attrs

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_draft = False


def _parsed(client, url) -> _Inputs:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Inputs()
    parser.feed(response.content.decode())
    return parser


def _pages():
    lieu, structure, reunion = LieuFactory(), StructureFactory(), ReunionFactory()
    return [
        reverse("reseau:lieu_create"),
        reverse("reseau:lieu_edit", args=[lieu.pk]),
        reverse("reseau:structure_create"),
        reverse("reseau:structure_edit", args=[structure.pk]),
        reverse("reseau:orientation_create"),
        reverse("reseau:reunion_create"),
        reverse("reseau:reunion_edit", args=[reunion.pk]),
        reverse("reseau:reunion_detail", args=[reunion.pk]),  # its compte rendu
        reverse("ateliers:seance_create"),
        reverse("ateliers:module_create"),
        reverse("ordinateurs:demande_create"),
    ]


def test_each_long_form_keeps_a_draft_with_its_banner(client_for, make_user):
    client = client_for(make_user(Role.COORDINATEUR))
    for url in _pages():
        page = _parsed(client, url)
        assert (page.drafted_forms, page.banners) == (1, 1), url


def test_a_structure_s_own_record_keeps_a_draft(client_for, make_user):
    prescripteur = make_user(Role.PRESCRIPTEUR, structure=StructureFactory())
    page = _parsed(client_for(prescripteur), reverse("reseau:ma_structure"))
    assert (page.drafted_forms, page.banners) == (1, 1)


def test_the_person_oriented_stays_out_of_the_draft(client_for, make_user):
    page = _parsed(client_for(make_user(Role.COORDINATEUR)), reverse("reseau:orientation_create"))
    out = {name for name, skipped in page.skipped.items() if skipped}
    personal_in_the_form = set(Orientation.PERSONAL_FIELDS) & set(page.skipped)
    assert personal_in_the_form == {
        "prenom",
        "nom",
        "telephone",
        "courriel",
        "situation",
        "piece_jointe",
    }
    assert out == personal_in_the_form | {"consentement"}


def test_the_household_s_file_number_stays_out_of_the_draft(client_for, make_user):
    page = _parsed(client_for(make_user(Role.COORDINATEUR)), reverse("ordinateurs:demande_create"))
    assert {name for name, skipped in page.skipped.items() if skipped} == {
        "reference_interne",
        "consentement",
    }
    assert "besoin" in page.skipped  # what the computer is for is kept: pseudonymous
