"""The project's named URLs walked from the URLconf, with the access each view declares: shared
by the tests that visit every page (permission matrix, accessibility, payload rendering)."""

import uuid

from django.urls import URLPattern, URLResolver, get_resolver

SKIPPED_NAMESPACES = {"admin"}  # Django's admin has its own is_staff gate.

SAMPLE_VALUES = {"int": 999999, "str": "inexistant", "slug": "inexistant", "path": "inexistant"}


def _walk(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def sample_kwargs(pattern: URLPattern) -> dict:
    """Arguments of the right type naming no existing object."""
    kwargs = {}
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        kwargs[name] = uuid.UUID(int=1) if kind == "uuid" else SAMPLE_VALUES.get(kind, "inexistant")
    return kwargs


ROUTES = sorted({name: pattern for name, pattern in _walk(get_resolver())}.items())


def access(callback):
    """'public', 'api', or the set of roles the view declares (None: it declares nothing)."""
    if getattr(callback, "access", None) in ("public", "api"):
        return callback.access
    return getattr(callback, "allowed_roles", None)
