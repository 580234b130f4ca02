"""Typed readers for settings taken from environment variables; they fail loudly on bad values."""

import os
import re
from urllib.parse import urlsplit


class ConfigurationError(Exception):
    """A setting is missing or malformed: the message says which and how to fix it."""


_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigurationError(
        f"La variable {name}={value!r} n'est pas un booléen : utilisez 1/0, true/false ou on/off."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(
            f"La variable {name}={value!r} doit être un nombre entier."
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_required(name: str, why: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"La variable d'environnement {name} est obligatoire : {why}")
    return value


def source_of_url(name: str, url: str) -> str:
    """The Content-Security-Policy source (scheme://host[:port]) that allows loading from `url`,
    a URL template such as a map tile server's; a sub-domain placeholder ({s}) becomes *."""
    parts = urlsplit(url)
    host, colon, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    if "{" in labels[0] and len(labels) >= 3:
        labels[0] = "*"  # a wildcard needs a registrable domain after it: *.example.org
    host = ".".join(labels)
    if (
        parts.scheme not in ("http", "https")
        or not re.fullmatch(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*", host)
        or not re.fullmatch(r"\d*", port)
    ):
        raise ConfigurationError(
            f"La variable {name}={url!r} doit être une adresse http(s) complète dont seul le "
            "premier nom de domaine peut varier ({s}), par exemple "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png."
        )
    return f"{parts.scheme}://{host}{colon}{port}"
