"""Settings come from the environment and fail with a clear message when production lacks one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from poitiers_inclusion.env import ConfigurationError, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
# What a deployment's key looks like (secrets.token_urlsafe(50)): long and random.
PRODUCTION_KEY = "q3V8kZ0rN-2mX7pL4tH9wB1yC6sD5fG8jK0aE3uR7iO2nM4vT9xZ1cQ5bW8hJ6lP"


def _load_settings(
    env: dict, code: str = "import poitiers_inclusion.settings as s; print(s.DEBUG, s.CITY_NAME)"
) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with exactly this environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_production_without_secret_key():
    result = _load_settings({"DEBUG": "0", "DATABASE_URL": "postgres://u:p@localhost:5432/x"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "obligatoire" in result.stderr


def test_it_refuses_production_without_database_url():
    result = _load_settings({"DEBUG": "0", "SECRET_KEY": PRODUCTION_KEY})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "obligatoire" in result.stderr


def test_it_refuses_a_non_postgresql_database():
    result = _load_settings({"DATABASE_URL": "sqlite:///db.sqlite3", "SECRET_KEY": PRODUCTION_KEY})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_it_starts_in_production_with_both():
    result = _load_settings(
        {
            "DATABASE_URL": "postgres://u:p@db.example:5432/inclusion",
            "SECRET_KEY": PRODUCTION_KEY,
            "CITY_NAME": "Châtellerault",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Châtellerault"]


@pytest.mark.parametrize(
    "key",
    [
        "x",
        "a-short-key-of-forty-nine-characters-0123456789ab",
        "x" * 60,
        "django-insecure-" + "k" * 60,
    ],
    ids=["one-character", "49-characters", "one-repeated-character", "django-insecure"],
)
def test_it_refuses_a_weak_secret_key_in_production(key):
    result = _load_settings(
        {"DEBUG": "0", "DATABASE_URL": "postgres://u:p@db.example:5432/x", "SECRET_KEY": key}
    )
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert "SECRET_KEY est trop courte ou trop simple" in result.stderr
    assert "50 caractères" in result.stderr


def _deployment_check(**extra) -> subprocess.CompletedProcess:
    """`manage.py check --deploy --fail-level WARNING` under the README's production settings."""
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        from poitiers_inclusion.embedded_db import embedded_database_url

        database_url = embedded_database_url()
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "ALLOWED_", "TRUSTED_PROXY_"))
        and k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env = {
        **base,
        "DEBUG": "0",
        "SECRET_KEY": PRODUCTION_KEY,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "inclusion.ville.example",
        "CSRF_TRUSTED_ORIGINS": "https://inclusion.ville.example",
        **extra,
    }
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_documented_production_configuration_passes_the_deployment_check():
    """`check --deploy` reports nothing under the configuration the README documents: DEBUG=0,
    a long key, the database, the host names, one trusted proxy; HTTPS redirect and HSTS are
    production defaults."""
    result = _deployment_check(TRUSTED_PROXY_COUNT="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_asks_for_the_number_of_trusted_proxies():
    result = _deployment_check(TRUSTED_PROXY_COUNT=None)
    assert result.returncode != 0
    assert "kernel.W001" in result.stderr and "TRUSTED_PROXY_COUNT" in result.stderr
    # Saying explicitly that no proxy stands in front is an answer too.
    assert _deployment_check(TRUSTED_PROXY_COUNT="0").returncode == 0


def test_it_rejects_a_malformed_boolean():
    result = _load_settings({"DEBUG": "peut-être"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr and "booléen" in result.stderr


def test_typed_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "oui")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.fr, b.fr,,")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 1) == 42
    assert env_list("X_LIST", []) == ["a.fr", "b.fr"]
    monkeypatch.setenv("X_INT", "douze")
    with pytest.raises(ConfigurationError, match="nombre entier"):
        env_int("X_INT", 1)


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.CITY_NAME == os.environ.get("CITY_NAME", "Poitiers")
