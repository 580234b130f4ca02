"""The arrays the workshop figures count (`figures` says what they mean): for a scope, the
sessions held and each of their registrations, from the workshops' figures store
(`figures_store`) when there is one, else from PostgreSQL in two statements.

- `sessions`: one entry per session held, sorted by id ("id", "day", "module", "lieu", "places"),
  and the counts of its registrations per `FLAGS` ("inscrits", "presents", "attente", "promus",
  "pointes", "inscrits_presents");
- the presences: `at` (the session's index) and `person` (the usager after merges).
Both sources give the same arrays: tests/ateliers/test_figures_equivalence.py compares them,
and the former one-statement-per-figure SQL, on random data, writes and filters.
"""

import datetime
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from poitiers_inclusion import columns, figures
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager
from reseau.models import Lieu

from . import figures_store
from .enums import Presence, StatutInscription
from .models import Inscription, Seance

# The médiation log's activity-type filter (declared by permanences) and its collective value.
ACTIVITY_TYPE, COLLECTIVE = "type", "collectif"
# The person of an inscription: the record its usager was merged into, else the usager. The
# merged records are few (the index on merged_into finds them, hashed once per statement): a
# join to every usager read the whole table for each figure.
_MERGED = Usager.objects.filter(merged_into__isnull=False)
PERSON = Case(
    When(
        usager_id__in=_MERGED.values("pk"),
        then=Subquery(_MERGED.filter(pk=OuterRef("usager_id")).values("merged_into_id")[:1]),
    ),
    default=F("usager_id"),
    output_field=IntegerField(),
)
PRESENT = Q(presence=Presence.PRESENT)
EPOCH = datetime.date(1970, 1, 1)


def seances(scope: figures.Scope):
    """The sessions held in the scope (see the module's docstring)."""
    qs = Seance.objects.held(timezone.localdate()).for_figures(scope.user)
    if scope.chosen(ACTIVITY_TYPE) and COLLECTIVE not in scope.chosen(ACTIVITY_TYPE):
        return qs.none()
    if scope.start:
        qs = qs.filter(date__gte=scope.start)
    if scope.end:
        qs = qs.filter(date__lte=scope.end)
    if scope.lieux:
        qs = qs.filter(lieu__in=scope.lieux)
    if scope.quartiers:
        qs = qs.filter(lieu__quartier__in=scope.quartiers)
    if scope.conseillers:
        qs = qs.filter(animateurs__in=scope.conseillers)
    return qs.distinct()


# How a registration counts: one bit each, added up per session held.
FLAGS = {
    "inscrits": "ateliers_inscription.statut = %(inscrit)s",
    "presents": "ateliers_inscription.presence = %(present)s",
    "attente": "ateliers_inscription.statut = %(attente)s",
    "promus": "ateliers_inscription.promoted_at IS NOT NULL",
    "pointes": "ateliers_inscription.presence <> ''",
}
BIT = {name: 1 << i for i, name in enumerate(FLAGS)}
_FLAG_VALUES = {
    "inscrit": StatutInscription.INSCRIT,
    "attente": StatutInscription.ATTENTE,
    "present": Presence.PRESENT,
}


