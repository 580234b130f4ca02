"""Workshop figures on data whose answer is known by hand, and how they meet the médiations."""

import datetime

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone

from ateliers import figures as ateliers_figures
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role, TrancheAge
from poitiers_inclusion.models import ApiToken
from reporting import crossapp
from tests.ateliers.factories import InscriptionFactory, ModuleFactory, SeanceFactory
from tests.factories import LieuFactory, UsagerFactory
from tests.permanences.factories import MediationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world(users):
    """Known by hand, in 2022:
    - "Mail" at the médiathèque on 10/03 (4 places): Ana, Bob, Chloé present, Dan absent;
      Eve stayed on the waiting list;
    - "Mail" again on 17/03 (4 places): Ana present again, Fay registered, not marked (the
      conseiller marked Ana only);
    - "Smartphone" at the mairie on 05/04 (2 places): Bob present, and Gus who came without
      registering;
    - a cancelled session on 12/04 and a session next week do not count.
    Sessions held: 3. Unique participants: Ana, Bob, Chloé, Gus = 4. Presences: 6.
    Registered on held sessions: 4 + 2 + 2 = 8 for 10 places: fill rate 80 %.
    Attendance rate, where attendance was taken (all three): 6 present / 8 registered = 75 %.
    """
    conseiller = users[Role.CONSEILLER]
    mediatheque, mairie = LieuFactory(nom="Médiathèque"), LieuFactory(nom="Mairie")
    mail, phone = ModuleFactory(titre="Mail"), ModuleFactory(titre="Smartphone")
    people = {
        name: UsagerFactory(identified=True, first_name=name, birth_year=year)
        for name, year in [
            ("Ana", 1950),
            ("Bob", 1990),
            ("Chloé", 1950),
            ("Dan", 1980),
            ("Eve", 1970),
            ("Fay", 1970),
            ("Gus", 2000),
        ]
    }
    first = SeanceFactory(
        module=mail, lieu=mediatheque, date=D(2022, 3, 10), capacite=4, animateurs=[conseiller]
    )
    for name in ("Ana", "Bob", "Chloé"):
        InscriptionFactory(seance=first, usager=people[name], present=True)
    InscriptionFactory(seance=first, usager=people["Dan"], absent=True)
    InscriptionFactory(seance=first, usager=people["Eve"], attente=True)
    second = SeanceFactory(module=mail, lieu=mediatheque, date=D(2022, 3, 17), capacite=4)
    InscriptionFactory(seance=second, usager=people["Ana"], present=True)
    InscriptionFactory(seance=second, usager=people["Fay"])
    third = SeanceFactory(module=phone, lieu=mairie, date=D(2022, 4, 5), capacite=2)
    InscriptionFactory(seance=third, usager=people["Bob"], present=True)
    InscriptionFactory(seance=third, usager=people["Gus"], present=True, origine="sur_place")
    cancelled = SeanceFactory(
        module=phone, lieu=mairie, date=D(2022, 4, 12), cancelled_at=timezone.now()
    )
    InscriptionFactory(seance=cancelled, usager=people["Dan"])
    InscriptionFactory(seance=SeanceFactory(module=phone), usager=people["Dan"])  # next week
    return {"people": people, "conseiller": conseiller, "mediatheque": mediatheque, "mail": mail}


def test_the_totals_are_those_counted_by_hand(world):
    t = ateliers_figures.totals(figures.Scope())
    assert (t["seances"], t["participants_uniques"], t["participations"]) == (3, 4, 6)
    assert (t["inscriptions"], t["places"], t["taux_remplissage"]) == (8, 10, 80.0)
    assert t["taux_presence"] == 75.0
    assert (t["liste_attente"], t["passes_de_la_liste_attente"]) == (1, 0)


