"""Synchronising the city's médiations with La Coop's API, so that nobody types an activity twice.

Each activity of the API is put in the cells of a row of the Coop's export and read by the same
code as the file (`reading.parse_row`): one mapping of types, thématiques, durations, lieux and
levels, one set of French reasons for a value refused. Activities are recognised by the Coop's id
(the export's "ID CRA"), so one imported from the file is the same activity here; those without
a Coop id, typed in the application, are never touched.

A pass asks for the activities modified since the last pass (`CoopSync.watermark`), page by page,
at most `COOP_SYNC_MAX_PAGES` pages per run; the cursor is stored with each page written, in the
same transaction, so that a run stopped by the limit or a failure resumes where it was.
"""

import contextlib
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from poitiers_inclusion import scheduler
from poitiers_inclusion.models import AuditEvent, Usager

from ..enums import SyncOutcome
from ..models import Accompagnement, CoopSync, Mediation
from .client import PAGE_SIZE, CoopApiError, CoopClient
from .from_api import Mediateurs, Prepared, accompagnements, fetch_structures, modified_at, prepare
from .lieux import create_lieux, existing_lieux, unknown_lieux
from .people import Person, new_usager
from .reading import CoopRow
from .writing import (
    audit_events,
    link_permanences,
    lock_imports,
    mediation_from_row,
)

LOCK_NAME = "sync_coop"  # the scheduled job's name: its lock keeps one sync at a time
REFUSED_KEPT = 200  # refused activities listed on the page (all are counted)
# What the Coop's activity decides; the rest (satisfaction, notes, the source, the usagers'
# details) belongs to what was typed or imported here and is kept.
SYNCED_FIELDS = (
    "date",
    "conseiller_id",
    "type_activite",
    "type_lieu",
    "lieu_id",
    "duree_minutes",
    "thematiques",
    "thematiques_demarche",
    "nom_demarche",
    "materiel",
    "autonomie",
    "titre_atelier",
    "niveau_atelier",
    "redirige",
    "structure_redirection",
    "tags",
)


def is_configured() -> bool:
    return bool(settings.COOP_API_URL and settings.COOP_API_TOKEN)


def client_from_settings(**options) -> CoopClient:
    return CoopClient(settings.COOP_API_URL, settings.COOP_API_TOKEN, **options)


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    refused: list[dict] = field(default_factory=list)
    pages: int = 0
    complete: bool = False
    busy: bool = False  # another synchronisation was running: nothing done
    error: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {
            "creees": self.created,
            "mises_a_jour": self.updated,
            "inchangees": self.unchanged,
            "supprimees": self.deleted,
            "refusees": len(self.refused),
        }

    def refuse(self, activity: dict, mediateur: str, reason: str) -> None:
        attributes = activity.get("attributes") or {}
        self.refused.append(
            {
                "id": str(activity.get("id") or "")[:64],
                "date": str(attributes.get("date") or "")[:10],
                "mediateur": mediateur[:254],
                "motif": reason,
            }
        )


# --- Writing one page -----------------------------------------------------------------------


def _anonymous(row: CoopRow, now) -> Usager:
    person = Person("", "", rows=[row])
    return new_usager(person, now)


def _add_accompagnements(wanted: list[tuple[Mediation, CoopRow, int]], now) -> None:
    """`count` anonymous people more in each activity, written in three queries."""
    pairs = [(m, _anonymous(row, now)) for m, row, count in wanted for _ in range(count)]
    Usager.objects.bulk_create([usager for _, usager in pairs])
    Accompagnement.objects.bulk_create([Accompagnement(mediation=m, usager=u) for m, u in pairs])
    Through = Usager.conseillers.through
    Through.objects.bulk_create(
        [Through(usager_id=u.pk, user_id=m.conseiller_id) for m, u in pairs],
        ignore_conflicts=True,
    )


def _remove_anonymous(mediation, count: int) -> bool:
    """Take `count` anonymous people off the activity (the last added first); False when the
    activity has fewer anonymous people than that (named people are never removed)."""
    anonymous = list(
        Accompagnement.objects.filter(mediation=mediation, usager__consent_at__isnull=True)
        .order_by("-pk")
        .values_list("pk", "usager_id")[:count]
    )
    if len(anonymous) < count:
        return False
    Accompagnement.objects.filter(pk__in=[pk for pk, _ in anonymous]).delete()
    _delete_orphans([usager_id for _, usager_id in anonymous])
    return True


def _delete_orphans(usager_ids) -> None:
    """Anonymous usagers the sync created and who are no longer in any activity."""
    Usager.objects.filter(
        pk__in=usager_ids, consent_at__isnull=True, accompagnements__isnull=True
    ).delete()


def _delete(mediation, actor, events) -> None:
    usager_ids = list(mediation.accompagnements.values_list("usager_id", flat=True))
    events += audit_events(
        actor, "permanences.mediation.sync_deleted", [mediation], {"coop_id": mediation.coop_id}
    )
    mediation.delete()
    _delete_orphans(usager_ids)


