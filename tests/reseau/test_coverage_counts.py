"""The figures' coverage counts (places and zones blanches per quartier, counted by PostgreSQL)
are the coverage matrix's, on random territories."""

import random

import pytest

from reseau import coverage
from reseau.enums import Service

from ..factories import LieuFactory, QuartierFactory

pytestmark = pytest.mark.django_db


def _from_matrix(services=None):
    matrix = coverage.matrix(services=services)
    return [
        ((row.quartier.pk, row.quartier.nom, row.quartier.qpv), row.nb_lieux, row.zones_blanches)
        for row in matrix.rows
    ], matrix.zones_blanches


def _from_counts(services=None):
    counts = coverage.counts(services=services)
    return [
        (tuple(row.quartier), row.nb_lieux, row.zones_blanches) for row in counts.rows
    ], counts.zones_blanches


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counts_are_the_matrixs(seed):
    rng = random.Random(seed)
    codes = Service.values
    names = ["Centre", "Gare", "Plateau", "Centre"]  # two quartiers of one name
    quartiers = [QuartierFactory(nom=rng.choice(names), qpv=rng.random() < 0.4) for _ in range(8)]
    for _ in range(40):
        LieuFactory(
            quartier=rng.choice([None, *quartiers]),
            services=rng.sample(codes, rng.choice([0, 1, 1, 2, 4])),
            archived=rng.random() < 0.2,
        )
    assert _from_counts() == _from_matrix()
    chosen = [choice for choice in Service.choices if rng.random() < 0.3] or Service.choices[:1]
    assert _from_counts(chosen) == _from_matrix(chosen)
