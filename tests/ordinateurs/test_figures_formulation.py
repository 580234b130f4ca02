"""The computer figures' SQL gives what their former, plainer formulation gave, on random data:
devices per state reached (repeated states included), households equipped per quartier (same
quartier names, several requests per household), devices handed over and the median wait."""

import dataclasses
import datetime
import random
import statistics

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from ordinateurs import figures as ordinateurs_figures
from ordinateurs.enums import Etat, StatutDemande, TrancheRevenus
from ordinateurs.models import Attribution, Demande, Evenement
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from tests.factories import QuartierFactory
from tests.ordinateurs.factories import DemandeFactory, FoyerFactory, OrdinateurFactory

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2022, 1, 1))


def _former_reached(scope):
    qs = Evenement.objects.all()
    if scope.start:
        qs = qs.filter(at__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(at__date__lte=scope.end)
    counts = {
        etat: len({d for v, d in qs.values_list("vers", "ordinateur_id") if v == etat})
        for etat in Etat.values
    }
    return counts


def _former_handovers(scope):
    demandes = Demande.objects.for_figures(scope.user)
    if scope.quartiers:
        demandes = demandes.filter(foyer__quartier__in=scope.quartiers)
    qs = Attribution.objects.filter(
        handed_over_at__isnull=False, cancelled_at__isnull=True, demande__in=demandes
    )
    if scope.start:
        qs = qs.filter(handed_over_at__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(handed_over_at__date__lte=scope.end)
    rows = (
        qs.values("demande__foyer__quartier__nom")
        .annotate(
            foyers=Count("demande__foyer", distinct=True),
            avec_enfants_scolarises=Count(
                "demande__foyer",
                filter=Q(demande__foyer__enfants_scolarises__gt=0),
                distinct=True,
            ),
            demandeurs_emploi=Count(
                "demande__foyer", filter=Q(demande__foyer__demandeur_emploi=True), distinct=True
            ),
            minima=Count(
                "demande__foyer",
                filter=Q(demande__foyer__tranche_revenus=TrancheRevenus.MINIMA),
                distinct=True,
            ),
        )
        .order_by("-foyers", "demande__foyer__quartier__nom")
    )
    households = [
        {
            "quartier": row.pop("demande__foyer__quartier__nom") or "Non renseigné",
            **row,
        }
        for row in rows
    ]
    waits = [
        (handed_over_at - (waitlisted_at or created_at)).days
        for handed_over_at, waitlisted_at, created_at in qs.values_list(
            "handed_over_at", "demande__waitlisted_at", "demande__created_at"
        )
    ]
    return {
        "households": households,
        "foyers": qs.values("demande__foyer").distinct().count(),
        "remis": qs.count(),
        "median": round(statistics.median(waits)) if waits else None,
    }


def _former_requests(scope):
    qs = Demande.objects.for_figures(scope.user)
    if scope.quartiers:
        qs = qs.filter(foyer__quartier__in=scope.quartiers)
    if scope.start:
        qs = qs.filter(created_at__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(created_at__date__lte=scope.end)
    counts = dict(qs.values_list("statut").annotate(n=Count("pk")))
    return {statut: counts.get(statut, 0) for statut in StatutDemande.values}


def _moment(rng):
    moment = START + datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400))
    if rng.random() < 0.3:  # at a local midnight, or just before: the period's edges
        day = timezone.localtime(moment).date()
        midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        moment = midnight - datetime.timedelta(microseconds=rng.choice([0, 1]))
    return moment


def _world(rng, users):
    quartiers = [QuartierFactory(nom=nom) for nom in ("Nord", "Sud", "Nord", "Est")]
    states = Etat.values
    for _ in range(40):
        device = OrdinateurFactory()
        for _ in range(rng.randint(1, 9)):  # states repeated, in any order, at any date
            Evenement.objects.create(ordinateur=device, vers=rng.choice(states), at=_moment(rng))
    prescripteur = users[Role.PRESCRIPTEUR]
    devices = [OrdinateurFactory(etat=Etat.RESERVE) for _ in range(90)]
    for _ in range(30):
        foyer = FoyerFactory(
            quartier=rng.choice([None, *quartiers]),
            enfants=2,
            enfants_scolarises=rng.choice([0, 1, 2]),
            demandeur_emploi=rng.random() < 0.5,
            tranche_revenus=rng.choice(TrancheRevenus.values),
            **({"structure": prescripteur.structure} if rng.random() < 0.3 else {}),
        )
        for _ in range(rng.randint(1, 3)):  # a household may be equipped more than once
            demande = DemandeFactory(
                foyer=foyer,
                created_at=_moment(rng),
                statut=rng.choice(StatutDemande.values),
                waitlisted_at=_moment(rng) if rng.random() < 0.7 else None,
            )
            handed = _moment(rng) if rng.random() < 0.8 else None
            Attribution.objects.create(
                demande=demande,
                ordinateur=devices.pop(),
                handed_over_at=handed,
                cancelled_at=_moment(rng) if rng.random() < 0.15 else None,
            )
    return quartiers


def _scopes(rng, quartiers, users):
    viewers = [None, users[Role.COORDINATEUR], users[Role.TECHNICIEN], users[Role.PRESCRIPTEUR]]
    for _ in range(25):
        start = (START + datetime.timedelta(days=rng.randrange(900))).date()
        yield figures.Scope(
            user=rng.choice(viewers),
            start=start if rng.random() < 0.5 else None,
            end=start + datetime.timedelta(days=rng.randrange(500)) if rng.random() < 0.5 else None,
            quartiers=tuple(q.pk for q in rng.sample(quartiers, rng.choice([0, 0, 1, 2]))),
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_figures_are_those_of_the_former_formulation(users, seed):
    rng = random.Random(seed)
    quartiers = _world(rng, users)
    for scope in [figures.Scope(), *_scopes(rng, quartiers, users)]:
        assert ordinateurs_figures.reached(dataclasses.replace(scope)) == _former_reached(scope)
        found = ordinateurs_figures._handover_figures(dataclasses.replace(scope))
        assert found == _former_handovers(scope), scope
        assert ordinateurs_figures.requests_by_status(scope) == _former_requests(scope)
