"""Run several requests or service calls at the same instant, each on its own connection."""

import threading

from django.db import connection


def run_together(count, work):
    """Start `count` threads that call work(n) at the same instant; return their outcomes
    (the value returned, or the exception raised)."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(n):
        try:
            barrier.wait()
            outcomes[n] = work(n)
        except Exception as error:  # noqa: BLE001 — the outcome is what the test checks
            outcomes[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes
