"""Computer figures counted from events on crafted data, the dashboard section and the API."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from ordinateurs import figures as ordinateurs_figures
from ordinateurs import services
from ordinateurs.enums import Etat, StatutDemande
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from tests.factories import QuartierFactory
from tests.ordinateurs.factories import DemandeFactory, OrdinateurFactory, ready_device

pytestmark = pytest.mark.django_db


def _at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


@pytest.fixture
def world(users):
    """By hand: 4 devices received (today): three reconditioned and made available, one not
    reusable, recycled. Two households on the waiting list since 1 March 2022: one equipped on
    11 March 2022 (10 days), one on 21 April 2022 (51 days) in another quartier; the third device
    stays available."""
    tech, coordination = users[Role.TECHNICIEN], users[Role.COORDINATEUR]
    nord, sud = QuartierFactory(nom="Nord"), QuartierFactory(nom="Sud")
    ready = [ready_device(tech) for _ in range(3)]
    broken = OrdinateurFactory()
    services.move(ordinateur=broken, vers=Etat.DIAGNOSTIQUE, actor=tech)
    services.move(ordinateur=broken, vers=Etat.NON_REEMPLOYABLE, actor=tech)
    services.move(ordinateur=broken, vers=Etat.RECYCLE, actor=tech)
    waiting = _at(2022, 3, 1)
    first = DemandeFactory(foyer__quartier=nord, statut="liste_attente", waitlisted_at=waiting)
    second = DemandeFactory(foyer__quartier=sud, statut="liste_attente", waitlisted_at=waiting)
    a = services.propose(demande=first, ordinateur=ready[0], actor=coordination, at=_at(2022, 3, 5))
    services.hand_over(attribution=a, actor=coordination, at=_at(2022, 3, 11))
    b = services.propose(
        demande=second, ordinateur=ready[1], actor=coordination, at=_at(2022, 4, 1)
    )
    services.hand_over(attribution=b, actor=coordination, at=_at(2022, 4, 21))
    return {"nord": nord, "sud": sud, "first": first}


def test_the_totals_count_the_events(world):
    t = ordinateurs_figures.totals(figures.Scope())
    assert (t["dons"], t["reconditionnes"], t["remis"], t["foyers_equipes"]) == (4, 3, 2, 2)
    assert (t["non_reemployables"], t["recycles"]) == (1, 1)
    assert t["delai_median_jours"] == round((10 + 51) / 2)  # median of 10 and 51 days


def test_the_period_applies_to_hand_overs(world):
    march = figures.Scope(start=datetime.date(2022, 3, 1), end=datetime.date(2022, 3, 31))
    t = ordinateurs_figures.totals(march)
    assert (t["remis"], t["foyers_equipes"], t["delai_median_jours"]) == (1, 1, 10)


def test_the_quartier_filter_applies_to_households(world):
    north = figures.Scope(quartiers=(world["nord"].pk,))
    assert ordinateurs_figures.totals(north)["foyers_equipes"] == 1
    rows = ordinateurs_figures.households_equipped(figures.Scope())
    assert {r["quartier"]: r["foyers"] for r in rows} == {"Nord": 1, "Sud": 1}


def test_the_funnel_and_the_stock(world):
    section = ordinateurs_figures.build_section(figures.Scope())
    funnel = {t.key: t for t in section.tables}["ordinateurs_parcours"].rows
    assert dict(funnel)["Reçu"] == 4 and dict(funnel)["Disponible"] == 3
    assert dict(funnel)["Remis"] == 2
    assert ordinateurs_figures.stock_now() == {Etat.DISPONIBLE: 1, Etat.REMIS: 2, Etat.RECYCLE: 1}


def test_a_prescripteur_sees_their_structures_households_only(world, users):
    prescripteur = users[Role.PRESCRIPTEUR]
    mine = DemandeFactory(foyer__structure=prescripteur.structure, statut="soumise")
    scope = figures.Scope(user=prescripteur)
    t = ordinateurs_figures.totals(scope)
    assert t["foyers_equipes"] == 0 and "dons" not in t
    statuses = ordinateurs_figures.requests_by_status(scope)
    assert statuses[StatutDemande.SOUMISE] == 1 and sum(statuses.values()) == 1
    assert mine.foyer.structure == prescripteur.structure
    kpis = dict(ordinateurs_figures.build_section(scope).kpis)
    assert "Ordinateurs donnés et reçus" not in kpis


def test_housekeeping_expires_and_anonymises(settings):
    settings.DEMANDE_INCOMPLETE_DAYS = 30
    DemandeFactory(statut="incomplete", created_at=timezone.now() - datetime.timedelta(days=40))
    out = io.StringIO()
    call_command("ordinateurs_housekeeping", "--dry-run", stdout=out)
    assert "Essai à blanc : 1 demande(s)" in out.getvalue()
    call_command("ordinateurs_housekeeping", stdout=out)
    assert "1 demande(s) incomplète(s) depuis 30 jours expirée(s)" in out.getvalue()