def test_the_breakdowns(world):
    scope = figures.Scope()
    modules = {row["module"].titre: row for row in ateliers_figures.per_module(scope)}
    assert (
        modules["Mail"]["seances"],
        modules["Mail"]["presents"],
        modules["Mail"]["personnes"],
    ) == (2, 4, 3)
    assert modules["Mail"]["remplissage"] == 75.0  # 6 registered for 8 places
    assert modules["Smartphone"]["remplissage"] == 100.0
    months = [
        (row["mois"], row["seances"], row["presents"]) for row in ateliers_figures.per_month(scope)
    ]
    assert months == [(D(2022, 3, 1), 2, 4), (D(2022, 4, 1), 1, 2)]
    ages = {row["code"]: row["valeur"] for row in ateliers_figures.per_age_band(scope)}
    assert ages[TrancheAge.PLUS_DE_70] == 2  # Ana and Chloé, born in 1950
    assert sum(ages.values()) == 4


def test_the_filters_apply(world):
    march = figures.Scope(start=D(2022, 3, 1), end=D(2022, 3, 31))
    assert ateliers_figures.totals(march)["seances"] == 2
    at_mediatheque = figures.Scope(lieux=(world["mediatheque"].pk,))
    assert ateliers_figures.totals(at_mediatheque)["participants_uniques"] == 3
    own = figures.Scope(user=world["conseiller"])  # a conseiller: the sessions they facilitate
    assert ateliers_figures.totals(own)["seances"] == 1
    assert (
        ateliers_figures.totals(figures.Scope(app_filters={"type": ("individuel",)}))["seances"]
        == 0
    )
    individual_help = figures.Scope(app_filters={"type": ("individuel",)})
    assert ateliers_figures.per_age_band(individual_help) == []  # no workshop: no participant
    assert ateliers_figures.per_age_band(march) != []


def test_a_merged_record_counts_as_the_person_kept(world):
    duplicate = UsagerFactory(identified=True, merged_into=world["people"]["Ana"])
    seance = SeanceFactory(date=D(2022, 5, 2))
    InscriptionFactory(seance=seance, usager=duplicate, present=True)
    assert ateliers_figures.totals(figures.Scope())["participants_uniques"] == 4


def test_a_workshop_participant_also_seen_at_a_drop_in_counts_once(world):
    ana, bob = world["people"]["Ana"], world["people"]["Bob"]
    MediationFactory(date=D(2022, 6, 1), usagers=[ana])
    MediationFactory(date=D(2022, 6, 2), usagers=[ana, UsagerFactory()])
    MediationFactory(date=D(2022, 6, 3), usagers=[UsagerFactory(merged_into=bob)])
    counts = crossapp.people(figures.Scope())
    # Médiations: Ana, Bob (through his duplicate) and one anonymous person = 3 usagers.
    # Workshops: Ana, Bob, Chloé, Gus = 4. Both: Ana and Bob. In all: 3 + 4 - 2 = 5.
    assert counts == {"usagers_uniques": 5, "en_mediation": 3, "en_atelier": 4, "aux_deux": 2}
    # In a period without workshops, the médiations alone.
    june = crossapp.people(figures.Scope(start=D(2022, 6, 1), end=D(2022, 6, 30)))
    assert june == {"usagers_uniques": 3, "en_mediation": 3, "en_atelier": 0, "aux_deux": 0}


def test_the_dashboard_and_the_api_show_the_workshops(world, users, client_for, client):
    html = client_for(users[Role.COORDINATEUR]).get(reverse("reporting:dashboard")).content.decode()
    assert "Séances tenues" in html and "Ensemble des publics" in html
    token = ApiToken.issue(users[Role.COORDINATEUR])
    payload = client.get(
        reverse("reporting_api:statistics"), headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert payload["ateliers"]["seances"] == 3 and payload["ateliers"]["participants_uniques"] == 4
    assert payload["ensemble"]["usagers_uniques"] == 4
    schema = client.get(reverse("reporting_api:openapi")).json()["components"]["schemas"]
    jsonschema.validate(payload, schema["Statistiques"])


def test_a_prescripteur_sees_no_workshop_section(world, users):
    keys = [spec.key for spec in figures.sections(users[Role.PRESCRIPTEUR])]
    assert "ateliers" not in keys and "ensemble" not in keys
