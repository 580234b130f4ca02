"""The demo médiations give the city's published 2022 figures: 1000 médiations, 600 usagers."""

import datetime
import io

import pytest

from permanences import demo_activity, demo_schedule
from permanences.enums import Thematique, TypeActivite
from permanences.figures import activity
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion import demo as kernel_demo
from poitiers_inclusion import figures
from poitiers_inclusion.models import Usager
from reseau import demo as reseau_demo

pytestmark = pytest.mark.django_db
YEAR_2022 = figures.Scope(start=datetime.date(2022, 1, 1), end=datetime.date(2022, 12, 31))


@pytest.fixture
def demo():
    out = io.StringIO()
    reseau_demo.load(out)
    kernel_demo.load_accounts(out)
    demo_schedule.load(out)
    demo_activity.load(out)
    return out


def test_the_demo_gives_the_published_figures(demo):
    totals = activity.totals(YEAR_2022)
    assert totals["total"] == 1000
    assert totals["usagers_uniques"] == 600
    assert totals["individuels"] > 900 and totals["collectifs"] > 0
    _assert_open_desks()
    _assert_realistic_spread()


def _assert_open_desks():
    for m in Mediation.objects.filter(source_donnee=demo_activity.DEMO_SOURCE).select_related(
        "permanence"
    ):
        p = m.permanence
        assert p.lieu_id == m.lieu_id and p.weekday == m.date.weekday()
        assert p.valid_from <= m.date and (p.valid_until is None or m.date <= p.valid_until)


def _assert_realistic_spread():
    places = {r["label"]: r["valeur"] for r in activity.per_lieu(YEAR_2022)}
    before = figures.Scope(start=datetime.date(2022, 1, 1), end=datetime.date(2022, 8, 31))
    early = {r["label"]: r["valeur"] for r in activity.per_lieu(before)}
    assert (
        early["Médiathèque François-Mitterrand"] > 5 * early["Mairie de quartier des Trois-Cités"]
    )
    assert (
        early["Médiathèque François-Mitterrand"] > 5 * early["Mairie de quartier des Couronneries"]
    )
    assert (
        places["Épicerie solidaire des Couronneries"] > 3 * places["Mairie de quartier de Beaulieu"]
    )
    themes = {r["code"]: r["valeur"] for r in activity.per_thematique(YEAR_2022)}
    assert max(themes, key=themes.get) == Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES
    ages = {r["code"]: r["valeur"] for r in activity.per_age_band(YEAR_2022)}
    older = ages.get("60_69_ans", 0) + ages.get("70_ans_et_plus", 0)
    assert older > ages.get("25_39_ans", 0) + ages.get("18_24_ans", 0)
    assert len(activity.per_month(YEAR_2022)) == 12
    assert activity.satisfied_share(YEAR_2022) > 80
    assert Usager.objects.identified().exists()
    assert Mediation.objects.filter(type_activite=TypeActivite.COLLECTIF).count() == 8


def test_running_the_demo_twice_changes_nothing(demo):
    counts = (Mediation.objects.count(), Accompagnement.objects.count(), Usager.objects.count())
    demo_activity.load(io.StringIO())
    assert (
        Mediation.objects.count(),
        Accompagnement.objects.count(),
        Usager.objects.count(),
    ) == counts
