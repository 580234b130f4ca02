"""Settings come from the environment and fail with a clear message when production lacks one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from poitiers_inclusion.env import ConfigurationError, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(env: dict) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with exactly this environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import poitiers_inclusion.settings as s; print(s.DEBUG, s.CITY_NAME)",
        ],
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
    result = _load_settings({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "obligatoire" in result.stderr


def test_it_refuses_a_non_postgresql_database():
    result = _load_settings({"DATABASE_URL": "sqlite:///db.sqlite3", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_it_starts_in_production_with_both():
    result = _load_settings(
        {
            "DATABASE_URL": "postgres://u:p@db.example:5432/inclusion",
            "SECRET_KEY": "x" * 50,
            "CITY_NAME": "Châtellerault",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Châtellerault"]


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