@dataclass
class Held:
    """The sessions held in a scope, one array entry per session (sorted by id: "id", "day",
    "module", "lieu", "places" and the counts of its registrations per `FLAGS`), and the
    presences at them: `at` (the session's index) and `person`, one entry per presence."""

    sessions: dict[str, np.ndarray]
    at: np.ndarray
    person: np.ndarray

    def per(self, key: np.ndarray, name: str) -> np.ndarray:
        """A per-session count added up per group (`key`: each session's group, 0…n-1)."""
        return np.bincount(key, weights=self.sessions[name], minlength=key.max(initial=-1) + 1)

    def people_per(self, key: np.ndarray) -> np.ndarray:
        """Distinct people per group (`key`: each session's group, 0…n-1)."""
        size = int(key.max(initial=-1)) + 1
        if not len(self.person):
            return np.zeros(size, dtype=np.int64)
        span = int(self.person.max()) + 1
        pairs = _distinct(key[self.at] * span + self.person)
        return np.bincount(pairs // span, minlength=size)

    def persons(self) -> np.ndarray:
        return _distinct(self.person)


def _distinct(values: np.ndarray) -> np.ndarray:
    """np.unique by one sort (numpy's hashing unique is slower on these arrays)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _conditions() -> dict[str, str]:
    """Each count's condition on a registration (table ateliers_inscription), as SQL."""
    both = f"({FLAGS['inscrits']}) AND ({FLAGS['presents']})"
    with connection.cursor() as cursor:
        return {
            name: cursor.mogrify(condition, _FLAG_VALUES).decode()
            for name, condition in {**FLAGS, "inscrits_presents": both}.items()
        }


def _flags_sql() -> str:
    """A registration's flags (one bit per FLAGS entry) as an SQL expression."""
    conditions = _conditions()
    return " | ".join(
        f"(({conditions[name]})::int << {bit.bit_length() - 1})" for name, bit in BIT.items()
    )


def current_store() -> figures_store.Store | None:
    """The workshops' figures store as read now (None: there is none, figures from SQL)."""
    return figures_store.current(_conditions(), _conditions()["presents"])


def rebuild_store() -> dict:
    return figures_store.rebuild(_conditions(), _conditions()["presents"])


def _from_sql(scope: figures.Scope):
    """(sessions with their counts, presences' session index, person) read from PostgreSQL:
    the sessions, then every registration of theirs with its flags, counted here."""
    fields = ["id", "day", "module", "lieu", "places"]
    try:
        held_sql, held_params = seances(scope).order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # the individual help filter: no session
        return None
    sessions = columns.int_columns(
        f"""SELECT id::int8, (date - DATE '1970-01-01')::int8, module_id::int8,
                   lieu_id::int8, capacite::int8
            FROM ateliers_seance WHERE id IN ({held_sql}) ORDER BY id""",
        held_params,
        fields,
    )
    registrations = (
        Inscription.objects.filter(seance__in=seances(scope))
        .order_by()
        .annotate(person=PERSON, flags=RawSQL(_flags_sql(), ()))
        .values("seance_id", "flags", "person")
    )
    sql, params = registrations.query.sql_with_params()
    rows = columns.int_columns(
        f"SELECT r.seance_id::int8, r.flags::int8, r.person::int8 FROM ({sql}) r",
        params,
        ["seance", "flags", "person"],
    )
    at, flags = _index_of(sessions["id"], rows["seance"]), rows["flags"]
    for name, bit in BIT.items():
        sessions[name] = np.bincount(at[(flags & bit) != 0], minlength=len(sessions["id"]))
    both = BIT["inscrits"] | BIT["presents"]
    sessions["inscrits_presents"] = np.bincount(
        at[(flags & both) == both], minlength=len(sessions["id"])
    )
    present = (flags & BIT["presents"]) != 0
    return sessions, at[present], rows["person"][present]


def _store_reads_for(user) -> bool:
    """Whether the store can select the sessions `user` reads (Seance.for_figures)."""
    if user is None:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return user.sees_whole_city or user.role == Role.CONSEILLER


def _from_store(store: figures_store.Store, scope: figures.Scope):
    """(sessions, registrations) of the scope selected from the store's arrays, as `seances`
    selects them in SQL."""
    if scope.chosen(ACTIVITY_TYPE) and COLLECTIVE not in scope.chosen(ACTIVITY_TYPE):
        return None
    s = store.sessions
    keep = (np.asarray(s["cancelled"]) == 0) & (s["day"] <= _day(timezone.localdate()))
    if scope.start:
        keep &= s["day"] >= _day(scope.start)
    if scope.end:
        keep &= s["day"] <= _day(scope.end)
    if scope.lieux:
        keep &= np.isin(s["lieu"], scope.lieux)
    if scope.quartiers:
        lieux = Lieu.objects.filter(quartier__in=scope.quartiers).values_list("pk", flat=True)
        keep &= np.isin(s["lieu"], list(lieux))
    leads = store.leads
    for facilitators in (
        [scope.user.pk] if scope.user is not None and not scope.user.sees_whole_city else None,
        list(scope.conseillers) or None,
    ):
        if facilitators is not None:
            keep &= np.isin(s["id"], leads["seance"][np.isin(leads["user"], facilitators)])
    sessions = {name: np.asarray(values)[keep] for name, values in s.items() if name != "cancelled"}
    presences = store.presences
    at = _index_of(sessions["id"], presences["seance"])
    inside = at >= 0
    return sessions, at[inside], _resolved(np.asarray(presences["usager"])[inside])


def _index_of(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each value's index in `ids` (distinct non-negative integers), -1 when not there: a table
    indexed by id (a few hundred thousand sessions), faster than searchsorted."""
    size = max(int(ids.max(initial=-1)), int(values.max(initial=-1))) + 1
    table = np.full(size, -1, dtype=np.int64)
    table[ids] = np.arange(len(ids))
    return table[values]


def _resolved(usagers: np.ndarray) -> np.ndarray:
    """The person of each usager record, as PERSON: the record it was merged into, else itself
    (the merged records are few: the partial index usager_merged lists them)."""
    merged = Usager.objects.filter(merged_into__isnull=False).order_by("pk")
    pairs = np.array(list(merged.values_list("pk", "merged_into_id")), dtype=np.int64)
    if not len(pairs) or not len(usagers):
        return usagers
    at = np.minimum(np.searchsorted(pairs[:, 0], usagers), len(pairs) - 1)
    return np.where(pairs[at, 0] == usagers, pairs[at, 1], usagers)


def _day(value: datetime.date) -> int:
    return (value - EPOCH).days


def held(scope: figures.Scope) -> Held:
    def compute():
        store = current_store() if _store_reads_for(scope.user) else None
        found = _from_store(store, scope) if store is not None else _from_sql(scope)
        if found is None:  # no session can be in the scope
            none = np.zeros(0, dtype=np.int64)
            names = ["id", "day", "module", "lieu", "places", *FLAGS, "inscrits_presents"]
            return Held({name: none for name in names}, none, none)
        return Held(*found)

    return figures.memoized(scope, "ateliers.held", compute)
