"""Reporting reads on a read replica (DATABASE_REPLICA_URL), when there is one.

Figures are heavy reads over every activity; a replica spares the primary, where conseillers log.
Code computing figures runs inside `reporting_reads()` (reporting's composition does it for every
app): the router then sends its reads to the "replica" alias. Outside it, and for every write,
the primary is used. Without a replica configured, nothing changes. A replica lags the primary by
a moment: a médiation just logged may reach the figures a second later.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reporting = contextvars.ContextVar("reporting_reads", default=False)


@contextmanager
def reporting_reads():
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def alias_for_reads() -> str:
    """The database the current code should read figures from."""
    if _reporting.get() and REPLICA in settings.DATABASES:
        return REPLICA
    return DEFAULT_DB_ALIAS


def figures_connection():
    """The connection for hand-written SQL of figures (cursor())."""
    return connections[alias_for_reads()]


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return alias_for_reads()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
