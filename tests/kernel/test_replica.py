"""With DATABASE_REPLICA_URL, the figures read from the replica; writes and other reads do not."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext

from permanences.models import Mediation
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from poitiers_inclusion.replica import alias_for_reads, reporting_reads
from reporting import compose
from tests.permanences.factories import MediationFactory


@pytest.fixture
def replica(transactional_db, settings):
    """A "replica" alias served by a second session on the test database, as a streaming replica
    would be (the wrapper keeps the primary's alias name, which the test case allows)."""
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES[DEFAULT_DB_ALIAS]}
    second = connections.create_connection(DEFAULT_DB_ALIAS)
    connections["replica"] = second
    yield second
    second.close()
    del connections["replica"]


def test_without_a_replica_everything_reads_the_primary():
    with reporting_reads():
        assert alias_for_reads() == DEFAULT_DB_ALIAS


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_figures_are_read_from_the_replica(replica, users):
    MediationFactory()
    MediationFactory()
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        sections = compose.build_sections(figures.Scope(user=users[Role.COORDINATEUR]))
    general = next(s for s in sections if s.key == "general")
    assert dict(general.kpis)["Médiations (accompagnements)"] == 2
    assert any("permanences_accompagnement" in q["sql"] for q in on_replica.captured_queries)
    assert not any("permanences_accompagnement" in q["sql"] for q in on_primary.captured_queries)

    assert replica.connection is not connection.connection  # two sessions indeed
    # Outside the figures, reads and writes stay on the primary.
    with CaptureQueriesContext(replica) as later:
        assert Mediation.objects.count() == 2
        MediationFactory()
    assert later.captured_queries == []
