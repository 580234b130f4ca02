"""Precomputed dashboard figures for the citywide views of a large database.

Live figures cost a few SQL passes over every accompagnement of the scope: milliseconds for a city
(tens of thousands of rows), a minute and more at ten million. So when a citywide view (the
coordinator's, the admin's) took longer than FIGURES_SNAPSHOT_MIN_SECONDS to compute, its
sections are stored; the next views of the same filters read them (a single indexed row) for
FIGURES_SNAPSHOT_MAX_AGE_MINUTES, and `python manage.py refresh_figures` (cron, every ten minutes)
recomputes the snapshots used lately so that they stay fresh. The page says when the figures it
shows were computed. A conseiller's or a prescripteur's own figures are small, always live.
"""

import dataclasses
import datetime
import hashlib
import json
import logging
import pickle
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from poitiers_inclusion import figures

from . import compose
from .models import FiguresSnapshot

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Result:
    sections: list[figures.Section]
    computed_at: datetime.datetime | None = None  # set when read from a snapshot


def _filters(scope: figures.Scope) -> dict:
    """The scope in JSON: its filters and the viewer's role (citywide roles see the same data)."""
    values = dataclasses.asdict(dataclasses.replace(scope, user=None))
    values["user"] = getattr(scope.user, "role", None)
    return json.loads(json.dumps(values, default=str))


def _key(filters: dict) -> str:
    return hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()


def _citywide(scope: figures.Scope) -> bool:
    return scope.user is None or getattr(scope.user, "sees_whole_city", False)


def _stored(key: str) -> FiguresSnapshot | None:
    limit = timezone.now() - datetime.timedelta(minutes=settings.FIGURES_SNAPSHOT_MAX_AGE_MINUTES)
    return FiguresSnapshot.objects.filter(key=key, computed_at__gte=limit).first()


def compute(scope: figures.Scope, *, store: bool | None = None) -> Result:
    """Live sections; stored when they took long (or when `store` says so)."""
    started = time.perf_counter()
    sections = compose.build_sections(scope)
    took = time.perf_counter() - started
    if store is None:
        store = _citywide(scope) and took >= settings.FIGURES_SNAPSHOT_MIN_SECONDS
    if store:
        filters = _filters(scope)
        now = timezone.now()
        with transaction.atomic():
            FiguresSnapshot.objects.update_or_create(
                key=_key(filters),
                defaults={
                    "filters": filters,
                    "payload": pickle.dumps(sections),
                    "computed_at": now,
                    "duration_ms": round(took * 1000),
                    "last_used_at": now,
                },
            )
    return Result(sections)


def dashboard_sections(scope: figures.Scope) -> Result:
    """The sections of a dashboard view: from a fresh snapshot if there is one, else live."""
    if not _citywide(scope):
        return Result(compose.build_sections(scope))
    snapshot = _stored(_key(_filters(scope)))
    if snapshot is not None:
        try:
            sections = pickle.loads(snapshot.payload)  # noqa: S301 - written by compute() above
        except Exception:  # a snapshot from an older version of the code: recompute it
            log.warning("Instantané de chiffres illisible, recalculé : %s", snapshot.key)
        else:
            FiguresSnapshot.objects.filter(pk=snapshot.pk).update(last_used_at=timezone.now())
            return Result(sections, computed_at=snapshot.computed_at)
    return compute(scope)


def refresh(*, used_within_days: int = 7) -> list[FiguresSnapshot]:
    """Recompute the snapshots viewed lately; forget the others."""
    limit = timezone.now() - datetime.timedelta(days=used_within_days)
    FiguresSnapshot.objects.filter(last_used_at__lt=limit).delete()
    refreshed = []
    for snapshot in FiguresSnapshot.objects.order_by("-last_used_at"):
        scope = scope_from(snapshot.filters)
        compute(scope, store=True)
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
        types=tuple(filters.get("types") or ()),
        thematiques=tuple(filters.get("thematiques") or ()),
    )