def _update(mediation, fresh, count, report, item, actor, events, now) -> None:
    changed = [f for f in SYNCED_FIELDS if getattr(mediation, f) != getattr(fresh, f)]
    present = mediation.accompagnements.count()
    if count < present and not _remove_anonymous(mediation, present - count):
        report.refuse(
            item.activity,
            item.mediateur,
            f"La Coop compte maintenant {count} accompagnement(s) ; il y a ici plus de personnes "
            "nommées dans cette activité : corrigez-la à la main",
        )
        return
    if count > present:
        _add_accompagnements([(mediation, item.row, count - present)], now)
    if not changed and count == present:
        report.unchanged += 1
        return
    for name in changed:
        setattr(mediation, name, getattr(fresh, name))
    if {"lieu_id", "date", "conseiller_id"} & set(changed):
        mediation.permanence = None
        link_permanences([mediation])
    mediation.save()
    fields = [f.removesuffix("_id") for f in changed] + (["accompagnements"] * (count != present))
    events += audit_events(
        actor, "permanences.mediation.sync_updated", [mediation], {"fields": fields}
    )
    report.updated += 1


def _apply(items: list[Prepared], report: SyncReport, actor) -> None:
    now = timezone.now()
    ids = [str(item.activity.get("id")) for item in items if item.row or item.deleted]
    existing = {m.coop_id: m for m in Mediation.objects.select_for_update().filter(coop_id__in=ids)}
    lieux = existing_lieux()
    to_create = unknown_lieux((item.row.lieu for item in items if item.row), lieux)
    events = audit_events(
        actor,
        "reseau.lieu.created",
        create_lieux(to_create, lieux),
        {"source": "api"},
    )
    created = []
    for item in items:
        coop_id = str(item.activity.get("id"))
        mediation = existing.get(coop_id)
        if item.deleted:
            if mediation is not None:
                _delete(mediation, actor, events)
                existing.pop(coop_id)
                report.deleted += 1
            else:
                report.unchanged += 1
        elif item.reason:
            report.refuse(item.activity, item.mediateur, item.reason)
        elif mediation is not None:
            fresh = mediation_from_row(item.row, item.conseiller, lieux)
            _update(
                mediation, fresh, accompagnements(item.activity), report, item, actor, events, now
            )
        else:
            mediation = mediation_from_row(item.row, item.conseiller, lieux)
            existing[coop_id] = mediation
            created.append((mediation, item))
    link_permanences([m for m, _ in created])
    Mediation.objects.bulk_create([m for m, _ in created])
    _add_accompagnements(
        [(m, item.row, accompagnements(item.activity)) for m, item in created], now
    )
    events += audit_events(
        actor, "permanences.mediation.synced", [m for m, _ in created], {"source": "api"}
    )
    report.created += len(created)
    AuditEvent.objects.bulk_create(events)


# --- A run ------------------------------------------------------------------------------------


def _since_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def _iso(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def sync(
    *,
    client: CoopClient,
    since: datetime.date | None = None,
    dry_run: bool = False,
    max_pages: int | None = None,
    page_size: int = PAGE_SIZE,
    actor=None,
) -> SyncReport:
    """Bring the médiations up to date with La Coop's API, at most `max_pages` pages.

    `since` starts a new pass from that day (else the stored pass resumes, or a new one starts
    from the last modification seen). A dry run reads and checks everything and writes nothing,
    not even where the synchronisation stands. Raises CoopApiError once it is recorded.
    """
    report = SyncReport()
    with scheduler.exclusive(LOCK_NAME) as acquired:
        if not acquired:
            report.busy = True
            return report
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            try:
                _run(
                    client,
                    since,
                    max_pages or settings.COOP_SYNC_MAX_PAGES,
                    page_size,
                    actor,
                    report,
                )
            finally:
                if dry_run:
                    transaction.set_rollback(True)
    return report


def _run(client, since, max_pages, page_size, actor, report) -> None:
    started = timezone.now()
    state = CoopSync.current()
    if since is not None:
        pass_since, cursor, latest = _since_of(since), "", None
    elif state.cursor:
        pass_since, cursor, latest = state.pass_since, state.cursor, state.pass_latest
    else:
        pass_since, cursor, latest = state.watermark, "", None
    mediateurs = Mediateurs(client)
    structures: dict[str, dict] = {}
    try:
        for _ in range(max_pages):
            page = client.activites(modified_since=_iso(pass_since), after=cursor, size=page_size)
            report.pages += 1
            fetch_structures(client, page.data, structures)
            items = [prepare(a, mediateurs, structures) for a in page.data]
            seen = [m for m in map(modified_at, page.data) if m is not None]
            latest = max([*seen, *([latest] if latest else [])], default=None)
            with transaction.atomic():
                lock_imports()
                _apply(items, report, actor)
                state = CoopSync.current(for_update=True)
                if page.next_cursor:
                    state.cursor, state.pass_since, state.pass_latest = (
                        page.next_cursor,
                        pass_since,
                        latest,
                    )
                else:
                    state.watermark = latest or state.watermark
                    state.cursor, state.pass_since, state.pass_latest = "", None, None
                state.save()
            if not page.next_cursor:
                report.complete = True
                break
            cursor = page.next_cursor
    except Exception as error:
        report.error = (
            str(error)
            if isinstance(error, CoopApiError)
            else "Erreur inattendue pendant la synchronisation ; elle reprendra au même endroit."
        )
        _record(report, started)
        raise
    _record(report, started)


def _record(report: SyncReport, started) -> None:
    state = CoopSync.current()
    state.started_at, state.finished_at = started, timezone.now()
    if report.error:
        state.outcome = SyncOutcome.FAILED
    else:
        state.outcome = SyncOutcome.COMPLETE if report.complete else SyncOutcome.PARTIAL
    state.error = report.error
    state.counts = report.counts
    state.refused = report.refused[:REFUSED_KEPT]
    state.save()
