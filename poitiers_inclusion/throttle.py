"""Throttling what strangers can submit: sign-in, per account and per client with progressive
delays, and public forms, a rate per client; the client's address read through trusted proxies.

The rules, as the README states them ("Connexion et formulaires publics : les limites"):

- Per account: after LOGIN_FAILURE_LIMIT failures for one e-mail within
  LOGIN_FAILURE_WINDOW_MINUTES, each further attempt waits 1, 2, 4, 8… minutes after the last
  failure, at most LOGIN_DELAY_MAX_MINUTES. A refused attempt checks no password and counts
  nothing, so waiting is enough; failures older than the window are forgotten (and deleted).
- Known devices: a browser where an account signed in successfully carries a signed cookie;
  its attempts on that account are counted on their own failures only, so an attacker
  elsewhere cannot keep the owner out (OWASP's "device cookies").
- Per client: after LOGIN_CLIENT_FAILURE_LIMIT failures from one client address (unknown
  devices), an e-mail that already failed from that address waits the same progressive delay.
  An e-mail not tried from it is still checked: behind a shared address (a proxy, a town hall's
  network) a colleague signs in while someone else fails, and the answer never depends on
  whether an account exists.
- Every sign-in goes through ThrottledModelBackend, so no page, form or `authenticate()` call
  is a side door; the Django admin signs in through the application's page.
"""

import datetime
import ipaddress
import math
import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core import checks, signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import LoginFailure, RateLimitHit

KNOWN_DEVICE_COOKIE = "known_device"
_DEVICE_SALT = "poitiers_inclusion.throttle.known_device"
_DEVICE_MAX_AGE = datetime.timedelta(days=365)
_DEVICE_MAX_ACCOUNTS = 10  # a computer shared by a team keeps its last ten accounts


def client_ip(request) -> str | None:
    """The address of the client: the peer's, or behind TRUSTED_PROXY_COUNT proxies the one
    the outermost trusted proxy saw (n-th from the right of TRUSTED_PROXY_HEADER)."""
    if request is None:
        return None
    peer = _valid_ip(request.META.get("REMOTE_ADDR"))
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return peer
    key = "HTTP_" + settings.TRUSTED_PROXY_HEADER.upper().replace("-", "_")
    chain = [part.strip() for part in request.META.get(key, "").split(",") if part.strip()]
    # What lies left of the trusted proxies' entries was written by the client: never read.
    if len(chain) < hops:
        return peer
    return _valid_ip(chain[-hops]) or peer


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs=None, **kwargs):
    """Behind the README's reverse proxy, an unset TRUSTED_PROXY_COUNT gives every visitor the
    proxy's address: the per-client limits would then be shared by the whole city."""
    if settings.TRUSTED_PROXY_COUNT > 0 or "TRUSTED_PROXY_COUNT" in os.environ:
        return []
    return [
        checks.Warning(
            "TRUSTED_PROXY_COUNT n'est pas renseigné : derrière un proxy inverse, chaque visiteur "
            "aurait l'adresse du proxy, et les limites par client (connexion, formulaires "
            "publics) seraient communes à tous.",
            hint="Indiquez le nombre de proxys de confiance (TRUSTED_PROXY_COUNT=1 derrière un "
            "seul proxy), ou TRUSTED_PROXY_COUNT=0 si l'application reçoit directement les "
            "connexions.",
            id="kernel.W001",
        )
    ]


def _valid_ip(value) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def wait_in_words(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def _progressive_wait(count: int, last, limit: int, now) -> int:
    """Seconds left to wait: none below `limit` failures, then 1, 2, 4… minutes after the last."""
    over = count - limit
    if over < 0 or last is None:
        return 0
    delay = min(60 * 2 ** min(over, 20), settings.LOGIN_DELAY_MAX_MINUTES * 60)
    return max(0, math.ceil((last + datetime.timedelta(seconds=delay) - now).total_seconds()))


# --- Known devices ------------------------------------------------------------------------------


def _account_key(email: str) -> str:
    # Keyed, so the cookie neither shows nor lets anyone confirm an e-mail address.
    return salted_hmac(_DEVICE_SALT, email).hexdigest()[:20]


def _read_device(request) -> dict | None:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE) if request is not None else None
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=_DEVICE_SALT, max_age=_DEVICE_MAX_AGE)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None
    if not isinstance(data.get("a"), list):
        return None
    return data


