"""What the operators see of the running application: one log line per request, slow requests as
warnings, JSON logs on request, errors sent to Sentry without personal data.

A request is logged by its route (`pilotage/vue/<str:token>/`), never by its path: some public
paths carry a secret (a shared view's token, a booking's cancellation link), and a query string
may carry what someone typed. The line says the method, the route, the status, the duration, the
role of the person (not who) and how many SQL queries it took.
"""

import contextlib
import contextvars
import datetime
import json
import logging
import re
import time

from django.conf import settings
from django.db import connections
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

log = logging.getLogger("poitiers_inclusion.requests")
# The request being answered, for Sentry's scrubbing of what it carries.
_current_request = contextvars.ContextVar("current_request", default=None)

UNKNOWN_ROUTE = "(route inconnue)"
# Asked every few seconds by each load balancer and monitor: logged only when slow.
QUIET_ROUTES = {"/sante/"}


def route_of(request) -> str:
    """The URL pattern the request matched, `/`-prefixed; never the path itself."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return f"/{match.route}"
    static = f"/{settings.STATIC_URL.strip('/')}/"
    return f"{static}…" if request.path.startswith(static) else UNKNOWN_ROUTE


def _role(request) -> str | None:
    user = getattr(request, "user", None)
    if user is None:
        return None  # static files, or a request stopped before the session was read
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        # Nothing asked who this was: finding out now would cost queries, and would fail while
        # the database is away (the 503 page must not).
        return None
    return user.role if user.is_authenticated else "anonyme"


class _QueryCounter:
    """An execute wrapper (django.db.connection.execute_wrapper) that counts the queries."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    """One line per request on the `poitiers_inclusion.requests` logger: INFO, or WARNING when it
    took SLOW_REQUEST_MS or more. First in MIDDLEWARE, so that it times everything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _QueryCounter()
        started = time.perf_counter()
        current = _current_request.set(request)
        try:
            with self._counting(counter):
                response = self.get_response(request)
        finally:
            _current_request.reset(current)
        if response.streaming and not self._is_file(response):
            # An export is written while it is sent: its time and its queries are those of the
            # whole stream, logged when the stream ends.
            response.streaming_content = self._streamed(
                request, response, response.streaming_content, counter, started
            )
        else:
            self._log(request, response, counter, started)
        return response

    @staticmethod
    def _is_file(response) -> bool:
        # A file (static, attachment) goes out through the server's sendfile, which a wrapped
        # stream would lose; its time is spent opening it.
        return getattr(response, "file_to_stream", None) is not None or response.is_async

    @staticmethod
    @contextlib.contextmanager
    def _counting(counter):
        with contextlib.ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            yield

    def _streamed(self, request, response, content, counter, started):
        try:
            with self._counting(counter):
                yield from content
        finally:
            self._log(request, response, counter, started)

    def _log(self, request, response, counter, started):
        fields = {
            "method": request.method,
            "route": route_of(request),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000),
            "role": _role(request),
            "sql_queries": counter.count,
        }
        slow = fields["duration_ms"] >= settings.SLOW_REQUEST_MS
        if fields["route"] in QUIET_ROUTES and not slow:
            return
        log.log(
            logging.WARNING if slow else logging.INFO,
            "%s%s %s %s %s ms, %s requêtes SQL, rôle %s",
            "Requête lente : " if slow else "",
            fields["method"],
            fields["route"],
            fields["status"],
            fields["duration_ms"],
            fields["sql_queries"],
            fields["role"] or "inconnu",
            extra={"fields": fields},
        )


class RouteOnlyFilter(logging.Filter):
    """Django's own request loggers name the path ("Not Found: /pilotage/vue/<token>/",
    "Forbidden (CSRF token missing.): …"): the route takes its place."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple):
            paths = {request.path, request.path_info, request.get_full_path()}
            record.args = tuple(
                route_of(request) if isinstance(arg, str) and arg in paths else arg
                for arg in record.args
            )
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's `fields`."""

    def format(self, record):
        data = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


# --- Sentry ---

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
MASKED_EMAIL = "[adresse e-mail masquée]"
MASKED = "[masqué]"
# Parts of an event that may quote a person, a form or a secret from the URL.
REQUEST_KEPT = ("method",)
DROPPED_KEYS = {"request", "cookies", "data", "vars", "query_string", "headers", "env"}


def _loaded_user(request):
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    return user if user is not None and user.is_authenticated else None


def request_values(request) -> list[str]:
    """What the request carries that may name a person or be a secret: the form's and the query
    string's values, the URL's parameters (tokens), the signed-in person's address and names.
    Longest first, so that a value is masked before a part of it."""
    if request is None:
        return []
    values = []
    # Only a form the view has read: reading a body here could be large, or fail.
    for query in (request.GET, getattr(request, "_post", None)):
        if query:
            for _name, items in query.lists():
                values.extend(items)
    match = getattr(request, "resolver_match", None)
    if match is not None:
        values.extend(str(value) for value in match.kwargs.values())
    user = _loaded_user(request)
    if user is not None:
        values += [user.email, user.first_name, user.last_name, user.get_full_name()]
    kept = {v.strip() for v in values if isinstance(v, str) and len(v.strip()) >= 3}
    return sorted(kept, key=len, reverse=True)


def _scrub(value, masked=()):
    if isinstance(value, str):
        for secret in masked:
            value = value.replace(secret, MASKED)
        return EMAIL.sub(MASKED_EMAIL, value)
    if isinstance(value, dict):
        return {
            key: _scrub(item, masked)
            for key, item in value.items()
            if not (isinstance(key, str) and key in DROPPED_KEYS)
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, masked) for item in value]
    return value


def scrub_event(event, hint=None):
    """before_send: the request reduced to its method (no URL, query string, body, cookies or
    headers), the user to their id, no local variables; everywhere else (an error's message, a
    log line) the request's form values, parameters and the person's address and names masked,
    and every e-mail address."""
    request = event.get("request") or {}
    user = event.get("user") or {}
    masked = request_values(_current_request.get())
    event = _scrub(
        {key: value for key, value in event.items() if key not in ("request", "user")}, masked
    )
    event["request"] = {key: request[key] for key in REQUEST_KEPT if key in request}
    if "id" in user:
        event["user"] = {"id": user["id"]}
    return event


def scrub_breadcrumb(crumb, hint=None):
    return _scrub(crumb, request_values(_current_request.get()))


def init_sentry(dsn: str, *, environment: str, release: str | None = None, transport=None):
    """Report errors (500s, failed scheduled jobs, ERROR logs) to Sentry, without personal data."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # Events are named by the route, not the path (transaction_style="url").
        integrations=[DjangoIntegration(transaction_style="url")],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        transport=transport,
    )
