"""A new web worker imports its views and compiles its templates before its first request
(deploy/gunicorn.conf.py): its first visitors do not wait half a second for them."""

import functools
import gc
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.template import engines
from django.urls import URLResolver, reverse
from django.utils import translation

from poitiers_inclusion import figures, warmup
from tests.production import gunicorn_settings


def _cached_loader():
    return engines["django"].engine.template_loaders[0]


def test_every_template_of_the_project_is_compiled_and_cached():
    loader = _cached_loader()
    loader.reset()
    compiled = warmup.compile_templates()
    cached = set(loader.get_template_cache)
    assert {"base.html", "reporting/dashboard.html", "registration/login.html"} <= cached
    project = len(list((Path(settings.BASE_DIR) / "templates").rglob("*.html")))
    assert compiled > project  # the apps' templates too
    assert not any(name.startswith("admin/") for name in cached)  # not the libraries'


def test_every_namespace_can_reverse_without_building_its_tables_first():
    warmup.load_views()
    names = ["reporting:dashboard", "permanences:log", "reseau:lieu_list", "login"]
    with (
        translation.override(settings.LANGUAGE_CODE),
        mock.patch.object(URLResolver, "_populate", side_effect=AssertionError("built")),
    ):
        assert [reverse(name) for name in names]


def test_a_new_worker_prepares_its_views_and_templates_then_its_stores():
    worker = mock.Mock()
    with (
        mock.patch.object(warmup, "load_views") as views,
        mock.patch.object(warmup, "compile_templates") as templates,
        mock.patch.object(figures, "warm_stores") as stores,
        mock.patch.object(warmup, "settle") as settle,
    ):
        gunicorn_settings().post_worker_init(worker)
    views.assert_called_once()
    templates.assert_called_once()
    stores.assert_called_once()
    settle.assert_called_once()
    worker.log.exception.assert_not_called()


def test_a_template_that_fails_to_compile_does_not_stop_the_worker_nor_the_stores():
    worker = mock.Mock()
    with (
        mock.patch.object(warmup, "compile_templates", side_effect=ValueError("broken")),
        mock.patch.object(figures, "warm_stores") as stores,
        mock.patch.object(warmup, "settle"),
    ):
        gunicorn_settings().post_worker_init(worker)
    worker.log.exception.assert_called_once()
    stores.assert_called_once()


def test_what_the_start_up_made_is_set_aside_from_the_garbage_collector():
    made_at_start = [object() for _ in range(3)]
    try:
        frozen = warmup.settle()
        assert frozen > 1000  # every object the process held
        tracked = gc.get_objects()
        assert not any(o is made_at_start for o in tracked)  # no full pass scans it again
        made_later = [object()]
        assert any(o is made_later for o in gc.get_objects())
    finally:
        gc.unfreeze()


def test_numpy_does_not_ask_for_huge_pages_unless_the_environment_says_so():
    """poitiers_inclusion sets NUMPY_MADVISE_HUGEPAGE=0 before numpy is imported (synchronous
    compaction stalls on large arrays); an operator's own value wins."""
    probe = (
        "import poitiers_inclusion, numpy as np;"
        "print(np._core.multiarray._set_madvise_hugepage(True))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    run = functools.partial(
        subprocess.run, [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert run(env=environment, cwd=settings.BASE_DIR).stdout.strip() == "False"
    chosen = {**environment, "NUMPY_MADVISE_HUGEPAGE": "1"}
    assert run(env=chosen, cwd=settings.BASE_DIR).stdout.strip() == "True"
