"""`make flaky-check` runs, FLAKY_RUNS times in a row, the browser tests added or changed since
main (committed or not), or those named in TESTS; tried in a small git repository of its own."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.production import ROOT

BROWSER_TEST = "import pytest\n\npytestmark = pytest.mark.browser\n\n\ndef test_it():\n    pass\n"
PLAIN_TEST = "def test_it():\n    pass\n"


def _run(cwd, *args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DJANGO_SETTINGS_MODULE", "PYTEST_ADDOPTS")
    }
    return subprocess.run(
        args, cwd=cwd, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def repository(tmp_path):
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / ".venv").symlink_to((ROOT / ".venv").resolve())
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    browser: a browser test\n")
    (tmp_path / ".gitignore").write_text(".venv\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    for name in ("test_kept_browser.py", "test_changed_browser.py"):
        (tests / name).write_text(BROWSER_TEST)
    (tests / "test_plain.py").write_text(PLAIN_TEST)
    git = ("git", "-c", "user.name=Essai", "-c", "user.email=essai@example.org")
    assert _run(tmp_path, *git, "init", "-q", "-b", "main").returncode == 0
    _run(tmp_path, *git, "add", ".")
    assert _run(tmp_path, *git, "commit", "-q", "-m", "main").returncode == 0
    _run(tmp_path, *git, "checkout", "-q", "-b", "travail")
    return tmp_path, git


def _flaky_check(folder, *variables):
    # The shared virtualenv and Chromium are there already.
    return _run(
        folder,
        "make",
        "-o",
        ".venv/.installed",
        "-o",
        ".venv/.installed-test",
        "-o",
        "chromium",
        "flaky-check",
        *variables,
    )


def test_it_repeats_the_browser_tests_changed_since_main(repository):
    folder, git = repository
    tests = folder / "tests"
    nothing = _flaky_check(folder)
    assert nothing.returncode == 0, nothing.stderr
    assert "Aucun test navigateur ajouté ou modifié depuis main" in nothing.stdout

    (tests / "test_changed_browser.py").write_text(
        BROWSER_TEST + "\n\ndef test_more():\n    pass\n"
    )
    _run(folder, *git, "commit", "-q", "-am", "changed")
    (tests / "test_new_browser.py").write_text(BROWSER_TEST)  # not committed yet
    (tests / "test_plain.py").write_text(PLAIN_TEST + "\n\ndef test_more():\n    pass\n")

    result = _flaky_check(folder, "FLAKY_RUNS=3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "Chaque test, 3 fois de suite : tests/test_changed_browser.py tests/test_new_browser.py"
        in result.stdout
    )
    assert "9 passed" in result.stdout  # three tests, three times each


def test_it_repeats_the_tests_named_and_fails_when_one_fails_once(repository):
    folder, _ = repository
    flaky = Path(folder / "tests" / "test_flaky_browser.py")
    # Fails on its second run only, as a test racing an animation would now and then.
    flaky.write_text(
        "import itertools\n\nruns = itertools.count(1)\n\n\n"
        "def test_it():\n    assert next(runs) != 2\n"
    )
    result = _flaky_check(folder, "TESTS=tests/test_flaky_browser.py tests/test_plain.py")
    assert result.returncode != 0
    assert "1 failed, 9 passed" in result.stdout
