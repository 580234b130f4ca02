"""Importing a parsed Coop file: plan against the database (people, lieux, accounts), then write."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent, Usager, User
from poitiers_inclusion.text import fold, folded
from reseau.models import Lieu

from ..enums import TypeActivite, TypeLieu
from ..models import Accompagnement, Mediation, Permanence
from ..services import permanence_for
from .columns import (
    CONSENT_SOURCE,
    DEFAULT_SOURCE,
    GENERATED_ID,
    UNKNOWN_PIVOT,
)
from .reading import (
    CoopRow,
    LieuData,
    ParsedFile,
    RowError,
)

# --- Planning and writing --------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    """The usager of some rows of the file: a record already in the database, or one to create."""

    name: str  # folded "Prénom Nom"; "" for an anonymous usager
    commune: str  # folded; learnt from the rows when the record has none
    usager: Usager | None = None  # the existing record, if any
    rows: list[CoopRow] = field(default_factory=list)


def match_people(rows: Iterable[CoopRow], existing: dict[str, list[Usager]]) -> dict[int, Person]:
    """Who each row's usager is (by line): one rule between the rows and against the database.

    A named person is recognised by their folded name (case, accents, spacing and apostrophes
    aside); the commune only tells two people of the same name apart when both sides give one
    and they differ. When several fit, the one with the row's commune wins, then the oldest (so
    a row without commune goes to the oldest): the records already in the database by creation,
    then the file's people in order of appearance. A person without commune who is then seen
    with one takes it, so that a later row in another commune is somebody else.

    An anonymous row is a new usager, unless our own export's "Réf. usager" says that several
    rows are the same person (the reference only links rows of one file: it is never looked up
    in the database, whose numbers may be another's).
    """
    named = {
        name: [Person(name, fold(u.commune), u) for u in usagers]
        for name, usagers in existing.items()
    }
    by_ref: dict[str, Person] = {}
    people = {}
    for row in sorted(rows, key=lambda r: r.line):
        if row.beneficiaire:
            name, commune = fold(row.beneficiaire), fold(row.commune)
            candidates = named.setdefault(name, [])
            fitting = [
                p for p in candidates if not (commune and p.commune and p.commune != commune)
            ]
            same = [p for p in fitting if commune and p.commune == commune]
            person = (same or fitting or [None])[0]
            if person is None:
                person = Person(name, commune)
                candidates.append(person)
            elif commune and not person.commune:
                person.commune = commune
        elif row.usager_ref:
            person = by_ref.setdefault(row.usager_ref, Person("", ""))
        else:
            person = Person("", "")
        person.rows.append(row)
        people[row.line] = person
    return people


@dataclass
class ImportPlan:
    """What an import would do, computed against the database without writing."""

    parsed: ParsedFile
    new_rows: list[CoopRow]
    already_imported: int
    lieux_to_create: list[LieuData]
    existing_lieux: dict
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


def _existing_lieux() -> dict:
    lieux = {}
    for lieu in Lieu.objects.order_by("archived_at", "pk").only("pk", "nom", "commune"):
        lieux.setdefault((fold(lieu.nom), fold(lieu.commune)), lieu)
    return lieux


def _folded_full_name():
    """SQL near enough to `fold(first_name + " " + last_name)` to find the candidates; the exact
    comparison is made in Python afterwards."""
    return folded(Concat("first_name", Value(" "), "last_name", output_field=CharField()))


def _existing_usagers(rows: Iterable[CoopRow]) -> dict[str, list[Usager]]:
    """Identified usagers of the whole city whose folded name is one of the file's, oldest first.

    The whole city, not the conseiller's own: the usager record is shared by every conseiller and
    the city's figures count people once (a resident helped by two conseillers is one usager), and
    only the coordinator and the admin, who see every identified usager, may import.
    """
    names = {fold(row.beneficiaire) for row in rows if row.beneficiaire}
    if not names:
        return {}
    found = defaultdict(list)
    candidates = (
        Usager.objects.identified()
        .filter(merged_into__isnull=True)
        .annotate(folded_name=_folded_full_name())
        .filter(folded_name__in=names)
        .order_by("pk")
    )
    for usager in candidates:
        name = fold(usager.full_name)
        if name in names:
            found[name].append(usager)
    return found


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
    lieux = _existing_lieux()
    to_create = {}
    for row in new_rows:
        if row.lieu and row.lieu.key not in lieux:
            to_create.setdefault(row.lieu.key, row.lieu)
    return ImportPlan(
        parsed=parsed,
        new_rows=new_rows,
        already_imported=len(parsed.rows) - len(new_rows),
        lieux_to_create=list(to_create.values()),
        existing_lieux=lieux,
        people=match_people(new_rows, _existing_usagers(new_rows)),
        mediateurs=_mediateur_accounts(new_rows),
        default_conseiller=conseiller,
    )


class InvalidRowsError(Exception):
    """The file has bad rows and the caller did not ask to import only the valid ones."""


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first[:100], last[:100]


def _audit_events(actor, action: str, objects, changes: dict) -> list[AuditEvent]:
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0])
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return [
        AuditEvent(
            actor=actor,
            action=action,
            target_type=content_type,
            target_id=str(obj.pk),
            changes=changes,
        )
        for obj in objects
    ]


@dataclass
class ImportResult:
    mediations: int
    accompagnements: int
    usagers_created: int
    lieux_created: int
    skipped_invalid: int
    already_imported: int
    per_conseiller: dict[str, int] = field(default_factory=dict)  # name -> accompagnements


def _latest(rows: Iterable[CoopRow]) -> CoopRow | None:
    return max(rows, key=lambda r: (r.date, r.line), default=None)


def _new_usager(person: Person, now) -> Usager:
    """A record for a person first seen in this file, from their latest row (and the latest that
    gives their commune, their quartier)."""
    latest = _latest(person.rows)
    located = _latest(r for r in person.rows if r.commune) or latest
    housed = _latest(r for r in person.rows if r.quartier)
    first, last = _split_name(latest.beneficiaire) if person.name else ("", "")
    return Usager(
        first_name=first,
        last_name=last,
        consent_at=now if person.name else None,
        genre=latest.genre,
        tranche_age=latest.tranche_age,
        statut_social=latest.statut_social,
        commune=located.commune,
        code_postal=located.code_postal,
        code_insee=located.code_insee,
        quartier=housed.quartier if housed else None,
        last_seen_on=latest.date,
    )


def _update_known(person: Person) -> list[str]:
    """Bring an existing record up to date with the file: last visit, and the commune when the
    record had none (it is what tells homonyms apart next time). Returns the fields changed."""
    usager, latest = person.usager, _latest(person.rows)
    changed = []
    if usager.last_seen_on is None or usager.last_seen_on < latest.date:
        usager.last_seen_on = latest.date
        changed.append("last_seen_on")
    if person.commune and not fold(usager.commune):
        located = _latest(r for r in person.rows if fold(r.commune) == person.commune)
        usager.commune = located.commune
        usager.code_postal = usager.code_postal or located.code_postal
        usager.code_insee = usager.code_insee or located.code_insee
        changed += ["commune", "code_postal", "code_insee"]
    if changed:
        usager.save(update_fields=changed)
    return changed


def apply_import(
    *, parsed: ParsedFile, conseiller, actor, skip_invalid: bool = False, filename: str = ""
) -> ImportResult:
    """Write a parsed file: lieux, usagers, activities and accompagnements, all or nothing.

    `conseiller` receives the activities whose médiateur column names no conseiller account.
    """
    if parsed.errors and not skip_invalid:
        raise InvalidRowsError(parsed.errors)
    now = timezone.now()
    with transaction.atomic():
        # Two imports of the same file at once: the second waits, then finds everything done.
        _lock_imports()
        plan = plan_import(parsed, conseiller=conseiller)
        events = []

        lieux = dict(plan.existing_lieux)
        created_lieux = [
            Lieu(
                nom=data.nom,
                adresse=data.adresse,
                commune=data.commune,
                code_postal=data.code_postal,
                code_insee=data.code_insee,
                pivot=UNKNOWN_PIVOT,
                source="Import La Coop",
            )
            for data in plan.lieux_to_create
        ]
        Lieu.objects.bulk_create(created_lieux)
        for lieu in created_lieux:
            lieux[(fold(lieu.nom), fold(lieu.commune))] = lieu
        events += _audit_events(actor, "reseau.lieu.created", created_lieux, {"source": "import"})

        persons = plan.persons
        known = [person for person in persons if person.usager is not None]
        new_usagers = []
        for person in persons:
            if person.usager is None:
                person.usager = _new_usager(person, now)
                new_usagers.append(person.usager)
        Usager.objects.bulk_create(new_usagers)
        identified = [u for u in new_usagers if u.consent_at]
        events += _audit_events(
            actor,
            "kernel.usager.created",
            identified,
            {"consent_source": CONSENT_SOURCE, "file": filename[:200]},
        )
        for person in known:
            changed = _update_known(person)
            if "commune" in changed:
                events += _audit_events(
                    actor,
                    "kernel.usager.updated",
                    [person.usager],
                    {"fields": ["commune", "code_postal", "code_insee"], "source": CONSENT_SOURCE},
                )

        groups = plan.groups
        mediations = [
            _mediation(rows[0], plan.conseiller_for(rows[0]), lieux) for rows in groups.values()
        ]
        _link_permanences(mediations)
        Mediation.objects.bulk_create(mediations)
        events += _audit_events(
            actor, "permanences.mediation.imported", mediations, {"file": filename[:200]}
        )
        accompagnements = []
        per_conseiller = defaultdict(int)
        for mediation, rows in zip(mediations, groups.values(), strict=True):
            seen = set()
            for row in sorted(rows, key=lambda r: r.participant[0]):
                usager = plan.people[row.line].usager
                if usager.pk in seen:  # the same named person twice in one workshop
                    continue
                seen.add(usager.pk)
                accompagnements.append(Accompagnement(mediation=mediation, usager=usager))
                per_conseiller[str(mediation.conseiller)] += 1
        Accompagnement.objects.bulk_create(accompagnements)
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
        AuditEvent.objects.bulk_create(events)
    return ImportResult(
        mediations=len(mediations),
        accompagnements=len(accompagnements),
        usagers_created=len(new_usagers),
        lieux_created=len(created_lieux),
        skipped_invalid=len(parsed.errors),
        already_imported=plan.already_imported,
        per_conseiller=dict(per_conseiller),
    )


def _lock_imports():
    """Serialise Coop imports (transaction-scoped advisory lock) so that ID CRA checks hold."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x0C00B])


def _mediation(row: CoopRow, conseiller, lieux: dict) -> Mediation:
    return Mediation(
        date=row.date,
        conseiller=conseiller,
        type_activite=row.type_activite,
        type_lieu=row.type_lieu,
        lieu=lieux.get(row.lieu.key) if row.lieu else None,
        duree_minutes=row.duree_minutes,
        thematiques=row.thematiques,
        thematiques_demarche=row.thematiques_demarche,
        nom_demarche=row.nom_demarche,
        materiel=row.materiel,
        autonomie=row.autonomie,
        titre_atelier=row.titre_atelier,
        niveau_atelier=row.niveau_atelier,
        redirige=row.redirige,
        structure_redirection=row.structure_redirection,
        satisfaction=row.satisfaction,
        source_connaissance=row.source_connaissance,
        premiere_visite=row.premiere_visite,
        notes=row.notes,
        tags=row.tags,
        coop_id=row.coop_id,
        source_donnee=row.source or DEFAULT_SOURCE,
    )


def _link_permanences(mediations: list[Mediation]) -> None:
    """Give each activity at a lieu d'activité the drop-in slot in force there that day, as the
    log form does (`permanence_for`: the conseiller's own slot first). The file has no time of
    day, only the date, so two slots of the same day are told apart by conseiller only."""
    at_lieu = [m for m in mediations if m.type_lieu == TypeLieu.LIEU_ACTIVITE and m.lieu_id]
    with_slots = set(
        Permanence.objects.filter(lieu_id__in={m.lieu_id for m in at_lieu}).values_list(
            "lieu_id", flat=True
        )
    )
    found = {}
    for mediation in at_lieu:
        if mediation.lieu_id not in with_slots:
            continue
        key = (mediation.lieu_id, mediation.date, mediation.conseiller.pk)
        if key not in found:
            found[key] = permanence_for(
                lieu=mediation.lieu, date=mediation.date, conseiller=mediation.conseiller
            )
        mediation.permanence = found[key]
