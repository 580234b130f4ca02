"""What the application answers about its own availability: /sante/ for load balancers and
monitors, and the French 503 page every request gets while the database is away.

The 503 page is Django's 500 handler seeing a database that does not answer: every layer
(session, sign-in, context processors, messages, the view) reaches the database in its own
place, and the handler is the one point where all their failures arrive. It renders a template
that needs nothing from the database, without the request's context processors.
"""

import sys

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
)
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .perms import public

# Seconds a client is told to wait: a database restart or failover takes about this long.
RETRY_AFTER_SECONDS = 30


@public
@require_GET
@never_cache
def health(request):
    """200 {"base": "ok", "migrations": "ok"}, else 503 naming the part that fails.

    No personal data, no session, no audit entry: a monitor calls it every few seconds.
    """
    state = {"base": "ok", "migrations": "ok"}
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            state["migrations"] = "en attente"
    except DatabaseError:
        state = {"base": "erreur", "migrations": "inconnu"}
    if state == {"base": "ok", "migrations": "ok"}:
        return JsonResponse(state)
    response = JsonResponse(state, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_unavailable(exc: BaseException | None) -> bool:
    """The error, or one it was raised from, says the database cannot be reached."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    """handler500: the French 503 page when the database is away, the 500 page otherwise."""
    if not _database_unavailable(sys.exc_info()[1]):
        return HttpResponseServerError(loader.render_to_string("500.html"))
    html = loader.render_to_string(
        "503.html",
        {
            "CITY_NAME": settings.CITY_NAME,
            "form_sent": request.method not in ("GET", "HEAD", "OPTIONS"),
            "retry_url": request.get_full_path() if request.method == "GET" else None,
        },
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
