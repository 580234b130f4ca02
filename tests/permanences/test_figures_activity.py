"""Figures of the médiation log on crafted data whose answers are known by hand."""

import datetime

import pytest
from django.utils import timezone

from permanences.enums import Satisfaction, Thematique, TypeActivite, TypeLieu
from permanences.figures import activity, aggregates, breakdowns
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory, UserFactory
from tests.permanences.factories import MediationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world():
    """Two conseillers, two lieux, one identified person seen twice, a workshop of 9.

    - Jeanne (identified, born in 1950, lives in a QPV) is helped by A at the médiathèque on
      10/01/2024 (e-mail, 30 min, très satisfaite) and at the mairie on 05/02/2024 (santé, 45 min);
    - A runs a workshop at the médiathèque on 01/02/2024: 9 anonymous participants, 120 min,
      5 women, 4 men, all 70+;
    - B helps an anonymous man at the mairie on 31/03/2024 (démarches: logement, 15 min,
      redirected) and an anonymous woman on 01/04/2024 (e-mail, 90 min).
    """
    qpv = QuartierFactory(qpv=True, nom="Les Couronneries")
    centre = QuartierFactory(nom="Centre")
    mediatheque = LieuFactory(nom="Médiathèque", quartier=centre)
    mairie = LieuFactory(nom="Mairie", quartier=qpv)
    a = UserFactory(conseiller=True, first_name="Alice", last_name="A")
    b = UserFactory(conseiller=True, first_name="Bruno", last_name="B")
    jeanne = UsagerFactory(
        identified=True,
        birth_year=1950,
        genre=Genre.FEMININ,
        quartier=qpv,
        statut_social=StatutSocial.RETRAITE,
    )
    MediationFactory(
        conseiller=a,
        lieu=mediatheque,
        date=D(2024, 1, 10),
        duree_minutes=30,
        thematiques=[Thematique.EMAIL],
        satisfaction=Satisfaction.TRES_SATISFAIT,
        usagers=[jeanne],
    )
    MediationFactory(
        conseiller=a,
        lieu=mairie,
        date=D(2024, 2, 5),
        duree_minutes=45,
        thematiques=[Thematique.SANTE],
        usagers=[jeanne],
    )
    workshop = [
        UsagerFactory(
            genre=Genre.FEMININ if i < 5 else Genre.MASCULIN, tranche_age=TrancheAge.PLUS_DE_70
        )
        for i in range(9)
    ]
    MediationFactory(
        conseiller=a,
        lieu=mediatheque,
        date=D(2024, 2, 1),
        duree_minutes=120,
        type_activite=TypeActivite.COLLECTIF,
        thematiques=[Thematique.EMAIL],
        usagers=workshop,
    )
    MediationFactory(
        conseiller=b,
        lieu=mairie,
        date=D(2024, 3, 31),
        duree_minutes=15,
        thematiques=[Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES],
        thematiques_demarche=["logement"],
        redirige=True,
        structure_redirection="aide_sociale",
        satisfaction=Satisfaction.PEU_SATISFAIT,
        usagers=[UsagerFactory(genre=Genre.MASCULIN, tranche_age=TrancheAge.DE_25_A_39)],
    )
    MediationFactory(
        conseiller=b,
        lieu=mairie,
        date=D(2024, 4, 1),
        duree_minutes=90,
        thematiques=[Thematique.EMAIL],
        usagers=[UsagerFactory(genre=Genre.FEMININ, tranche_age=TrancheAge.DE_40_A_59)],
    )
    return {
        "a": a,
        "b": b,
        "jeanne": jeanne,
        "mediatheque": mediatheque,
        "mairie": mairie,
        "qpv": qpv,
        "centre": centre,
    }


def _by_label(rows):
    return {r["label"]: r["valeur"] for r in rows}


def test_totals_count_people_in_activities_and_people_once(world):
    totals = aggregates.totals(figures.Scope())
    assert totals == {
        "total": 13,  # 2 (Jeanne) + 9 (workshop) + 2 (Bruno's)
        "individuels": 4,
        "collectifs": 9,
        "activites": 5,
        "usagers_uniques": 12,  # Jeanne counts once although seen in two places
    }


