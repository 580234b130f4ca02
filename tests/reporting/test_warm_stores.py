"""A new web worker loads the figures stores before its first visitor (deploy/gunicorn.conf.py)."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection

from ateliers import figures_store as workshops_store
from permanences.figures import engine
from permanences.figures import store as mediations_store
from poitiers_inclusion import figures, warmup
from tests.ateliers.factories import InscriptionFactory, SeanceFactory
from tests.permanences.factories import MediationFactory
from tests.production import gunicorn_settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def store_folder(figures_store_dir):
    return figures_store_dir


@pytest.fixture(autouse=True)
def _nothing_frozen(monkeypatch):
    """The worker's last step (warmup.settle) would set the whole test process aside from the
    garbage collector: tested on its own in tests/kernel/test_warmup.py."""
    monkeypatch.setattr(warmup, "settle", lambda: 0)


def test_a_new_worker_loads_both_stores_before_its_first_request():
    MediationFactory()
    InscriptionFactory(seance=SeanceFactory(), presence="present")
    call_command("rebuild_figures_store", verbosity=0)
    mediations_store._LOADED.clear()
    workshops_store._LOADED.clear()
    engine._PUBLICS.clear()
    gunicorn_settings().post_worker_init(mock.Mock())
    assert mediations_store._LOADED and workshops_store._LOADED
    # What the dashboard's publics derive once per process (a second at national scale).
    assert engine._PUBLICS["current"][0] is mediations_store.current().people["present"]


def test_a_worker_starts_even_when_the_stores_cannot_be_read():
    worker = mock.Mock()
    with mock.patch.object(figures, "_STORE_READERS", [mock.Mock(side_effect=OSError("gone"))]):
        gunicorn_settings().post_worker_init(worker)
    worker.log.exception.assert_called_once()


def test_a_store_written_before_the_workshops_had_theirs_is_rewritten_soon():
    MediationFactory()
    call_command("rebuild_figures_store", verbosity=0)
    assert not mediations_store.rebuild_due()
    with connection.cursor() as cursor:  # as after deploying the workshops' store
        cursor.execute("DELETE FROM ateliers_figures_store")
    assert mediations_store.rebuild_due()  # refresh_figures rewrites both within minutes
    call_command("rebuild_figures_store", verbosity=0)
    assert not mediations_store.rebuild_due()
