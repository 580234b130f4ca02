"""Browser tests wait for a state (expect, wait_for_selector, wait_for_url, wait_for_function),
never for a length of time: a fixed wait is too short on a busy machine, and wasted on a fast
one. This guard fails on any test that sleeps."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
TIMED_WAIT = re.compile(r"wait_for_timeout\(|time\.sleep\(|from time import sleep")
# Polling a server's port until it answers, between attempts: a wait for a state.
ALLOWED = {("production.py", "time.sleep(0.25)  # polling for a state (the port answers)")}


def test_no_test_waits_for_a_length_of_time():
    found = []
    for path in sorted(set(TESTS.rglob("*.py")) - {Path(__file__).resolve()}):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if TIMED_WAIT.search(line) and not any(
                path.name == name and text in line for name, text in ALLOWED
            ):
                found.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert found == []
