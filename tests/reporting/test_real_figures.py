"""End to end with the figures the apps really register (permanences, réseau): page, API, export."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from permanences.enums import TypeActivite
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import ApiToken
from tests.factories import ContactFactory, LieuFactory, UsagerFactory
from tests.permanences.factories import MediationFactory


@pytest.fixture
def activity(users, make_user):
    """Known by hand: 5 accompagnements (3 individual, 2 in a workshop) for 4 usagers; 1 in 2021."""
    conseiller = make_user(Role.CONSEILLER)
    regular = UsagerFactory(identified=True)
    first, second = LieuFactory(nom="Médiathèque"), LieuFactory(nom="Mairie de quartier")
    # The same identified usager seen in two places counts once among unique usagers.
    MediationFactory(
        conseiller=conseiller, lieu=first, date=datetime.date(2022, 3, 1), usagers=[regular]
    )
    MediationFactory(
        conseiller=conseiller, lieu=second, date=datetime.date(2022, 4, 1), usagers=[regular]
    )
    MediationFactory(conseiller=conseiller, lieu=first, date=datetime.date(2022, 5, 2))
    MediationFactory(
        conseiller=conseiller,
        lieu=second,
        date=datetime.date(2022, 6, 7),
        type_activite=TypeActivite.COLLECTIF,
        usagers=[UsagerFactory(), UsagerFactory()],
    )
    MediationFactory(
        conseiller=users[Role.CONSEILLER], lieu=first, date=datetime.date(2021, 12, 31)
    )
    ContactFactory.create_batch(2)
    return conseiller


def test_every_app_registers_its_figures():
    # What the tests below stand on: were an app's registration lost, this says so first.
    assert sorted(figures.api_blocks()) == [
        "ateliers",
        "ensemble",
        "mediations",
        "ordinateurs",
        "reseau",
    ]
    assert {"general", "ateliers", "ordinateurs", "reseau"} <= {s.key for s in figures.sections()}


def _api(client, user, **params):
    token = ApiToken.issue(user)
    return client.get(
        reverse("reporting_api:statistics"), params, headers={"Authorization": f"Bearer {token}"}
    ).json()


def _integers(block, keys):
    return {key: block[key] for key in keys if isinstance(block[key], int)}


def test_the_api_serves_the_published_keys_as_integers(activity, users, client):
    data = _api(client, users[Role.COORDINATEUR], du="2022-01-01", au="2022-12-31")
    keys = ("total", "individuels", "collectifs", "usagers_uniques")
    assert _integers(data["mediations"], keys) == {
        "total": 5,
        "individuels": 3,
        "collectifs": 2,
        "usagers_uniques": 4,
    }
    reseau = data["reseau"]
    assert all(isinstance(reseau[k], int) for k in ("structures", "contacts", "reunions"))
    assert reseau["contacts"] == 2
    for breakdown in ("par_lieu", "par_thematique", "par_tranche_age", "par_genre", "par_mois"):
        assert all(isinstance(row["valeur"], int) for row in data["mediations"][breakdown])
    by_lieu = {row["label"]: row["valeur"] for row in data["mediations"]["par_lieu"]}
    assert by_lieu == {"Médiathèque": 2, "Mairie de quartier": 3}


def test_the_api_period_is_inclusive(activity, users, client):
    day = _api(client, users[Role.COORDINATEUR], du="2021-12-31", au="2021-12-31")
    assert day["mediations"]["total"] == 1
    assert _api(client, users[Role.ADMIN])["mediations"]["total"] == 6


def test_the_dashboard_shows_every_registered_section(activity, users, client_for):
    html = client_for(users[Role.COORDINATEUR]).get(reverse("reporting:dashboard")).content.decode()
    for spec in figures.sections():
        assert f'id="section-{spec.key}"' in html


def test_a_conseiller_dashboard_counts_only_their_activity(activity, users, client_for):
    from permanences.figures import activity as activity_figures

    scope = figures.Scope(user=users[Role.CONSEILLER])
    assert activity_figures.api_block(scope)["total"] == 1
    html = client_for(users[Role.CONSEILLER]).get(reverse("reporting:dashboard")).content.decode()
    assert "Votre propre activité." in html


def test_the_workbook_has_one_sheet_per_registered_section(activity, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(
        reverse("reporting:export_dashboard"), {"du": "2022-01-01"}
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.sheetnames) == len(figures.sections())
    first = workbook.worksheets[0]
    assert ["Période", "depuis le 01/01/2022"] in [
        [c.value for c in row][:2] for row in first.iter_rows()
    ]


YEAR_2022 = {"du": "2022-01-01", "au": "2022-12-31"}


def test_with_the_demo_data_the_api_returns_the_citys_published_figures(db, client, users):
    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())
    # Over 2022, the published year: the demo also holds this year's activity up to today.
    data = _api(client, users[Role.COORDINATEUR], **YEAR_2022)
    assert (data["mediations"]["total"], data["mediations"]["usagers_uniques"]) == (1000, 600)
    # 17 workshops for 40 unique participants, 15 of them also helped at the drop-ins.
    assert (data["ateliers"]["seances"], data["ateliers"]["participants_uniques"]) == (17, 40)
    assert data["ensemble"] == {
        "usagers_uniques": 625,
        "en_mediation": 600,
        "en_atelier": 40,
        "aux_deux": 15,
    }
    # 183 computers donated, 163 reconditioned, 78 households equipped.
    computers = data["ordinateurs"]
    assert (computers["dons"], computers["reconditionnes"], computers["foyers_equipes"]) == (
        183,
        163,
        78,
    )
    assert computers["remis"] == 78 and computers["non_reemployables"] == 20
    # The programme shows the coming sessions, the next one full with a waiting list.
    from ateliers.models import Seance

    upcoming = Seance.objects.upcoming().with_counts().order_by("date")
    assert upcoming.count() == 6
    assert (upcoming[0].nb_inscrits, upcoming[0].capacite, upcoming[0].nb_attente) == (2, 2, 1)
    # Running it twice changes nothing.
    call_command("demo", stdout=io.StringIO())
    assert _api(client, users[Role.COORDINATEUR], **YEAR_2022)["ateliers"]["seances"] == 17
    assert Seance.objects.count() == 17 + 1 + 6
    assert _api(client, users[Role.COORDINATEUR], **YEAR_2022)["ordinateurs"]["dons"] == 183


def test_each_role_sees_the_sections_meant_for_it(users, client_for, activity):
    def keys(role):
        response = client_for(users[role]).get(reverse("reporting:dashboard"))
        return [section.key for section in response.context["sections"]]

    everything = [
        "ensemble",
        "general",
        "permanences",
        "publics",
        "ateliers",
        "thematiques",
        "satisfaction",
        "ordinateurs",
        "reseau",
    ]
    assert keys(Role.COORDINATEUR) == everything
    # A conseiller: their own activity; the computers are the coordination's and partners'.
    assert keys(Role.CONSEILLER) == [key for key in everything if key != "ordinateurs"]
    # A prescripteur sees no médiation: only the network (their structure's orientations).
    assert keys(Role.PRESCRIPTEUR) == ["ordinateurs", "reseau"]
