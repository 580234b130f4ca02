"""Every export link the dashboard shows downloads a file that opens, with readable sheet titles."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from poitiers_inclusion.enums import Role
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.factories import LieuFactory, QuartierFactory, StructureFactory, UsagerFactory
from tests.ordinateurs.factories import ready_device
from tests.permanences.factories import MediationFactory, PermanenceFactory


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/pilotage/export"):
            self.hrefs.append(href.replace("&amp;", "&"))


@pytest.fixture
def city(users, make_user):
    """A little of everything the apps count: médiations, a workshop, a device, a structure."""
    quartier = QuartierFactory(nom="Couronneries", qpv=True)
    lieu = LieuFactory(nom="Médiathèque", quartier=quartier)
    PermanenceFactory(lieu=lieu)
    StructureFactory()
    conseiller = make_user(Role.CONSEILLER)
    day = datetime.date.today() - datetime.timedelta(days=10)
    MediationFactory(conseiller=conseiller, lieu=lieu, date=day, usagers=[UsagerFactory()])
    seance = SeanceFactory(lieu=lieu, date=day)
    InscriptionFactory(seance=seance, present=True)
    ready_device(make_user(Role.TECHNICIEN))
    return users[Role.COORDINATEUR]


def _unreadable(title: str, source: str) -> str | None:
    """Why a sheet title is not what a person should read, or None."""
    if "  " in title or title != title.strip() or not 0 < len(title) <= 31:
        return f"« {title} » (tiré de « {source} »)"
    # Cut at a word boundary: every word of the title is a whole word of its source.
    words = re.findall(r"[\w'’-]+", source)
    if any(word not in words for word in re.findall(r"[\w'’-]+", title)):
        return f"« {title} » coupe un mot de « {source} »"
    return None


def test_every_export_link_of_the_dashboard_opens(city, client_for):
    client = client_for(city)
    client.raise_request_exception = False  # a broken export is listed, not raised
    page = client.get(reverse("reporting:dashboard"))
    assert page.status_code == 200
    parser = _Links()
    parser.feed(page.content.decode())
    hrefs = sorted(set(parser.hrefs))
    assert any(h.endswith(".xlsx") for h in hrefs) and any(h.endswith(".csv") for h in hrefs)
    # The two tables whose titles broke the export (a « : » in the title).
    assert any("reseau_couverture.xlsx" in h for h in hrefs)
    assert any("ordinateurs_parcours.xlsx" in h for h in hrefs)
    failures = []
    for href in hrefs:
        response = client.get(href)
        if response.status_code != 200:
            failures.append(f"{href} : {response.status_code}")
            continue
        content = b"".join(response.streaming_content)
        if ".csv" in href:
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
            assert rows, href
            continue
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        assert workbook.sheetnames, href
        assert len({t.lower() for t in workbook.sheetnames}) == len(workbook.sheetnames)
        for title in workbook.sheetnames:
            first = next(workbook[title].iter_rows(max_row=1, values_only=True))[0]
            # The first line of a sheet names what it holds: the title comes from it.
            problem = _unreadable(title, str(first))
            if problem:
                failures.append(f"{href} : {problem}")
        workbook.close()
    assert not failures, "\n".join(failures)