def test_a_workshop_of_nine_is_nine_accompagnements_and_nine_usagers(world):
    scope = figures.Scope(app_filters={"type": (TypeActivite.COLLECTIF,)})
    totals = aggregates.totals(scope)
    assert (totals["total"], totals["usagers_uniques"], totals["activites"]) == (9, 9, 1)


def test_date_bounds_are_inclusive(world):
    scope = figures.Scope(start=D(2024, 1, 10), end=D(2024, 3, 31))
    assert aggregates.totals(scope)["total"] == 12
    assert aggregates.totals(figures.Scope(start=D(2024, 1, 11), end=D(2024, 3, 30)))["total"] == 10


def test_a_conseiller_sees_only_their_own_figures(world):
    totals = aggregates.totals(figures.Scope(user=world["b"]))
    assert (totals["total"], totals["usagers_uniques"]) == (2, 2)
    # ...even when asking for someone else's.
    assert (
        aggregates.totals(figures.Scope(user=world["b"], conseillers=(world["a"].pk,)))["total"]
        == 0
    )
    coordinator = UserFactory(coordinateur=True)
    assert aggregates.totals(figures.Scope(user=coordinator))["total"] == 13
    assert aggregates.totals(figures.Scope(user=UserFactory(technicien=True)))["total"] == 0


def test_filters_by_lieu_quartier_conseiller_and_theme(world):
    assert aggregates.totals(figures.Scope(lieux=(world["mairie"].pk,)))["total"] == 3
    assert aggregates.totals(figures.Scope(quartiers=(world["centre"].pk,)))["total"] == 10
    assert aggregates.totals(figures.Scope(conseillers=(world["a"].pk,)))["total"] == 11
    themed = aggregates.totals(
        figures.Scope(app_filters={"thematique": (Thematique.SANTE, Thematique.EMAIL)})
    )
    assert themed["total"] == 12 and themed["usagers_uniques"] == 11


def test_a_merged_usager_counts_as_the_person_kept(world):
    duplicate = UsagerFactory(merged_into=world["jeanne"])
    MediationFactory(conseiller=world["a"], date=D(2024, 2, 20), usagers=[duplicate])
    totals = aggregates.totals(figures.Scope())
    assert (totals["total"], totals["usagers_uniques"]) == (14, 12)


def test_new_and_returning_usagers(world):
    # From February: Jeanne came first in January, so she returns; the 11 others are new.
    assert aggregates.new_and_returning(figures.Scope(start=D(2024, 2, 1))) == {
        "nouveaux": 11,
        "revenus": 1,
    }
    assert aggregates.new_and_returning(figures.Scope()) == {"nouveaux": 12, "revenus": 0}
    kpis = dict(activity.general_section(figures.Scope(start=D(2024, 2, 1))).kpis)
    assert (kpis["Nouveaux usagers"], kpis["Usagers revenus (déjà accompagnés avant)"]) == (11, 1)


def test_per_month_lieu_and_conseiller(world):
    months = breakdowns.per_month(figures.Scope())
    assert [(m["code"], m["valeur"], m["usagers"]) for m in months] == [
        ("2024-01", 1, 1),
        ("2024-02", 10, 10),
        ("2024-03", 1, 1),
        ("2024-04", 1, 1),
    ]
    assert months[1]["label"] == "février 2024"
    lieux = {r["label"]: (r["valeur"], r["usagers"]) for r in breakdowns.per_lieu(figures.Scope())}
    assert lieux == {"Médiathèque": (10, 10), "Mairie": (3, 3)}
    people = {r["label"]: r["valeur"] for r in breakdowns.per_conseiller(figures.Scope())}
    assert people == {"Alice A": 11, "Bruno B": 2}


