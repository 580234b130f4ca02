"""Settings, all read from environment variables (see the README's configuration table)."""

from pathlib import Path

import dj_database_url
from django.utils.text import slugify

from .env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_required,
    env_str,
    source_of_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Without DATABASE_URL the project runs locally on the embedded PostgreSQL (demo, development,
# tests): DEBUG then defaults to on. A deployment sets DATABASE_URL, so DEBUG defaults to off.
_database_url = env_str("DATABASE_URL")
DEBUG = env_bool("DEBUG", default=not _database_url)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
else:
    SECRET_KEY = env_required(
        "SECRET_KEY",
        "définissez une longue chaîne aléatoire en production (ou DEBUG=1 en développement).",
    )
    # The same bar as Django's own deployment check (security.W009): a key that fails it
    # signs sessions and reset links that can be forged, so production refuses to start.
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
    ):
        raise ConfigurationError(
            "La variable SECRET_KEY est trop courte ou trop simple pour la production : "
            "il faut au moins 50 caractères aléatoires. Générez-en une avec "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

CITY_NAME = env_str("CITY_NAME", "Poitiers")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How data·inclusion names this producer in the structures and services it publishes.
# CSV downloads: "fr" opens right in French Excel (;  decimal comma, JJ/MM/AAAA, BOM), "intl"
# is for programs (, decimal point, ISO dates). ?format=csv-intl gives the latter anyway.
CSV_DIALECT = env_str("CSV_DIALECT", "fr")
if CSV_DIALECT not in ("fr", "intl"):
    raise ConfigurationError(f"CSV_DIALECT vaut « fr » ou « intl », pas « {CSV_DIALECT} ».")
DATA_INCLUSION_SOURCE = env_str(
    "DATA_INCLUSION_SOURCE", f"inclusion-numerique-{slugify(CITY_NAME)}"
)
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© les contributeurs OpenStreetMap")
USAGER_RETENTION_MONTHS = env_int("USAGER_RETENTION_MONTHS", 24)
ORIENTATION_EXPIRY_DAYS = env_int("ORIENTATION_EXPIRY_DAYS", 30)
# Good Friday and 26 December are also public holidays in Alsace and Moselle.
PUBLIC_HOLIDAYS_ALSACE_MOSELLE = env_bool("PUBLIC_HOLIDAYS_ALSACE_MOSELLE", False)
# Months after which a closed orientation's personal fields (name, contact, message) are erased.
ORIENTATION_RETENTION_MONTHS = env_int("ORIENTATION_RETENTION_MONTHS", 12)
# Ordinateurs solidaires: an incomplete request expires after this many days; a household whose
# requests are all closed is anonymised after this many months.
DEMANDE_INCOMPLETE_DAYS = env_int("DEMANDE_INCOMPLETE_DAYS", 90)
FOYER_RETENTION_MONTHS = env_int("FOYER_RETENTION_MONTHS", 24)
# Days after a donation is confirmed or cancelled during which the donor's link still shows it.
DON_CONFIRMATION_DAYS = env_int("DON_CONFIRMATION_DAYS", 30)
# Days after a ceremony during which a donor's invitation link still shows their answer.
CEREMONIE_INVITATION_DAYS = env_int("CEREMONIE_INVITATION_DAYS", 30)
# Citywide dashboard views longer than this to compute are stored (reporting/snapshots.py)...
FIGURES_SNAPSHOT_MIN_SECONDS = env_int("FIGURES_SNAPSHOT_MIN_SECONDS", 2)
# ...and read back for this long; `refresh_figures` (cron) recomputes them meanwhile.
FIGURES_SNAPSHOT_MAX_AGE_MINUTES = env_int("FIGURES_SNAPSHOT_MAX_AGE_MINUTES", 60)
# The médiation log's columnar figures store (permanences/figures/store.py): its folder, shared by
# the web workers of one machine; `rebuild_figures_store` writes it.
FIGURES_STORE_DIR = Path(env_str("FIGURES_STORE_DIR") or BASE_DIR / ".data" / "figures")
# `refresh_figures` writes it once the log holds this many accompagnements (below, the SQL is
# quick enough), then again each day or when this many changes wait in its change log.
FIGURES_STORE_MIN_ROWS = env_int("FIGURES_STORE_MIN_ROWS", 100_000)
FIGURES_STORE_MAX_CHANGES = env_int("FIGURES_STORE_MAX_CHANGES", 20_000)

INSTALLED_APPS = [
    "poitiers_inclusion.apps.AdminConfig",  # Django's admin, superusers only (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "poitiers_inclusion.apps.KernelConfig",
    "reseau",
    "permanences",
    "ateliers",
    "ordinateurs",
    "reporting",
]

MIDDLEWARE = [
    # First: it times and logs every request, whatever answers it (observability.py).
    "poitiers_inclusion.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "poitiers_inclusion.request_limits.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user and the messages: a form sent twice is processed once (submissions.py).
    "poitiers_inclusion.submissions.SubmissionTokenMiddleware",
    # A record saved by someone else between a form's check and its save (concurrency.py).
    "poitiers_inclusion.concurrency.RecordChangedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "poitiers_inclusion.urls"
WSGI_APPLICATION = "poitiers_inclusion.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "poitiers_inclusion.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded PostgreSQL server (development, demo and tests).
if not _database_url:
    # EMBEDDED_DB=1 says on purpose that production runs on the embedded server (`make prod` on
    # one machine, README): without it, production without DATABASE_URL is refused.
    if not DEBUG and not env_bool("EMBEDDED_DB", default=False):
        raise ConfigurationError(
            "La variable d'environnement DATABASE_URL est obligatoire en production "
            "(par exemple postgres://utilisateur:motdepasse@hote:5432/base)."
        )
    from .embedded_db import embedded_database_url

    # EMBEDDED_DB_NAME picks another database on the same server (make bench uses its own).
    _database_url = embedded_database_url(database=env_str("EMBEDDED_DB_NAME") or "postgres")
if not _database_url.startswith(("postgres://", "postgresql://")):
    raise ConfigurationError("DATABASE_URL doit désigner une base PostgreSQL (postgres://…).")
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME") or None}
# Optional read replica: the figures (dashboard, exports, API) read from it; everything else, and
# every write, goes to the primary. See poitiers_inclusion/replica.py.
_replica_url = env_str("DATABASE_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["poitiers_inclusion.replica.ReplicaRouter"]
for _database in DATABASES.values():
    # A kept connection that died with a database restart is replaced before a request uses it,
    # instead of failing that request (poitiers_inclusion/availability.py).
    _database["CONN_HEALTH_CHECKS"] = True
    # A database host that does not answer at all gives the 503 page after these seconds, well
    # before the worker's own timeout (a value in DATABASE_URL, ?connect_timeout=…, wins).
    _database.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "kernel.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 hashes new passwords; older hashes still verify and are re-hashed at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Sign-in and public forms throttling: the rules are in poitiers_inclusion/throttle.py and the
# README. Every password check goes through this backend, whatever page asks for it.
AUTHENTICATION_BACKENDS = ["poitiers_inclusion.throttle.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_CLIENT_FAILURE_LIMIT = env_int("LOGIN_CLIENT_FAILURE_LIMIT", 20)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 60)
LOGIN_DELAY_MAX_MINUTES = env_int("LOGIN_DELAY_MAX_MINUTES", 15)
PUBLIC_FORM_LIMIT = max(1, env_int("PUBLIC_FORM_LIMIT", 20))
PUBLIC_FORM_WINDOW_MINUTES = env_int("PUBLIC_FORM_WINDOW_MINUTES", 60)
# How many reverse proxies in front of the application append to TRUSTED_PROXY_HEADER: the
# client's address is the n-th entry from the right. 0: the header is ignored (anyone can write
# it), the peer's address is used.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "X-Forwarded-For")
# An unattended signed-in session ends after this many minutes without a request.
SESSION_INACTIVITY_MINUTES = env_int("SESSION_INACTIVITY_MINUTES", 60)
SESSION_COOKIE_AGE = SESSION_INACTIVITY_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / ".data" / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Every imported spreadsheet is read within these limits (poitiers_inclusion/spreadsheets/),
# whatever the file declares: its size, its size once unzipped (xlsx), the rows and columns that
# may hold data, and the empty rows in a row after which data is refused.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# A file attached to a record (report, document, evidence of erasure), see attachments.py.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_EMPTY_ROWS = env_int("IMPORT_MAX_EMPTY_ROWS", 1_000)
# La Coop's activities export of a big structure or a département over a year holds 100,000
# rows: 11 MB, 134 MB once unzipped (as the app writes it). Its import has limits of its own,
# sized for twice that; the columns and empty rows are the generic ones.
COOP_IMPORT_MAX_ROWS = env_int("COOP_IMPORT_MAX_ROWS", 200_000)
COOP_IMPORT_MAX_UPLOAD_BYTES = env_int("COOP_IMPORT_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
COOP_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int(
    "COOP_IMPORT_MAX_UNCOMPRESSED_BYTES", 300 * 1024 * 1024
)
# Whole request bodies above this are refused before being read (uploads go to disk otherwise).
REQUEST_MAX_BYTES = env_int(
    "REQUEST_MAX_BYTES",
    max(IMPORT_MAX_UPLOAD_BYTES, COOP_IMPORT_MAX_UPLOAD_BYTES, ATTACHMENT_MAX_BYTES)
    + 2 * 1024 * 1024,
)

# La Coop de la médiation numérique's API (permanences/coop/sync.py): its address and the token its
# team grants ("client-id:secret"); without both the sync does nothing.
COOP_API_URL = (env_str("COOP_API_URL") or "").rstrip("/")
COOP_API_TOKEN = env_str("COOP_API_TOKEN") or ""
COOP_SYNC_MAX_PAGES = env_int("COOP_SYNC_MAX_PAGES", 20)

FORMS_URLFIELD_ASSUME_HTTPS = True
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", f"inclusion-numerique@{CITY_NAME.lower()}.example"
)
# Seconds before a mail server that does not answer counts as a failure (the outbox retries).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Days an e-mail of the outbox is kept once sent or given up (its text holds personal data).
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 30)

# Text messages to residents who gave a mobile number and no e-mail (poitiers_inclusion/sms.py).
# The console backend prints them and reaches nobody: those people are listed "à appeler".
# Brevo: SMS_BACKEND=poitiers_inclusion.sms.BrevoBackend and SMS_BREVO_API_KEY (README).
SMS_BACKEND = env_str("SMS_BACKEND", "poitiers_inclusion.sms.ConsoleBackend")
# What the phone shows as the sender: 11 letters or digits at most (the operators' rule).
SMS_SENDER = env_str("SMS_SENDER", "".join(c for c in CITY_NAME if c.isalnum())[:11])
SMS_BREVO_API_KEY = env_str("SMS_BREVO_API_KEY", "")
SMS_BREVO_URL = env_str("SMS_BREVO_URL", "https://api.brevo.com/v3/transactionalSMS/send")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(BASE_DIR / ".data" / "sms"))
# Seconds before a text-message service that does not answer counts as a failure (retried).
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10)
# Days the link sent to a new account (to choose its password) stays valid.
ACCOUNT_INVITATION_DAYS = env_int("ACCOUNT_INVITATION_DAYS", 7)
# Days a call to make is kept after its day (it holds a name and a number).
CALLS_KEPT_DAYS = env_int("CALLS_KEPT_DAYS", 7)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
FILTERS_EMPTY_CHOICE_LABEL = "Tous"  # django-filter's "no filter" choice
# HTTPS is terminated by the reverse proxy, which sends X-Forwarded-Proto (above): in
# production the application also redirects plain HTTP and asks browsers to stay on HTTPS for a
# year, so `check --deploy` has nothing to report under the README's configuration.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Load balancers probe the instances directly over HTTP, without the proxy's X-Forwarded-Proto.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
SILENCED_SYSTEM_CHECKS = [
    # security.W021 (HSTS preload off): preloading binds the city's whole registrable domain in
    # browsers for good; the city's IT decides it (SECURE_HSTS_PRELOAD=1), not this application.
    "security.W021",
]
# RFC 9116 /.well-known/security.txt: whom to tell about a vulnerability (e-mail or URL).
SECURITY_CONTACT = env_str("SECURITY_CONTACT", DEFAULT_FROM_EMAIL)

# Content-Security-Policy (django-csp): the browser runs and applies only the site's own script and
# style files, so HTML slipped into a page (a name typed as <img onerror=…>) can neither run nor
# restyle; no inline <script>, <style>, style="" or on…="" anywhere. Map tiles come from the one
# configured tile server; data: serves Bootstrap's drawn checkboxes and arrows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", source_of_url("MAP_TILE_URL", MAP_TILE_URL)],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Logs (poitiers_inclusion/observability.py): on the standard error, where gunicorn, systemd's
# journal and the container runtime collect them; one line per request (its route, never its
# path: some carry a token), as JSON objects with LOG_FORMAT=json.
LOG_FORMAT = env_str("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ConfigurationError(f"La variable LOG_FORMAT={LOG_FORMAT!r} vaut text ou json.")
LOG_REQUESTS = env_bool("LOG_REQUESTS", not DEBUG)  # runserver already prints them
SLOW_REQUEST_MS = env_int("SLOW_REQUEST_MS", 1000)
_route_only = ["route_only"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"route_only": {"()": "poitiers_inclusion.observability.RouteOnlyFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s : %(message)s"},
        "json": {"()": "poitiers_inclusion.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": _route_only,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "poitiers_inclusion.requests": {"level": "INFO" if LOG_REQUESTS else "WARNING"},
        # On the loggers themselves too, so that what Sentry takes from them is filtered.
        "django.request": {"filters": _route_only},
        "django.security.csrf": {"filters": _route_only},
    },
}

# Errors to Sentry (or a compatible server, such as GlitchTip) when SENTRY_DSN is set; personal
# data scrubbed (poitiers_inclusion/observability.py).
SENTRY_DSN = env_str("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    from .observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE") or None,
    )
