"""The launcher (`make run`): it loads the data and builds the Overview's first view as the server starts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support import ROOT, write_board_account

WARM = """
import logging, sys, time
logging.basicConfig(level=logging.ERROR)
from ibcr_ui import serve
serve.warm()
import ibcr_data
from ibcr_present import mapsvg
from ibcr_ui import data, views
from ibcr_ui.context import DataKey
fp = DataKey(data.source(), "public")
assert mapsvg.geometry.cache_info().currsize == 1 and "geopandas" not in sys.modules
t = time.perf_counter()
svg = views.map_svg(fp, ibcr_data.Filters(), "en")
again = time.perf_counter() - t
assert 'aria-label="Burkina Faso' in svg and "country?lang=en" in svg
import gc
# What start-up built is left out of the full collection Streamlit runs after every page run.
assert gc.get_freeze_count() > 100_000, gc.get_freeze_count()
print(f"{again:.4f}")
"""


def test_the_warm_up_fills_the_caches_the_first_visit_reads():
    run = subprocess.run([sys.executable, "-c", WARM], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "warm-up at server start failed" not in run.stderr
    assert float(run.stdout.strip()) < 0.05  # built during the warm-up: the page only reads it


def test_a_broken_data_folder_leaves_the_warm_up_quiet(data_copy):
    from tests.support import set_cell

    set_cell(data_copy, "engagements.csv", 0, "country_iso3", "Narnia")
    code = "from ibcr_ui import serve; serve.warm()"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={"IBCR_DATA_DIR": str(data_copy), "PATH": ""})
    assert run.returncode == 0 and "failed" not in run.stderr, run.stderr  # the page shows the problems


LAZY = """
import sys
from ibcr_ui import serve
serve.warm()
import app  # the server's app: every middleware and page module it imports (the pages' own imports below)
from ibcr_ui import downloads, editing, history, images, opendata, packs, shell, tables  # noqa: F401
from tests.apptest import run
for key in ("editor", "account"):  # a visitor: the sign-in form
    assert run(key).get("form"), key
heavy = ("lxml", "sqlite_utils", "typst", "kaleido", "ibcr_report", "openpyxl", "pyarrow.dataset", "pyarrow._acero")
print(sorted(m for m in heavy if m in sys.modules))
"""


def test_the_server_loads_the_file_and_picture_makers_only_when_a_reader_asks_for_one(tmp_path):
    # Typst, Kaleido, lxml, openpyxl and sqlite-utils: about 28 MB in every server process that imports
    # them; Arrow's Acero and datasets, 24 MB (one group_by loaded them, see ibcr_data.load.programme_countries).
    accounts = write_board_account(tmp_path / "editors.json")
    run = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "IBCR_EDITORS_FILE": str(accounts)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_the_launcher_asks_glibc_for_two_pools_unless_the_environment_says_otherwise(monkeypatch):
    from ibcr_ui import serve

    calls = []

    class Libc:
        def mallopt(self, param, value):
            calls.append((param, value))

    monkeypatch.setattr(serve.ctypes, "CDLL", lambda name: Libc())
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    serve.few_arenas()
    assert calls == [(serve.M_ARENA_MAX, 2)] and serve.M_ARENA_MAX == -8  # glibc's malloc.h
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    serve.few_arenas()
    assert len(calls) == 1


def test_the_first_element_a_launched_server_draws_does_not_walk_the_page_runs_stack(monkeypatch):
    from streamlit import delta_generator, env_util

    from ibcr_ui import serve

    def walked():
        raise AssertionError("Streamlit walked the stack (inspect.stack) for its `streamlit run` hint")

    monkeypatch.setattr(env_util, "is_repl", walked)
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    with pytest.raises(AssertionError):  # what a first element costs a server started without the launcher
        delta_generator._maybe_print_use_warning()
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    serve.skip_direct_run_hint()
    delta_generator._maybe_print_use_warning()  # the launcher's server: no walk


def test_a_server_started_again_on_the_same_data_neither_validates_nor_loads_the_descriptor_reader(tmp_path):
    code = ("import sys; from ibcr_ui import serve; serve.warm(); "
            "print(sorted(m for m in ('pydantic', 'geopandas') if m in sys.modules))")
    env = {**os.environ, "IBCR_CACHE_DIR": str(tmp_path)}

    def start() -> str:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip().splitlines()[-1]

    assert start() == "['pydantic']"  # the first reads datapackage.yaml (and checks every file)
    assert start() == "[]"  # the next starts from the dataset it kept: neither the checks nor 9 MB of pydantic
