"""Importing a parsed Coop file: plan against the database (people, lieux, accounts), then write."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from poitiers_inclusion.bulkinsert import insert_new
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager, User
from poitiers_inclusion.text import fold

from ..enums import TypeActivite, TypeLieu
from ..models import Accompagnement, Mediation
from ..services import permanences_for
from .columns import CONSENT_SOURCE, GENERATED_ID
from .lieux import LieuIndex, Suggestion, create_lieux, existing_lieux, suggestions, unknown_lieux
from .people import Person, existing_usagers, match_people, new_usager, update_known
from .reading import CoopRow, LieuData, ParsedFile, RowError
from .writing import (
    audit_events,
    link_permanences,
    lock_imports,
    mediation_from_row,
)

# --- Planning and writing --------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What an import would do, computed against the database without writing."""

    parsed: ParsedFile
    new_rows: list[CoopRow]
    already_imported: int
    lieux_to_create: list[LieuData]
    lieu_suggestions: list[Suggestion]  # lieux to create that resemble one of ours
    existing_lieux: LieuIndex
    people: dict[int, Person]  # by line, for the new rows
    mediateurs: dict[str, User | None]  # folded médiateur name -> the account of that name
    default_conseiller: User | None = None

    @property
    def groups(self) -> dict[str, list[CoopRow]]:
        groups = defaultdict(list)
        for row in self.new_rows:
            groups[row.coop_id].append(row)
        return groups

    @property
    def accompagnements(self) -> int:
        return len(self.new_rows)

    @property
    def individual(self) -> int:
        return sum(
            1 for rows in self.groups.values() if rows[0].type_activite == TypeActivite.INDIVIDUEL
        )

    @property
    def collective(self) -> int:
        return sum(
            1 for rows in self.groups.values() if rows[0].type_activite == TypeActivite.COLLECTIF
        )

    @property
    def persons(self) -> list[Person]:
        """The distinct usagers of the new rows, in order of appearance."""
        return list(dict.fromkeys(self.people[row.line] for row in self.new_rows))

    @property
    def unique_usagers(self) -> int:
        return len(self.persons)

    @property
    def identified_usagers(self) -> int:
        return sum(1 for person in self.persons if person.name)

    @property
    def known_usagers(self) -> int:
        return sum(1 for person in self.persons if person.usager is not None)

    def account_for(self, row: CoopRow) -> User | None:
        """The conseiller account named in the row's médiateur columns, if exactly one fits."""
        return self.mediateurs.get(fold(row.mediateur)) if row.mediateur else None

    def conseiller_for(self, row: CoopRow) -> User | None:
        return self.account_for(row) or self.default_conseiller

    @property
    def attribution(self) -> list[dict]:
        """Accompagnements per conseiller, and whether the file's médiateur column chose them."""
        entries = {}
        for row in self.new_rows:
            account = self.account_for(row)
            entry = entries.setdefault(
                account.pk if account else None,
                {
                    "conseiller": account or self.default_conseiller,
                    "from_file": account is not None,
                    "unknown": [],
                    "accompagnements": 0,
                },
            )
            entry["accompagnements"] += 1
            if account is None and row.mediateur and row.mediateur not in entry["unknown"]:
                entry["unknown"].append(row.mediateur)
        return sorted(
            entries.values(), key=lambda e: (not e["from_file"], str(e["conseiller"] or ""))
        )

    @property
    def errors(self) -> list[RowError]:
        return self.parsed.errors


def _mediateur_accounts(rows: Iterable[CoopRow]) -> dict[str, User | None]:
    """The file's médiateurs (folded "Prénom Nom") -> the conseiller account of exactly that name.

    None when no account has that name, or when several have it and they cannot be told apart
    (the only active one wins): the rows then go to the conseiller chosen for the import.
    """
    names = {fold(row.mediateur) for row in rows if row.mediateur}
    if not names:
        return {}
    accounts = defaultdict(list)
    for user in User.objects.filter(role=Role.CONSEILLER).order_by("pk"):
        accounts[fold(f"{user.first_name} {user.last_name}")].append(user)
    found = {}
    for name in names:
        matches = accounts.get(name, [])
        active = [user for user in matches if user.is_active]
        if len(matches) == 1:
            found[name] = matches[0]
        elif len(active) == 1:
            found[name] = active[0]
        else:
            found[name] = None
    return found


def _same_activity(row: CoopRow, date: datetime.date, created_at: datetime.datetime) -> bool:
    """Is this row the activity of the app that our export numbered so? "Enregistré le" never
    changes (the date may have been corrected since); without it, the date must match."""
    if row.recorded_at is not None:
        recorded = timezone.localtime(created_at).replace(second=0, microsecond=0, tzinfo=None)
        return recorded == row.recorded_at
    return date == row.date


def _already_imported(rows: list[CoopRow]) -> set[str]:
    """ID CRA of the rows already in the database: Coop IDs stored on import, and the IDs our
    export gives to activities logged in the app (GENERATED_ID), checked against that activity
    so that a number from another database is not mistaken for ours."""
    ids = {row.coop_id for row in rows}
    done = set(Mediation.objects.filter(coop_id__in=ids).values_list("coop_id", flat=True))
    generated = {}
    for row in rows:
        match = GENERATED_ID.match(row.coop_id)
        if match and row.coop_id not in done:
            generated.setdefault(int(match[1]), row)
    for pk, date, created_at in Mediation.objects.filter(
        pk__in=generated, coop_id__isnull=True
    ).values_list("pk", "date", "created_at"):
        if _same_activity(generated[pk], date, created_at):
            done.add(generated[pk].coop_id)
    return done


