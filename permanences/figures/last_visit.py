"""The last day a permanence was held with a visit, from the figures store's rows at
permanences (`attendance_files`): each permanence's last run up to a day, without reading its
rows."""

import datetime

import numpy as np

from . import engine
from . import store as store_module
from .attendance_files import PREFIX

EPOCH = datetime.date(1970, 1, 1)


def last_visit(permanences: list[int], today: datetime.date):
    """engine.last_visit from the runs: each permanence's last run up to today."""
    store = store_module.current()
    if store is None or PREFIX + "run_key" not in store.facts or store.kept is not None:
        return engine.last_visit(permanences, today)  # rows dropped since: read them all
    run_key = np.asarray(store.facts[PREFIX + "run_key"])
    chosen = np.array(sorted(set(permanences)), dtype=np.int64)
    day = (today - EPOCH).days
    at = np.searchsorted(run_key, (chosen << 32) | day, "right") - 1
    inside = at >= 0
    found = run_key[at[inside]]
    days = (found[(found >> 32) == chosen[inside]] & 0xFFFFFFFF).tolist()
    if store.fresh:
        fresh = store.fresh
        mine = engine._among(fresh["permanence"], list(permanences)) & (fresh["day"] <= day)
        days += fresh["day"][mine].tolist()
    return EPOCH + datetime.timedelta(days=max(days)) if days else None
