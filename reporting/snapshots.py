"""Precomputed dashboard figures for the citywide views of a large database.

Live figures cost a few SQL passes over every accompagnement of the scope: milliseconds for a city
(tens of thousands of rows), a minute and more at ten million. So when a citywide view (the
coordinator's, the admin's) took longer than FIGURES_SNAPSHOT_MIN_SECONDS to compute, its
sections are stored; the next views of the same filters read them (a single indexed row) for
FIGURES_SNAPSHOT_MAX_AGE_MINUTES, and `python manage.py refresh_figures` (cron, every ten minutes)
recomputes the snapshots used lately so that they stay fresh. The page says when the figures it
shows were computed; the statistics API does the same for its payload (`calcule_le`). A conseiller's or a prescripteur's own figures are small, always live.
"""

import dataclasses
import datetime
import hashlib
import json
import logging
import pickle
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from poitiers_inclusion import figures

from . import compose
from .models import FiguresSnapshot

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Result:
    value: Any  # the dashboard's sections, or the API's payload
    computed_at: datetime.datetime
    from_snapshot: bool = False


BUILDERS = {
    "sections": compose.build_sections,  # the dashboard, its workbook and the printed report
    "api": compose.api_payload,  # GET /api/v1/statistiques
}


def _filters(scope: figures.Scope, kind: str) -> dict:
    """The view in JSON: what is built, its filters and the viewer's role (citywide roles see the
    same data)."""
    values = dataclasses.asdict(dataclasses.replace(scope, user=None))
    values["user"] = getattr(scope.user, "role", None)
    values["kind"] = kind
    return json.loads(json.dumps(values, default=str))


def _key(filters: dict) -> str:
    return hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()


def _citywide(scope: figures.Scope) -> bool:
    return scope.user is None or getattr(scope.user, "sees_whole_city", False)


def _stored(key: str) -> FiguresSnapshot | None:
    limit = timezone.now() - datetime.timedelta(minutes=settings.FIGURES_SNAPSHOT_MAX_AGE_MINUTES)
    return FiguresSnapshot.objects.filter(key=key, computed_at__gte=limit).first()


def compute(
    scope: figures.Scope,
    *,
    kind: str = "sections",
    store: bool | None = None,
    seen: bool = True,
) -> Result:
    """Live figures; stored when they took long (or when `store` says so). `seen`: someone is
    looking at them (not so for `refresh`, which would otherwise keep every view alive)."""
    now = timezone.now()
    started = time.perf_counter()
    value = BUILDERS[kind](scope)
    took = time.perf_counter() - started
    if store is None:
        store = _citywide(scope) and took >= settings.FIGURES_SNAPSHOT_MIN_SECONDS
    if store:
        filters = _filters(scope, kind)
        values = {
            "filters": filters,
            "payload": pickle.dumps(value),
            "computed_at": now,
            "duration_ms": round(took * 1000),
        }
        used = {"last_used_at": timezone.now()}
        with transaction.atomic():
            FiguresSnapshot.objects.update_or_create(
                key=_key(filters),
                defaults=values | used if seen else values,
                create_defaults=values | used,
            )
    return Result(value, computed_at=now)


def served(scope: figures.Scope, kind: str = "sections") -> Result:
    """Figures of a view: from a fresh snapshot if there is one, else live."""
    if not _citywide(scope):
        return compute(scope, kind=kind, store=False)
    snapshot = _stored(_key(_filters(scope, kind)))
    if snapshot is not None:
        try:
            value = pickle.loads(snapshot.payload)  # noqa: S301 - written by compute() above
        except Exception:  # a snapshot from an older version of the code: recompute it
            log.warning("Instantané de chiffres illisible, recalculé : %s", snapshot.key)
        else:
            FiguresSnapshot.objects.filter(pk=snapshot.pk).update(last_used_at=timezone.now())
            return Result(value, computed_at=snapshot.computed_at, from_snapshot=True)
    return compute(scope, kind=kind)


def dashboard_sections(scope: figures.Scope) -> Result:
    return served(scope, "sections")


def refresh(*, used_within_days: int = 7) -> list[FiguresSnapshot]:
    """Recompute the snapshots viewed lately; forget the others."""
    limit = timezone.now() - datetime.timedelta(days=used_within_days)
    FiguresSnapshot.objects.filter(last_used_at__lt=limit).delete()
    refreshed = []
    for snapshot in FiguresSnapshot.objects.order_by("-last_used_at"):
        kind = snapshot.filters.get("kind", "sections")
        if kind not in BUILDERS:
            snapshot.delete()
            continue
        compute(scope_from(snapshot.filters), kind=kind, store=True, seen=False)
        refreshed.append(snapshot)
    return refreshed


def scope_from(filters: dict) -> figures.Scope:
    """A scope equal to the stored one, seen by an active user of the same role."""
    from poitiers_inclusion.models import User

    def day(value):
        return datetime.date.fromisoformat(value) if value else None

    role = filters.get("user")
    return figures.Scope(
        user=User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if role
        else None,
        start=day(filters.get("start")),
        end=day(filters.get("end")),
        lieux=tuple(filters.get("lieux") or ()),
        quartiers=tuple(filters.get("quartiers") or ()),
        conseillers=tuple(filters.get("conseillers") or ()),
        app_filters={key: tuple(values) for key, values in filters.get("app_filters") or ()},
    )