def plan_import(parsed: ParsedFile, *, conseiller=None) -> ImportPlan:
    """Compare a parsed file with the database: nothing is written.

    `conseiller` receives the activities whose médiateur has no account of that exact name.
    """
    done = _already_imported(parsed.rows)
    new_rows = [row for row in parsed.rows if row.coop_id not in done]
    lieux = existing_lieux()
    to_create = unknown_lieux((row.lieu for row in new_rows), lieux)
    return ImportPlan(
        parsed=parsed,
        new_rows=new_rows,
        already_imported=len(parsed.rows) - len(new_rows),
        lieux_to_create=to_create,
        lieu_suggestions=suggestions(to_create, lieux),
        existing_lieux=lieux,
        people=match_people(new_rows, existing_usagers(new_rows)),
        mediateurs=_mediateur_accounts(new_rows),
        default_conseiller=conseiller,
    )


# Records written at a time: memory holds one batch of them, whatever the size of the file.
BATCH = 2_000


def _batches(items: list) -> Iterator[list]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _slot_keys(plan: ImportPlan, groups: list[list[CoopRow]], lieux: LieuIndex):
    """(lieu, day, conseiller) of the activities at a lieu d'activité, for `permanences_for`."""
    for rows in groups:
        row = rows[0]
        lieu = lieux.find(row.lieu) if row.type_lieu == TypeLieu.LIEU_ACTIVITE else None
        conseiller = plan.conseiller_for(row)
        if lieu is not None and conseiller is not None:
            yield lieu.pk, row.date, conseiller.pk


class InvalidRowsError(Exception):
    """The file has bad rows and the caller did not ask to import only the valid ones."""


@dataclass
class ImportResult:
    mediations: int
    accompagnements: int
    usagers_created: int
    lieux_created: int
    skipped_invalid: int
    already_imported: int
    per_conseiller: dict[str, int] = field(default_factory=dict)  # name -> accompagnements


def apply_import(
    *,
    parsed: ParsedFile,
    conseiller,
    actor,
    skip_invalid: bool = False,
    filename: str = "",
    same_lieux: set | None = None,
) -> ImportResult:
    """Write a parsed file: lieux, usagers, activities and accompagnements, all or nothing.

    `conseiller` receives the activities whose médiateur column names no conseiller account.
    `same_lieux` holds the indexes (in `plan.lieu_suggestions`) of the resemblances the
    coordinator confirmed on the preview: those activities go to our lieu, nothing is created.
    """
    if parsed.errors and not skip_invalid:
        raise InvalidRowsError(parsed.errors)
    now = timezone.now()
    with transaction.atomic():
        # Two imports of the same file at once: the second waits, then finds everything done.
        lock_imports()
        plan = plan_import(parsed, conseiller=conseiller)

        lieux = plan.existing_lieux
        attach = {
            s.data.key: s.lieu
            for i, s in enumerate(plan.lieu_suggestions)
            if i in (same_lieux or set())
        }
        created_lieux = create_lieux(plan.lieux_to_create, lieux, attach)
        insert_new(audit_events(actor, "reseau.lieu.created", created_lieux, {"source": "import"}))

        new_usagers = 0
        persons = plan.persons
        for batch in _batches([person for person in persons if person.usager is None]):
            usagers = [new_usager(person, now) for person in batch]
            insert_new(usagers)
            for person, usager in zip(batch, usagers, strict=True):
                person.usager_id = usager.pk
            named = [u for u in usagers if u.consent_at]
            insert_new(
                audit_events(
                    actor,
                    "kernel.usager.created",
                    named,
                    {"consent_source": CONSENT_SOURCE, "file": filename[:200]},
                )
            )
            new_usagers += len(usagers)
        events = []
        for person in persons:
            if person.usager is None:
                continue
            person.usager_id = person.usager.pk
            changed = update_known(person)
            if "commune" in changed:
                events += audit_events(
                    actor,
                    "kernel.usager.updated",
                    [person.usager],
                    {"fields": ["commune", "code_postal", "code_insee"], "source": CONSENT_SOURCE},
                )
        insert_new(events)

        groups = list(plan.groups.values())
        slots = permanences_for(_slot_keys(plan, groups, lieux))
        mediations_count = accompagnements_count = 0
        per_conseiller = defaultdict(int)
        for batch in _batches(groups):
            mediations = [
                mediation_from_row(rows[0], plan.conseiller_for(rows[0]), lieux) for rows in batch
            ]
            link_permanences(mediations, slots)
            insert_new(mediations)
            insert_new(
                audit_events(
                    actor, "permanences.mediation.imported", mediations, {"file": filename[:200]}
                )
            )
            accompagnements = []
            for mediation, rows in zip(mediations, batch, strict=True):
                seen = set()
                for row in sorted(rows, key=lambda r: r.participant[0]):
                    usager_id = plan.people[row.line].usager_id
                    if usager_id in seen:  # the same named person twice in one workshop
                        continue
                    seen.add(usager_id)
                    accompagnements.append(Accompagnement(mediation=mediation, usager_id=usager_id))
                    per_conseiller[str(mediation.conseiller)] += 1
            insert_new(accompagnements)
            Through = Usager.conseillers.through
            Through.objects.bulk_create(
                [
                    Through(usager_id=usager_id, user_id=conseiller_id)
                    for usager_id, conseiller_id in {
                        (a.usager_id, a.mediation.conseiller_id) for a in accompagnements
                    }
                ],
                ignore_conflicts=True,
            )
            mediations_count += len(mediations)
            accompagnements_count += len(accompagnements)
    return ImportResult(
        mediations=mediations_count,
        accompagnements=accompagnements_count,
        usagers_created=new_usagers,
        lieux_created=len(created_lieux),
        skipped_invalid=len(parsed.errors),
        already_imported=plan.already_imported,
        per_conseiller=dict(per_conseiller),
    )
