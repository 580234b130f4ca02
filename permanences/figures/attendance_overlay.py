"""Attendance's unique usagers when the figures store has an overlay (médiations or usagers
written since the rebuild): the rows' previous visits still count the pairs of every usager the
writes did not touch; the pairs of the few usagers with rows dropped or read again are counted
again from their own rows.

Why: after any write the overlay drops some of the files' rows and reads some rows again, so a
row's previous visit (written at rebuild) may point at a row dropped since, or miss a row read
again. Counting every pair again (a scatter of ten million pair ids per grouping) took most of
the section's time most of the day, for a handful of changed rows. The correction is exact: a
pair of an untouched usager has the same rows as at rebuild.

For a grouping ("pperm", "plieu", "pmonth" or "usager": one group), the rows of the period whose
previous visit of the pair is before the period count each pair with a stored row in the period
once, dropped rows included (`shortcut`); the pairs really present are those with a kept stored
row or a row read again (`exact`). Only the touched usagers' pairs can differ: their difference
per group is added to the shortcut's counts.
"""

import numpy as np

from . import index, slots, writer
from .rows import search

# Rows dropped or read again past which the overlay's pairs are counted by the scatter (a mass
# update before the next rebuild): the touched usagers' rows are then most of the rows.
DELTA_LIMIT = 20_000
GROUP_COLUMNS = {"pperm": "permanence", "plieu": "plieu", "pmonth": "month", "usager": None}


class Delta:
    """The overlay within a selection of attendance rows: the files' rows dropped at the chosen
    permanences in the period (`dropped`, rows of the files), and for each grouping the
    difference per group between the pairs present and those the previous visits count."""

    def __init__(self, store, chosen: np.ndarray, lo: int, hi: int, fresh: dict, dropped):
        self.store, self.chosen, self.lo, self.hi, self.fresh = store, chosen, lo, hi, fresh
        self.dropped = dropped

    @classmethod
    def of(cls, store, chosen: np.ndarray, lo: int, hi: int, fresh: dict):
        """The selection's Delta; None when too many rows changed (or the store's overlay
        does not list its dropped rows): the pairs are then counted by the scatter."""
        dropped = np.zeros(0, dtype=np.int64)
        if store.kept is not None:
            overlay = index.overlay(store)
            if overlay is None:
                return None
            day = store.facts["day"]
            low, high = search(day, lo), search(day, hi, "right")
            dropped = overlay.dropped_between(low, high)
            dropped = dropped[index.member(store.facts["permanence"][dropped], chosen)]
        fresh_rows = len(fresh["day"]) if fresh else 0
        if len(dropped) + fresh_rows > DELTA_LIMIT:
            return None
        return cls(store, chosen, lo, hi, fresh, dropped.astype(np.int64))

    def runs(self, run_key: np.ndarray) -> np.ndarray:
        """The index in `run_key` of each dropped row's run."""
        facts = self.store.facts
        keys = (facts["permanence"][self.dropped].astype(np.int64) << 32) | facts["day"][
            self.dropped
        ].astype(np.int64)
        return np.searchsorted(run_key, keys)

    def positions(self, run_key, run_start, rows) -> np.ndarray:
        """The dropped rows' positions among the rows at permanences (`rows`: their files' row)."""
        runs = self.runs(run_key)
        begins, stops = run_start[runs], run_start[runs + 1]
        spread = slots.spread(begins, stops)
        mine = np.asarray(rows)[spread] == np.repeat(self.dropped, stops - begins)
        return np.sort(spread[mine])

    def _touched(self):
        """The stored rows of the touched usagers in the selection (files' rows) and whether
        each is kept; the usagers of the rows read again."""
        facts, store = self.store.facts, self.store
        fresh_usagers = self.fresh["usager"] if self.fresh else np.zeros(0, dtype=np.int64)
        usagers = index.uniq(np.r_[facts["usager"][self.dropped], fresh_usagers])
        persons = index.uniq(
            np.r_[
                facts["person"][self.dropped],
                writer.resolve(store.people["merged"], fresh_usagers),
            ].astype(np.int64)
        )
        rows, _owner = store.index.person_rows(persons)
        rows = rows[index.member(facts["usager"][rows], usagers)]
        days = facts["day"][rows]
        rows = rows[(days >= self.lo) & (days <= self.hi)]
        rows = rows[index.member(facts["permanence"][rows], self.chosen)]
        kept = np.ones(len(rows), dtype=bool) if store.kept is None else store.kept[rows]
        return rows, kept

    def corrections(self, pair: str) -> tuple[np.ndarray, np.ndarray]:
        """(groups, pairs present - pairs the previous visits count) for a grouping."""
        if not hasattr(self, "_rows"):
            self._rows, self._kept = self._touched()
        facts, rows, kept = self.store.facts, self._rows, self._kept
        column = GROUP_COLUMNS[pair]

        group = facts[column][rows] if column else np.zeros(len(rows), dtype=np.int64)
        stored = writer.pair_keys(group, facts["usager"][rows])
        fresh = np.zeros(0, dtype=np.int64)
        if self.fresh:
            usagers = self.fresh["usager"]
            group = self.fresh[column] if column else np.zeros(len(usagers), dtype=np.int64)
            fresh = writer.pair_keys(group, usagers)
        counted, counted_n = index.uniq_counts(writer.key_groups(index.uniq(stored)))
        present, present_n = index.uniq_counts(
            writer.key_groups(index.uniq(np.r_[stored[kept], fresh]))
        )
        all_groups = index.uniq(np.r_[counted, present])
        difference = np.zeros(len(all_groups), dtype=np.int64)
        difference[np.searchsorted(all_groups, present)] += present_n
        difference[np.searchsorted(all_groups, counted)] -= counted_n
        return all_groups, difference
