"""The usagers of imported activities: who each row's person is, and their records."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from poitiers_inclusion.models import Usager
from poitiers_inclusion.models.usagers import IDENTIFIED_KEPT, folded_full_name
from poitiers_inclusion.text import fold

from .reading import CoopRow


@dataclass(eq=False, slots=True)
class Person:
    """The usager of some rows of the file: a record already in the database, or one to create."""

    name: str  # folded "Prénom Nom"; "" for an anonymous usager
    commune: str  # folded; learnt from the rows when the record has none
    usager: Usager | None = None  # the existing record, if any
    rows: list[CoopRow] = field(default_factory=list)
    usager_id: int | None = None  # the record's, once written (the new ones are not kept)


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
    communes = {}  # folded once: a file names a few communes many times
    for row in sorted(rows, key=lambda r: r.line):
        if row.beneficiaire:
            if row.commune not in communes:
                communes[row.commune] = fold(row.commune)
            name, commune = fold(row.beneficiaire), communes[row.commune]
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


NAMES_A_QUERY = 100


def existing_usagers(rows: Iterable[CoopRow]) -> dict[str, list[Usager]]:
    """Identified usagers of the whole city whose folded name is one of the file's, oldest first.

    The whole city, not the conseiller's own: the usager record is shared by every conseiller and
    the city's figures count people once (a resident helped by two conseillers is one usager), and
    only the coordinator and the admin, who see every identified usager, may import.
    """
    names = {fold(row.beneficiaire) for row in rows if row.beneficiaire}
    if not names:
        return {}
    found = defaultdict(list)
    ordered = sorted(names)
    # A few names a query, through the index on the folded name: asked for a file's thousands
    # at once, PostgreSQL expects most of the table and folds every name of it (35 s at ten
    # million people, twice per import).
    for start in range(0, len(ordered), NAMES_A_QUERY):
        candidates = (
            Usager.objects.filter(IDENTIFIED_KEPT)
            .annotate(folded_name=folded_full_name())
            .filter(folded_name__in=ordered[start : start + NAMES_A_QUERY])
            .order_by("pk")
        )
        for usager in candidates:
            name = fold(usager.full_name)
            if name in names:
                found[name].append(usager)
    return found


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first[:100], last[:100]


def _latest(rows: Iterable[CoopRow]) -> CoopRow | None:
    return max(rows, key=lambda r: (r.date, r.line), default=None)


def new_usager(person: Person, now) -> Usager:
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


def update_known(person: Person) -> list[str]:
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
