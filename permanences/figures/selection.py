"""The rows of the figures store in a scope (`rows_for`): a period of the day-sorted files (a
slice), narrowed by the lieu and conseiller permutations of `index`, by the rows of a thématique
(index of bits) or by a mask for the type, plus the rows read again since the store was written.
"""

import numpy as np

from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from reseau.models import Lieu

from . import index as index_module
from . import keyed
from . import store as store_module
from .rows import Rows, day_number, search


def viewer_allows(user) -> tuple[bool, int | None]:
    """(the store can answer, the conseiller whose own rows only are shown)."""
    if user is None or (user.is_authenticated and user.is_active and user.sees_whole_city):
        return True, None
    if user.is_authenticated and user.is_active and user.role == Role.CONSEILLER:
        return True, user.pk
    return False, None  # other viewers see no médiation: the live path says so


def rows_for(scope: figures.Scope) -> Rows | None:
    """The scope's rows from the store; None when there is no store (figures computed live)."""
    allowed, own = viewer_allows(scope.user)
    if not allowed:
        return None
    store = store_module.current()
    if store is None:
        return None
    from .aggregates import THEMATIQUE, TYPE  # here: aggregates imports this module

    days = store.facts["day"]
    low = search(days, day_number(scope.start)) if scope.start else 0
    high = search(days, day_number(scope.end), "right") if scope.end else len(days)
    lieux = list(scope.lieux)
    if scope.quartiers:
        in_quartiers = Lieu.objects.filter(quartier_id__in=scope.quartiers).values_list(
            "pk", flat=True
        )
        lieux = [pk for pk in in_quartiers if not lieux or pk in lieux] or [-2]
    conseillers = list(scope.conseillers)
    if own is not None:
        conseillers = [own] if not conseillers or own in conseillers else [-2]
    types = [store.dictionaries["type"].codes.get(v, -2) for v in scope.chosen(TYPE)]
    themes, bits = np.uint64(0), []
    for value in scope.chosen(THEMATIQUE):
        code = store.dictionaries["t"].codes.get(value)
        if code is not None:
            themes |= np.uint64(1 << code)
            bits.append(code)

    def test(column, *, by_lieu=True, by_conseiller=True, by_theme=True):
        """The rows `column(name)` reads that the filters keep, the period aside (None: all)."""
        keep = None

        def both(mask):
            return mask if keep is None else keep & mask

        if lieux and by_lieu:
            keep = both(_among(column("lieu"), lieux))
        if conseillers and by_conseiller:
            keep = both(_among(column("conseiller"), conseillers))
        if scope.chosen(TYPE):
            keep = both(_among(column("type"), types))
        if scope.chosen(THEMATIQUE) and by_theme:
            keep = both((column("t") & themes) != 0)
        return keep

    def full_test(column):
        keep = test(column)
        return np.ones(len(column("day")), dtype=bool) if keep is None else keep

    fresh_mask = None
    if store.fresh:
        fresh = store.fresh.__getitem__
        fresh_mask = full_test(fresh)
        if scope.start:
            fresh_mask &= fresh("day") >= day_number(scope.start)
        if scope.end:
            fresh_mask &= fresh("day") <= day_number(scope.end)

    def kept(idx):
        """Without the overlay's dropped rows: few, found among the rows (sorted) and taken
        out, rather than every row's tested."""
        overlay = index_module.overlay(store) if store.kept is not None else None
        if overlay is None:
            return idx if store.kept is None else idx[store.kept[idx]]
        dropped = overlay.dropped
        at = np.searchsorted(idx, dropped)
        inside = at < len(idx)
        inside[inside] = idx[at[inside]] == dropped[inside]
        return np.delete(idx, at[inside]) if inside.any() else idx

    if lieux or conseillers:
        # The smaller of the lieux' and the conseillers' rows, then the other filters.
        found = [
            store.index.rows_of(name, values, low, high)
            for name, values in (("lieu", lieux), ("conseiller", conseillers))
            if values
        ]
        idx = min(found, key=len)
        keep = test(lambda name: np.asarray(store.facts[name][idx]))
        if keep is not None:
            idx = idx[keep]
        return Rows(store, low, high, idx=kept(idx), fresh_mask=fresh_mask, test=full_test)
    themed = bool(scope.chosen(THEMATIQUE)) and "perm_tbit" in store.index

    def selected() -> np.ndarray:
        if themed:
            # The thématiques' rows: one's from the index of bits, several's (or none known)
            # by a test of their bits over the period; then the other filters on those only.
            if len(bits) == 1:
                rows = store.index.bit_rows(bits[0], low, high)
            else:
                themes_of = np.asarray(store.facts["t"][low:high])
                rows = low + np.flatnonzero(themes_of & keyed.fitted(themes_of, themes))
            keep = test(lambda name: np.asarray(store.facts[name][rows]), by_theme=False)
            return kept(rows if keep is None else rows[keep])
        # The rows the filters keep, as indexes: each column is then a take (a fraction of a
        # millisecond for a year's 200,000 rows of a type and a thématique) instead of a
        # compress of the whole period.
        return kept(low + np.flatnonzero(test(lambda n: np.asarray(store.facts[n][low:high]))))

    # One type or thématiques alone: counted from the indexes per key, their rows found only
    # if a count needs them.
    keys = keyed.key_of(store, scope.chosen(THEMATIQUE), scope.chosen(TYPE))
    if scope.chosen(THEMATIQUE) or scope.chosen(TYPE):
        idx = selected if keys is not None else selected()
        return Rows(store, low, high, idx=idx, fresh_mask=fresh_mask, test=full_test, keys=keys)
    # A period from a day to the last, or from the first to a day, no filter: the people per
    # group from the tables of every row per month (keyed_totals), the rest as a whole period's.
    every = keyed.EVERY_ROW if (low > 0) != (high < len(days)) else None
    return Rows(store, low, high, fresh_mask=fresh_mask, test=full_test, keys=every)


def _among(values: np.ndarray, wanted: list[int]) -> np.ndarray:
    """np.isin for a few values: comparisons (np.isin costs 8 ms for a year's rows)."""
    if len(wanted) > 8:
        return index_module.member(values, index_module.uniq(np.array(wanted, dtype=np.int64)))
    keep = values == values.dtype.type(wanted[0]) if _fits(values, wanted[0]) else None
    keep = np.zeros(len(values), dtype=bool) if keep is None else keep
    for value in wanted[1:]:
        if _fits(values, value):
            keep |= values == values.dtype.type(value)
    return keep


def _fits(values: np.ndarray, value: int) -> bool:
    limits = np.iinfo(values.dtype)
    return limits.min <= value <= limits.max