def known_device(request, email: str) -> str:
    """The device id when this browser signed in to this account before, else ""."""
    data = _read_device(request)
    if data and _account_key(email) in data["a"]:
        return data["d"][:32]
    return ""


def remember_device(request, response, email: str) -> None:
    """After a successful sign-in: this browser becomes a known device for the account."""
    data = _read_device(request) or {"d": secrets.token_hex(16), "a": []}
    key = _account_key(_normalise(email))
    accounts = [key] + [a for a in data["a"] if a != key]
    value = signing.dumps({"d": data["d"], "a": accounts[:_DEVICE_MAX_ACCOUNTS]}, salt=_DEVICE_SALT)
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        value,
        max_age=int(_DEVICE_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- Sign-in ------------------------------------------------------------------------------------


def _normalise(email) -> str:
    return (email or "").strip().lower()[:254]


def sign_in_wait(request, email: str, now=None) -> int:
    """Seconds this attempt must still wait (0: the password may be checked)."""
    now = now or timezone.now()
    email = _normalise(email)
    limit = settings.LOGIN_FAILURE_LIMIT
    recent = LoginFailure.objects.filter(at__gte=now - _window())
    device = known_device(request, email)
    if device:
        mine = recent.filter(email=email, device=device).aggregate(n=Count("pk"), last=Max("at"))
        return _progressive_wait(mine["n"], mine["last"], limit, now)
    ip = client_ip(request)
    strangers = recent.filter(device="")
    if ip is None:
        stats = strangers.filter(email=email).aggregate(n=Count("pk"), last=Max("at"))
        return _progressive_wait(stats["n"], stats["last"], limit, now)
    here = Q(ip=ip)
    stats = strangers.filter(Q(email=email) | here).aggregate(
        account_n=Count("pk", filter=Q(email=email)),
        account_last=Max("at", filter=Q(email=email)),
        client_n=Count("pk", filter=here),
        tried_here_last=Max("at", filter=here & Q(email=email)),
    )
    return max(
        _progressive_wait(stats["account_n"], stats["account_last"], limit, now),
        _progressive_wait(
            stats["client_n"],
            stats["tried_here_last"],
            settings.LOGIN_CLIENT_FAILURE_LIMIT,
            now,
        ),
    )


def record_failure(request, email: str) -> None:
    now = timezone.now()
    email = _normalise(email)
    LoginFailure.objects.filter(at__lt=now - _window()).delete()
    LoginFailure.objects.create(
        email=email, ip=client_ip(request), device=known_device(request, email), at=now
    )


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


class ThrottledModelBackend(ModelBackend):
    """The only authentication backend: every password check passes the throttle first."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        wait = sign_in_wait(request, username)
        if wait:
            if request is not None:
                request.sign_in_wait = wait  # read by LoginForm to say how long
            raise PermissionDenied("Trop de tentatives de connexion.")  # stops every backend
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(request, username)
        return user


# --- Public forms -------------------------------------------------------------------------------


def _rate_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.PUBLIC_FORM_WINDOW_MINUTES)


def _hits(request, scope: str, now):
    ip = client_ip(request)
    hits = RateLimitHit.objects.filter(scope=scope, at__gte=now - _rate_window())
    return hits.filter(client=ip) if ip else hits.filter(client__isnull=True)


def rate_wait(request, scope: str, now=None) -> int:
    """Seconds before this client may submit this public form again (0: now)."""
    now = now or timezone.now()
    limit = settings.PUBLIC_FORM_LIMIT
    # The limit-th most recent submission: when it leaves the window, a place is free again.
    oldest_counted = (
        _hits(request, scope, now).order_by("-at").values_list("at", flat=True)[limit - 1 : limit]
    )
    if not oldest_counted:
        return 0
    return max(1, math.ceil((oldest_counted[0] + _rate_window() - now).total_seconds()))


def count_submission(request, scope: str) -> None:
    now = timezone.now()
    RateLimitHit.objects.filter(at__lt=now - _rate_window()).delete()
    RateLimitHit.objects.create(scope=scope, client=client_ip(request), at=now)