def test_publics_count_unique_people(world):
    scope = figures.Scope()
    assert _by_label(breakdowns.per_genre(scope)) == {"Féminin": 7, "Masculin": 5}
    ages = _by_label(breakdowns.per_age_band(scope))
    expected_jeanne = TrancheAge.for_age(timezone.localdate().year - 1950).label
    assert ages[expected_jeanne] == (10 if expected_jeanne == "70 ans et plus" else 1)
    assert ages["25 - 39 ans"] == 1 and ages["40 - 59 ans"] == 1
    assert sum(ages.values()) == 12
    assert _by_label(breakdowns.per_statut(scope)) == {
        "Retraité": 1,
        "Non communiqué ou hétérogène": 11,
    }
    assert _by_label(breakdowns.per_quartier(scope)) == {
        "Les Couronneries (QPV)": 1,
        "Non renseigné": 11,
    }
    assert breakdowns.qpv_share(scope) == {"qpv": 1, "quartier_connu": 1, "part": 100.0}


def test_themes_durations_and_the_rest(world):
    scope = figures.Scope()
    themes = _by_label(breakdowns.per_thematique(scope))
    assert themes == {"E-mail": 11, "Santé": 1, "Aide aux démarches administratives": 1}
    assert _by_label(breakdowns.per_demarche(scope)) == {"Logement": 1}
    assert _by_label(breakdowns.per_duration_band(scope)) == {
        "Moins de 30 min": 1,
        "30min à 1 h": 2,
        "1 h à 2 h": 1,
        "2 h et plus": 9,
    }
    redirections = breakdowns.redirections(scope)
    assert redirections["redirigés"] == 1
    assert _by_label(redirections["par_structure"]) == {
        "Structure d’aide sociale (maison des solidarités, centre social…)": 1
    }
    assert _by_label(breakdowns.per_satisfaction(scope)) == {
        "Très satisfait": 1,
        "Peu satisfait": 1,
        "Non renseigné": 11,
    }
    assert breakdowns.satisfied_share(scope) == 50.0
    assert _by_label(breakdowns.per_autonomie(scope)) == {"Non renseigné": 4}


def test_sections_and_api_block_are_registered(world):
    specs = {spec.key: spec for spec in figures.sections()}
    for key, order in (("general", 10), ("publics", 30), ("thematiques", 40), ("satisfaction", 50)):
        assert specs[key].order == order
        section = specs[key].build(figures.Scope())
        assert section.key == key and section.tables
        assert all(t.chart in ("bar", "line", "pie", "stacked", None) for t in section.tables)
    general = specs["general"].build(figures.Scope())
    assert ("Usagers uniques", 12) in general.kpis
    # Shares are written the French way.
    assert ("Satisfaits ou très satisfaits", "50,0\u00a0%") in specs["satisfaction"].build(
        figures.Scope()
    ).kpis
    assert ("Part des usagers résidant en QPV", "100,0\u00a0%") in specs["publics"].build(
        figures.Scope()
    ).kpis
    block = figures.api_blocks()["mediations"](figures.Scope())
    assert {k: block[k] for k in ("total", "individuels", "collectifs", "usagers_uniques")} == {
        "total": 13,
        "individuels": 4,
        "collectifs": 9,
        "usagers_uniques": 12,
    }
    assert all(isinstance(block[k], int) for k in ("total", "usagers_uniques"))
    for key in ("par_lieu", "par_thematique", "par_tranche_age", "par_genre", "par_mois"):
        assert block[key] and set(block[key][0]) == {"code", "label", "valeur"}
    assert {r["label"]: r["valeur"] for r in block["par_lieu"]} == {"Médiathèque": 10, "Mairie": 3}


def test_figures_take_a_constant_number_of_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        activity.api_block(figures.Scope())
    # One request's sections share their aggregates: the four sections in a handful of queries.
    scope = figures.Scope(start=datetime.date(2024, 1, 1))
    specs = {spec.key: spec for spec in figures.sections()}
    with django_assert_max_num_queries(9):
        for key in ("general", "publics", "thematiques", "satisfaction"):
            specs[key].build(scope)
    for _ in range(20):
        MediationFactory(conseiller=world["a"], type_lieu=TypeLieu.LIEU_ACTIVITE)
    with django_assert_max_num_queries(30):
        activity.api_block(figures.Scope())
